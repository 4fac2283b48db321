"""The search interface every backend implements, and the query and result types it speaks.

A backend indexes listing documents (``search.documents``), removes listings, and answers a
``SearchQuery`` (text + filters + sort + page) with a ``SearchPage`` (hits, total, facet counts); it
also suggests completions of a typed prefix (``search.suggest``) and finds listings similar to one.
Queries are checked when they are built, so a backend only sees valid ones; an invalid query raises
``InvalidSearchQuery`` with one bilingual message list per field (the API answers 400 with them).
"""

import abc
import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property

from django.db import connection
from django.utils import timezone

from market.models import Listing, ListingState
from market.regions import City

from ..documents import ListingDocument, document_chunks, documents_for, listing_document, published_listings
from ..query import MAX_WORDS, QueryWord, highlight_terms, parse_text
from ..schema import VALUE_FACETS, Sort, facet_label, remaining_years
from ..suggest import DEFAULT_LIMIT, Suggestion, ipc_suggestions, normalise_prefix, suggestions_from_rows
from ..tokenize import normalise_ipc

DEFAULT_PAGE_SIZE = 20
SIMILAR_LIMIT = 6
MAX_PAGE_SIZE = 100
# Deepest result a query may reach (page × page_size): Elasticsearch's default max_result_window.
MAX_RESULT_WINDOW = 10_000
MAX_TEXT_LENGTH = 200
MAX_PRICE = Decimal("1e13")
MAX_REMAINING_YEARS = Decimal(30)
IPC_SECTIONS = ("A", "B", "C", "D", "E", "F", "G", "H")


class SearchUnavailable(RuntimeError):
    """The search engine cannot answer now (unreachable, timed out, overloaded); retry after ``retry_after`` s."""

    retry_after = 30
    message = "检索服务暂时不可用，请稍后再试 / Search is temporarily unavailable; please try again shortly"


