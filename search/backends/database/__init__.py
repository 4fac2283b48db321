"""The ``database`` search backend: entries in the project's own database (the embedded default).

Full text is vendor specific (``full_text_classes``): SQLite FTS5 or PostgreSQL tsvector, both over
the same jieba + bigram tokens; filters, facets and hits are plain queries over ``SearchEntry``.
Indexing errors are raised, not logged: indexing runs in the caller's transaction and rolls back with it.
"""

from collections.abc import Callable, Iterable, Sequence
from functools import cached_property

from django.db import OperationalError, connection, transaction
from django.utils import timezone

from search.documents import ListingDocument
from search.highlight import SNIPPET_CHARS, highlight
from search.models import SearchEntry, SearchSuggestion, SearchTerm
from search.schema import facet_mask
from search.similar import CANDIDATES, keywords, rerank
from search.suggest import suggestion_rows

from ..base import RebuildResult, SearchBackend, SearchHit, SearchPage, SearchQuery
from . import facet_cells
from .compiler import HIT_FIELDS, MASK_COLUMNS, EntryQueryCompiler, FacetCellCompiler
from .parallel import index_in_processes
from .postgres import PostgresFullText
from .sqlite import SqliteFullText

ENTRY_FIELDS = [
    "title", "holder", "mode", "city", "industry", "asking_price", "royalty", "published_at", "expiry_date",
    "patent_numbers", "abstract", "tokens_title", "tokens_body", "tokens_claims", "token_count", "checksum", "indexed_at",
    *MASK_COLUMNS.values(),
]
TERM_FIELDS = {"ipc": "ipc_levels", "nice": "nice_classes"}
MASK_ATTRIBUTES = {"kind": "kinds", "industry": "industries", "legal_status": "legal_statuses"}


def _entry(document: ListingDocument, now) -> SearchEntry:
    tokens = document.tokens
    return SearchEntry(
        listing_id=document.listing_id,
        title=document.title,
        holder=document.holder,
        mode=document.mode,
        city=document.city,
        industry=document.industry,
        asking_price=document.asking_price,
        royalty=document.royalty,
        published_at=document.published_at,
        expiry_date=document.expiry_date,
        patent_numbers=document.patent_numbers,
        abstract=document.abstract,
        tokens_title=tokens["title"],
        tokens_body=tokens["body"],
        tokens_claims=tokens["claims"],
        token_count=sum(text.count(" ") + 1 for text in tokens.values() if text),
        checksum=document.checksum,
        indexed_at=now,
        **{column: facet_mask(facet, getattr(document, MASK_ATTRIBUTES[facet])) for facet, column in MASK_COLUMNS.items()},
    )


def _terms(document: ListingDocument) -> list[tuple]:
    """(entry, field, value) rows of ``SearchTerm``."""
    return [(document.listing_id, field, value)
            for field, attribute in TERM_FIELDS.items() for value in getattr(document, attribute)]


def _suggestions(document: ListingDocument) -> list[tuple]:
    """(entry, key, kind, text) rows of ``SearchSuggestion``."""
    return [(document.listing_id, *row) for row in suggestion_rows([document.title], document.holder_names)]