class InvalidSearchQuery(ValueError):
    """A query with unknown or malformed values; ``errors`` maps each field to its messages (中文 / English)."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items()))


def _choice_error(value: str, choices: Iterable[str]) -> str:
    allowed = ", ".join(choices)
    return f"未知的取值“{value}”，可选：{allowed} / Unknown value '{value}'; choose from: {allowed}"


def _ipc_prefix(value: str) -> str | None:
    """Canonical IPC prefix at one of its levels (H, H01, H01M, H01M50, H01M50/403), or None."""
    compact = value.strip().upper().replace(" ", "")
    if len(compact) == 1 and compact in IPC_SECTIONS:
        return compact
    if len(compact) == 3 and compact[0] in IPC_SECTIONS and compact[1:].isdigit():
        return compact
    return normalise_ipc(compact)


@dataclass(frozen=True)
class SearchQuery:
    """Text, filters, sort and page of one search. Values are normalised and checked on creation.

    Filters with several values (``mode=("transfer", "licence")``) match any of them; different filters
    must all match. ``price_min``/``price_max`` exclude listings without a price (面议).
    ``remaining_years_min`` keeps listings whose shortest-lived patent has at least that many years left.
    """

    text: str = ""
    mode: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    industry: tuple[str, ...] = ()
    city: tuple[str, ...] = ()
    legal_status: tuple[str, ...] = ()
    nice_class: tuple[str, ...] = ()
    ipc_prefix: str = ""
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    remaining_years_min: Decimal | None = None
    sort: str = Sort.RELEVANCE
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    with_facets: bool = True

    def __post_init__(self):
        errors = {**self._normalise_text(), **self._normalise_values(), **self._normalise_ranges(),
                  **self._check_page()}
        if errors:
            raise InvalidSearchQuery(errors)

    # Frozen: each step normalises its fields in place once, and returns the errors it found.
    def _normalise_text(self) -> dict[str, list[str]]:
        object.__setattr__(self, "text", " ".join((self.text or "").split()))
        if len(self.text) > MAX_TEXT_LENGTH:
            return {"text": [f"检索词不能超过 {MAX_TEXT_LENGTH} 个字符 / "
                             f"The query text must not exceed {MAX_TEXT_LENGTH} characters"]}
        if len(self.words) > MAX_WORDS:
            return {"text": [f"检索词不能超过 {MAX_WORDS} 个 / The query must not have more than {MAX_WORDS} words"]}
        return {}

    def _normalise_values(self) -> dict[str, list[str]]:
        errors = {}
        for name, choices in VALUE_FACETS.items():
            values = getattr(self, name)
            values = (values,) if isinstance(values, str) else tuple(values or ())
            if name == "city":  # 杭州 as well as 3301
                by_label = {str(label): value for value, label in City.choices}
                values = tuple(by_label.get(v, v) for v in values)
            object.__setattr__(self, name, tuple(dict.fromkeys(values)))
            if unknown := [v for v in values if v not in choices.values]:
                errors[name] = [_choice_error(v, choices.values) for v in unknown]
        if self.sort not in Sort.values:
            errors["sort"] = [_choice_error(self.sort, Sort.values)]
        if self.ipc_prefix:
            if canonical := _ipc_prefix(self.ipc_prefix):
                object.__setattr__(self, "ipc_prefix", canonical)
            else:
                errors["ipc_prefix"] = [f"IPC分类号“{self.ipc_prefix}”格式不正确，应如 H01M 或 H01M50/403 / "
                                        f"IPC prefix '{self.ipc_prefix}' must look like H01M or H01M50/403"]
        return errors

    def _normalise_ranges(self) -> dict[str, list[str]]:
        errors = {}
        limits = {"price_min": MAX_PRICE, "price_max": MAX_PRICE, "remaining_years_min": MAX_REMAINING_YEARS}
        for name, limit in limits.items():
            value = getattr(self, name)
            if value is None:
                continue
            try:
                value = value if isinstance(value, Decimal) else Decimal(str(value))
            except InvalidOperation:
                value = Decimal("NaN")
            object.__setattr__(self, name, value)
            if not (value.is_finite() and 0 <= value <= limit):
                errors[name] = [
                    "价格须在 0 至 10万亿元之间 / A price must be between 0 and 10 trillion yuan" if limit == MAX_PRICE
                    else f"剩余年限须在 0 至 {limit} 之间 / {name} must be between 0 and {limit}"]
        if self.price_min is not None and self.price_max is not None and not errors and self.price_max < self.price_min:
            errors["price_max"] = ["最高价不能低于最低价 / price_max must not be below price_min"]
        return errors

    def _check_page(self) -> dict[str, list[str]]:
        errors = {}
        if not (isinstance(self.page, int) and self.page >= 1):
            errors["page"] = ["页码须为正整数 / page must be a positive integer"]
        if not (isinstance(self.page_size, int) and 1 <= self.page_size <= MAX_PAGE_SIZE):
            errors["page_size"] = [f"每页条数须在 1 至 {MAX_PAGE_SIZE} 之间 / "
                                   f"page_size must be between 1 and {MAX_PAGE_SIZE}"]
        if not errors and self.page * self.page_size > MAX_RESULT_WINDOW:
            errors["page"] = [f"最多可翻阅前 {MAX_RESULT_WINDOW} 条结果，请缩小检索范围 / "
                              f"Only the first {MAX_RESULT_WINDOW} results can be paged through; narrow the search"]
        return errors

    @cached_property
    def words(self) -> list[QueryWord]:
        """The words every hit must match (empty: no text condition)."""
        return parse_text(self.text)

    @property
    def highlight_terms(self) -> list[str]:
        return highlight_terms(self.words)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    @property
    def effective_sort(self) -> str:
        """Relevance needs words to rank by; without them the newest come first."""
        return Sort.NEWEST if self.sort == Sort.RELEVANCE and not self.words else self.sort

    @classmethod
    def from_params(cls, params: Mapping) -> "SearchQuery":
        """Build a query from request parameters (a QueryDict or a dict of strings).

        ``q`` is the text; filters with several values are repeated (``mode=transfer&mode=licence``)
        or comma-separated. Unknown parameter names are ignored. Errors are keyed by parameter name.
        """
        def getlist(name: str) -> list[str]:
            if hasattr(params, "getlist"):
                return params.getlist(name)
            value = params.get(name)
            return [] if value is None else list(value) if isinstance(value, list | tuple) else [value]

        def first(name: str) -> str:
            values = getlist(name)
            return str(values[-1]).strip() if values else ""

        values: dict = {"text": first("q")}
        for name in VALUE_FACETS:
            values[name] = tuple(v.strip() for raw in getlist(name) for v in str(raw).split(",") if v.strip())
        values["ipc_prefix"] = first("ipc_prefix")
        values["sort"] = first("sort") or Sort.RELEVANCE
        parse_errors: dict[str, list[str]] = {}
        parsers: dict[str, Callable[[str], object]] = {
            "price_min": _parse_decimal, "price_max": _parse_decimal, "remaining_years_min": _parse_decimal,
            "page": _parse_int, "page_size": _parse_int,
        }
        for name, parse in parsers.items():
            if raw := first(name):
                try:
                    values[name] = parse(raw)
                except ValueError as exc:
                    parse_errors[name] = [str(exc)]
        try:
            query = cls(**values)
        except InvalidSearchQuery as exc:
            errors = {**exc.errors, **parse_errors}
        else:
            if not parse_errors:
                return query
            errors = parse_errors
        raise InvalidSearchQuery({("q" if name == "text" else name): messages for name, messages in errors.items()})


def _parse_decimal(raw: str) -> Decimal:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise ValueError(f"“{raw}”不是数字 / '{raw}' is not a number")
    return value


def _parse_int(raw: str) -> int:
    if not raw.isdigit():
        raise ValueError(f"“{raw}”不是正整数 / '{raw}' is not a positive integer")
    return int(raw)


@dataclass(frozen=True)
class SearchHit:
    """One listing found, with what a result line shows (no further query needed)."""

    listing_id: int
    title: str
    score: float | None
    mode: str
    city: str
    industry: str
    holder: str
    asking_price: Decimal | None
    patent_numbers: tuple[str, ...]
    expiry_date: dt.date | None
    published_at: dt.datetime | None
    # Field name ("title", "abstract") -> safe HTML with the query's words in <mark>…</mark>.
    highlights: dict[str, str] = field(default_factory=dict)

    @property
    def remaining_years(self) -> float | None:
        """Years left of the shortest-lived patent's term, today."""
        years = remaining_years(self.expiry_date, timezone.localdate())
        return None if years is None else round(years, 2)

    @property
    def mode_label(self) -> str:
        return facet_label("mode", self.mode)

    @property
    def city_label(self) -> str:
        return facet_label("city", self.city)

    @property
    def industry_label(self) -> str:
        return facet_label("industry", self.industry) if self.industry else ""


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class SearchPage:
    """One page of results.

    ``facets`` maps a facet name (``search.schema.FACETS``) to its values. Each facet counts the listings
    matching the text and every filter except its own. Value facets list the values with hits, most
    hits first (then by value); range facets (price, remaining_years) list every bucket in order.
    """

    hits: list[SearchHit]
    total: int
    page: int
    page_size: int
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    # The total and facet counts are estimates (the database backend samples words found in very many
    # listings: search.backends.database.sampling); exact otherwise.
    estimated: bool = False
    # With an estimated total: whether hits follow this page (found by looking, never inferred from the
    # estimate, which may be low). None when the total is exact.
    more: bool | None = None

    @property
    def num_pages(self) -> int:
        """Pages the total fills; with an estimated total, at least up to this one and the next that has hits."""
        pages = max(1, math.ceil(self.total / self.page_size))
        return pages if self.more is None else max(pages, self.page + int(self.more))

    @property
    def has_next(self) -> bool:
        return self.more if self.more is not None else self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