class DatabaseSearchBackend(SearchBackend):
    name = "database"
    supports_suggest = True
    # connection.vendor -> the class that renders and applies full-text conditions.
    full_text_classes = {"sqlite": SqliteFullText, "postgresql": PostgresFullText}

    @cached_property
    def full_text(self):
        try:
            return self.full_text_classes[connection.vendor]()
        except KeyError:
            raise NotImplementedError(
                f"the database search backend supports SQLite and PostgreSQL, not {connection.vendor}") from None

    def index_documents(self, documents: Sequence[ListingDocument]) -> None:
        documents = sorted(documents, key=lambda d: d.listing_id)  # one lock order for concurrent writers
        if not documents:
            return
        now = timezone.now()
        entries = [_entry(d, now) for d in documents]
        listing_ids = [d.listing_id for d in documents]
        with transaction.atomic():
            # Locking the listings first makes two tasks indexing the same listing take turns, each moving
            # the entry out of the facet cell the other left it in.
            before = self._locked_entries(listing_ids)
            existing = set(before)
            SearchEntry.objects.bulk_create([e for e in entries if e.pk in existing], batch_size=500,
                                            update_conflicts=True, unique_fields=["listing"], update_fields=ENTRY_FIELDS)
            # New entries cannot conflict (no other writer gets past the lock): a plain bulk insert, COPY on
            # PostgreSQL (half the Python time of the upsert).
            self.full_text.insert_objects([e for e in entries if e.pk not in existing])
            # Only entries that existed have term and suggestion rows. Filling an empty index, there is nothing to
            # delete: and the planner, its statistics taken while the tables were empty, scanned the millions of
            # rows already loaded for each batch's delete (a 1,000,000-listing rebuild slowed to a third).
            SearchTerm.objects.filter(entry_id__in=existing).delete()
            self.full_text.insert_rows(SearchTerm, ["entry_id", "field", "value"],
                                       [row for d in documents for row in _terms(d)])
            SearchSuggestion.objects.filter(entry_id__in=existing).delete()
            self.full_text.insert_rows(SearchSuggestion, ["entry_id", "key", "kind", "text"],
                                       [row for d in documents for row in _suggestions(d)])
            # Last: the cells' lock is held to the commit, so concurrent writers queue for the shortest time.
            facet_cells.apply_changes(before.values(),
                                      [tuple(getattr(e, name) for name in facet_cells.ENTRY_VALUES) for e in entries])

    def _locked_entries(self, listing_ids: list[int]) -> dict[int, tuple]:
        """Listing id -> facet-cell values (``facet_cells.ENTRY_VALUES``) of these listings' existing entries,
        read once no other transaction may write them."""
        self.full_text.lock_listings(listing_ids)
        rows = SearchEntry.objects.filter(pk__in=listing_ids).values_list("pk", *facet_cells.ENTRY_VALUES)
        return {pk: tuple(values) for pk, *values in rows}

    def is_transient(self, exc: Exception) -> bool:
        return isinstance(exc, OperationalError)  # a deadlock, a lost connection

    def index_all(self, *, chunk_size: int, progress: Callable[[int], None] | None, workers: int) -> int:
        """With ``workers`` > 1 on PostgreSQL, that many forked processes (parallel.py), unless a transaction
        is open (a worker would not see its uncommitted rows). SQLite has one writer at a time, so processes
        would only queue."""
        if workers > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block:
            return index_in_processes(self.name, chunk_size=chunk_size, workers=workers, progress=progress)
        return super().index_all(chunk_size=chunk_size, progress=progress, workers=workers)

    def rebuild(self, *, chunk_size: int = 500, progress: Callable[[int], None] | None = None,
                workers: int = 1) -> RebuildResult:
        result = super().rebuild(chunk_size=chunk_size, progress=progress, workers=workers)
        facet_cells.refresh(force=True)
        self.full_text.analyze()
        return result

    def remove_listings(self, listing_ids: Iterable[int]) -> None:
        listing_ids = list(listing_ids)
        if listing_ids:
            with transaction.atomic():
                before = self._locked_entries(listing_ids)
                SearchEntry.objects.filter(pk__in=listing_ids).delete()
                facet_cells.apply_changes(before.values(), [])

    def clear(self) -> None:
        with transaction.atomic():
            SearchEntry.objects.all().delete()
            facet_cells.reset()

    def indexed_checksums(self) -> dict[int, str]:
        return dict(SearchEntry.objects.values_list("pk", "checksum").iterator(chunk_size=10_000))

    def search(self, query: SearchQuery) -> SearchPage:
        today = timezone.localdate()
        compiler = EntryQueryCompiler(query, self.full_text, today)
        # Browsing counts over the facet cells when they can tell (facet_cells.py), else over the entries.
        counter = FacetCellCompiler(query, self.full_text, today) if facet_cells.usable(query, today) else compiler
        total, facets = counter.total_and_facets() if query.with_facets else (counter.total(), {})
        if query.with_facets:
            facets["nice_class"] = compiler.nice_class_facet(facets["kind"])
        more = None
        if counter.total_estimated:  # it may be low: look past it, and one hit further to know of a next page
            entries = compiler.page(total, limit=query.page_size + 1)
            more, entries = len(entries) > query.page_size, entries[:query.page_size]
        else:
            entries = compiler.page(total) if query.offset < total else []  # past the last hit: nothing to look for
        terms = query.highlight_terms
        return SearchPage(hits=[self._hit(entry, terms) for entry in entries], total=total, page=query.page,
                          page_size=query.page_size, facets=facets, estimated=counter.estimated, more=more)

    def suggestion_rows(self, prefix: str, limit: int) -> list[tuple[str, str, str]]:
        rows = (SearchSuggestion.objects.filter(self.full_text.prefix_condition("key", prefix))
                .values_list("key", "kind", "text").distinct().order_by("key", "kind", "text"))
        return list(rows[:limit])

    def similar_to(self, document: ListingDocument, *, limit: int) -> list[SearchHit]:
        weighted = keywords(document)
        if not weighted:
            return []
        expression = self.full_text.expression([k.word for k in weighted], any_word=True)
        candidates = self.full_text.ranked(SearchEntry.objects.exclude(pk=document.listing_id), expression, 0,
                                           CANDIDATES, fields=(*HIT_FIELDS, "tokens_title", "tokens_body"))
        return [self._hit(entry, []) for entry in rerank(weighted, candidates, limit=limit)]

    def _hit(self, entry: SearchEntry, terms: list[str]) -> SearchHit:
        highlights = {"title": highlight(entry.title, terms),
                      "abstract": highlight(entry.abstract, terms, max_chars=SNIPPET_CHARS)}
        return SearchHit(
            listing_id=entry.pk,
            title=entry.title,
            score=getattr(entry, "score", None),
            mode=entry.mode,
            city=entry.city,
            industry=entry.industry,
            holder=entry.holder,
            asking_price=entry.asking_price,
            patent_numbers=tuple(entry.patent_numbers),
            expiry_date=entry.expiry_date,
            published_at=entry.published_at,
            highlights={name: html for name, html in highlights.items() if html},
        )