@dataclass(frozen=True)
class RebuildResult:
    indexed: int
    removed: int


def forget_debug_queries() -> None:
    """With DEBUG on, Django keeps the last 9,000 statements, bulk inserts of whole documents included
    (1.8 GB measured by a rebuild of a million listings): drop them per chunk so memory stays flat (left
    alone while a test counts queries)."""
    if not connection.force_debug_cursor:
        connection.queries_log.clear()


class SearchBackend(abc.ABC):
    """A place listings are indexed and searched. Subclasses implement the abstract methods.

    Backends that cannot do something raise ``NotImplementedError`` with a sentence; ``supports_*``
    says so in advance.
    """

    name: str = ""
    supports_suggest = False

    def available(self) -> bool:
        """Whether the backend answers now (the health check asks; the database backend is the database)."""
        return True

    def __init__(self, **options):
        self.options = options

    # -- writing
    @abc.abstractmethod
    def index_documents(self, documents: Sequence[ListingDocument]) -> None:
        """Add or replace the entries of these documents (idempotent)."""

    @abc.abstractmethod
    def remove_listings(self, listing_ids: Iterable[int]) -> None:
        """Remove these listings' entries; ids not in the index are ignored."""

    @abc.abstractmethod
    def clear(self) -> None:
        """Remove every entry."""

    def remove_listing(self, listing_id: int) -> None:
        self.remove_listings([listing_id])

    def index_listings(self, listings: Iterable[Listing]) -> None:
        """Index the published listings among ``listings`` and remove the others."""
        listings = list(listings)
        documents = documents_for(listings)
        self.index_documents(documents)
        self.remove_listings({listing.pk for listing in listings} - {d.listing_id for d in documents})

    def index_listing_ids(self, listing_ids: Iterable[int]) -> None:
        """Bring these listings' entries up to date from the database (removed unless published)."""
        listing_ids = set(listing_ids)
        documents = documents_for(published_listings().filter(pk__in=listing_ids))
        self.index_documents(documents)
        self.remove_listings(listing_ids - {d.listing_id for d in documents})

    def rebuild(self, *, chunk_size: int = 500, progress: Callable[[int], None] | None = None,
                workers: int = 1) -> RebuildResult:
        """Index every published listing in chunks, then remove entries of listings no longer published.

        Entries are replaced in place, so searches keep working while it runs. ``workers`` is how many
        processes may index, where the backend can use them (``index_all``).
        """
        indexed = self.index_all(chunk_size=chunk_size, progress=progress, workers=workers)
        published = set(Listing.objects.filter(state=ListingState.PUBLISHED).values_list("pk", flat=True))
        gone = set(self.indexed_checksums()) - published
        self.remove_listings(gone)
        return RebuildResult(indexed=indexed, removed=len(gone))

    def index_all(self, *, chunk_size: int, progress: Callable[[int], None] | None, workers: int) -> int:
        """Index every published listing, ``chunk_size`` at a time, in this process; returns how many."""
        indexed = 0
        for documents in document_chunks(chunk_size):
            self.index_documents(documents)
            indexed += len(documents)
            forget_debug_queries()
            if progress:
                progress(len(documents))
        return indexed

    # -- reading
    @abc.abstractmethod
    def search(self, query: SearchQuery) -> SearchPage:
        """One page of the listings matching ``query``, with total and facet counts."""

    @abc.abstractmethod
    def indexed_checksums(self) -> dict[int, str]:
        """Listing id -> checksum of the document its entry was built from (for ``search_check``)."""

    def is_transient(self, exc: Exception) -> bool:
        """Whether an indexing error may heal by itself (engine unreachable): the outbox retries those."""
        return False

    def suggest(self, prefix: str, limit: int = DEFAULT_LIMIT) -> list[Suggestion]:
        """Completions of ``prefix``: titles and holders from the index (key order), then IPC classes."""
        if not self.supports_suggest:
            raise NotImplementedError(f"the {self.name} search backend does not suggest completions")
        prefix = normalise_prefix(prefix)
        if not prefix:
            return []
        ipc = ipc_suggestions(prefix)
        wanted = max(0, limit - len(ipc))
        # Several keys of one text may start with the prefix: read a few more rows than suggestions.
        rows = self.suggestion_rows(prefix, wanted * 3) if wanted else []
        return suggestions_from_rows(rows, wanted) + ipc[:limit]

    def suggestion_rows(self, prefix: str, limit: int) -> list[tuple[str, str, str]]:
        """The first ``limit`` distinct (key, kind, text) of the index whose key starts with ``prefix``,
        in (key, kind, text) order (``search.suggest``)."""
        raise NotImplementedError(f"the {self.name} search backend does not suggest completions")

    def similar(self, listing_id: int, *, limit: int = SIMILAR_LIMIT) -> list[SearchHit]:
        """Published listings most like this one (itself excluded), best first.

        The listing may be in any state (its owner sees similar listings on a draft's page).
        """
        return self.similar_to(listing_document(listing_id), limit=limit)

    @abc.abstractmethod
    def similar_to(self, document: ListingDocument, *, limit: int) -> list[SearchHit]:
        """Indexed listings most like ``document``, ``document`` itself excluded."""
