"""The index document of a listing, built from the database: what every backend stores for one listing.

Only published listings have a document; the others must not be in any index.
"""

import datetime as dt
import functools
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from decimal import Decimal
from functools import cached_property

from django.db.models import QuerySet

from market.extensions import providers
from market.models import Listing, ListingMode, ListingState, Patent, PatentOwner
from market.models.patents import expiry_date

from .tokenize import bigram_tokens, index_tokens, ipc_levels, ipc_tokens, normalise_ipc, patent_number_token

# Bump when the document or the tokeniser changes: search_check then reports every entry as stale.
# 2: bodies and claims indexed as bigrams only (search/tokenize.py); 3: facet bit masks (migration 0004);
# 4: the checksum serialises the fields in declaration order (``ListingDocument.checksum``); 5: a run break
# between runs of Chinese text and after each jieba word, for phrase matching (search/tokenize.py); 6: registered
# marks (their pinyin in the body, their term's end, their Nice classes).
DOCUMENT_VERSION = 6
# Claims beyond this many characters are not indexed: the tail of a 50-page claim set adds little and
# PostgreSQL caps a tsvector at 1 MB.
MAX_CLAIMS_CHARS = 20_000
# Abstract text kept for snippets.
MAX_ABSTRACT_CHARS = 4_000


@dataclass(frozen=True)
class PatentDocument:
    number: str
    title: str
    abstract: str
    first_claim: str
    claims: str
    kind: str
    legal_status: str
    industry: str
    ipc_codes: tuple[str, ...]
    expiry_date: dt.date
    holders: tuple[str, ...]
    publication_number: str = ""
    # A registered mark's text in pinyin (its goods are its abstract, its expiry its current term's end) and the
    # Nice classes of its goods.
    pinyin: str = ""
    nice_classes: tuple[int, ...] = ()


@dataclass(frozen=True)
class ListingDocument:
    """Everything the index knows about one published listing; derived values are properties."""

    listing_id: int
    title: str
    description: str
    mode: str
    city: str
    holder: str
    asking_price: Decimal | None
    published_at: dt.datetime | None
    patents: tuple[PatentDocument, ...]
    # Open licences: what a take-up pays at once (entry fee or first year's fee); None for other modes.
    royalty: Decimal | None = None

    @property
    def kinds(self) -> list[str]:
        return _unique(p.kind for p in self.patents)

    @property
    def nice_classes(self) -> list[str]:
        """The Nice classes of the listing's marks (the ``nice_class`` facet); none for patents."""
        return _unique(str(number) for p in self.patents for number in p.nice_classes)

    @property
    def industries(self) -> list[str]:
        return _unique(p.industry for p in self.patents)

    @property
    def industry(self) -> str:
        """The industry shown on the hit: the first patent's."""
        return self.patents[0].industry if self.patents else ""

    @property
    def legal_statuses(self) -> list[str]:
        return _unique(p.legal_status for p in self.patents)

    @property
    def ipc_codes(self) -> list[str]:
        return _unique(filter(None, (normalise_ipc(c) for p in self.patents for c in p.ipc_codes)))

    @property
    def ipc_levels(self) -> list[str]:
        """Every IPC level the ``ipc_prefix`` filter can ask for (H, H01, H01M, H01M50, H01M50/403)."""
        return _unique(level for code in self.ipc_codes for level in ipc_levels(code))

    @property
    def expiry_date(self) -> dt.date | None:
        """The earliest expiry among the patents: the listing's remaining life is its shortest-lived patent's."""
        return min((p.expiry_date for p in self.patents), default=None)

    @property
    def patent_numbers(self) -> list[str]:
        return [p.number for p in self.patents]

    @property
    def holder_names(self) -> list[str]:
        return _unique([self.holder, *(name for p in self.patents for name in p.holders)])

    @property
    def abstract(self) -> str:
        """Description and abstracts, the source of the abstract snippet."""
        return "\n".join(filter(None, [self.description, *(p.abstract for p in self.patents)]))[:MAX_ABSTRACT_CHARS]

    @cached_property
    def checksum(self) -> str:
        """SHA-256 of the document's content and DOCUMENT_VERSION: differs when the index entry is stale.

        The fields are listed in declaration order, the patents' likewise (``dataclasses.asdict`` deep-copied
        every value first: 0.05 ms a listing, a tenth of the Python time of a rebuild)."""
        listing = [getattr(self, name) for name in _LISTING_FIELDS]
        patents = [[getattr(patent, name) for name in _PATENT_FIELDS] for patent in self.patents]
        payload = json.dumps([DOCUMENT_VERSION, listing, patents], default=str, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()

    @cached_property
    def texts(self) -> dict[str, list[str]]:
        """The original text of each weighted field, as every backend indexes it.

        title: listing and patent titles; body: description, abstracts, first claims and publication
        numbers; claims: the claims (first MAX_CLAIMS_CHARS characters); holders: the holder names.
        The database backend tokenises these itself; Elasticsearch analyses them with its own chain.
        """
        return {
            "title": _unique([self.title, *(p.title for p in self.patents)]),
            "body": [self.description,
                     *(text for p in self.patents for text in (p.abstract, p.first_claim, p.publication_number,
                                                               p.pinyin.replace(" ", "")))],
            "claims": ["\n".join(p.claims for p in self.patents)[:MAX_CLAIMS_CHARS]],
            "holders": self.holder_names,
        }

    @property
    def codes(self) -> list[str]:
        """Tokens that find the listing by an IPC level or an application number (see ``search.tokenize``)."""
        return ipc_tokens(self.ipc_codes) + list(filter(None, map(patent_number_token, self.patent_numbers)))

    @cached_property
    def tokens(self) -> dict[str, str]:
        """Space-separated index tokens of the three weighted text fields: title, body, claims."""
        texts = self.texts
        body = [_join(texts["body"], bigram_tokens), *map(_name_tokens, texts["holders"]), " ".join(self.codes)]
        return {
            "title": _join(texts["title"]),
            "body": " ".join(filter(None, body)),
            "claims": _join(texts["claims"], bigram_tokens),
        }


_LISTING_FIELDS = tuple(f.name for f in fields(ListingDocument) if f.name != "patents")
_PATENT_FIELDS = tuple(f.name for f in fields(PatentDocument))


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


@functools.lru_cache(maxsize=20_000)
def _name_tokens(name: str) -> str:
    """Tokens of a holder name (names repeat across thousands of listings: cached per process)."""
    return " ".join(index_tokens(name))


def _join(texts: Iterable[str], tokenise=index_tokens) -> str:
    return " ".join(tokenise("\n".join(filter(None, texts))))


# Columns a document is built from: plain rows, no model instances (building instances of the listings, their
# patents, owners and organisations took a quarter of a rebuild's Python time).
LISTING_COLUMNS = ("pk", "title", "description", "mode", "organisation__city", "organisation__name", "asking_price",
                   "published_at")
PATENT_COLUMNS = ("pk", "application_number", "title", "abstract", "first_claim", "claims", "kind", "legal_status",
                  "industry", "ipc_codes", "filing_date", "publication_number", "mark__valid_until",
                  "mark__mark_pinyin", "mark__nice_classes")


def published_listings() -> QuerySet:
    """Published listings in id order: the ones that have a document."""
    return Listing.objects.filter(state=ListingState.PUBLISHED).order_by("pk")


def documents(listings: QuerySet, *, any_state: bool = False) -> list[ListingDocument]:
    """Documents of the published listings of ``listings`` (``any_state``: of all of them), in id order.

    Four queries whatever the number of listings (plus one when open licences are among them). A document
    of a listing that is not published (similar listings of a draft) is never indexed.
    """
    if not any_state:
        listings = listings.filter(state=ListingState.PUBLISHED)
    rows = list(listings.order_by("pk").values_list(*LISTING_COLUMNS))
    ids = [row[0] for row in rows]
    patent_ids: dict[int, list[int]] = defaultdict(list)
    for listing_id, patent_id in (Listing.patents.through.objects.filter(listing_id__in=ids)
                                  .order_by("patent_id").values_list("listing_id", "patent_id")):
        patent_ids[listing_id].append(patent_id)
    patents = _patent_documents({pk for pks in patent_ids.values() for pk in pks})
    royalties = _royalties([row[0] for row in rows if row[3] == ListingMode.OPEN_LICENCE])
    return [ListingDocument(listing_id=pk, title=title, description=description, mode=mode, city=city, holder=holder,
                            asking_price=asking_price, published_at=published_at,
                            patents=tuple(patents[patent_id] for patent_id in patent_ids[pk]),
                            royalty=royalties.get(pk))
            for pk, title, description, mode, city, holder, asking_price, published_at in rows]


def _patent_documents(patent_ids: set[int]) -> dict[int, PatentDocument]:
    holders: dict[int, list[str]] = defaultdict(list)
    for patent_id, name in (PatentOwner.objects.filter(patent_id__in=patent_ids).order_by("pk")
                            .values_list("patent_id", "name")):
        holders[patent_id].append(name)
    return {
        pk: PatentDocument(number=application_number if mark_until else f"ZL{application_number}", title=title,
                           abstract=abstract, first_claim=first_claim, claims=claims, kind=kind,
                           legal_status=legal_status, industry=industry, ipc_codes=tuple(ipc_codes or ()),
                           expiry_date=mark_until or expiry_date(kind, filing_date), holders=tuple(holders[pk]),
                           publication_number=publication_number, pinyin=pinyin or "",
                           nice_classes=tuple(nice_classes or ()))
        for pk, application_number, title, abstract, first_claim, claims, kind, legal_status, industry, ipc_codes,
        filing_date, publication_number, mark_until, pinyin, nice_classes
        in Patent.objects.filter(pk__in=patent_ids).values_list(*PATENT_COLUMNS)
    }


def _royalties(listing_ids: list[int]) -> dict[int, Decimal]:
    """Listing id -> what taking its published open licence costs at once (the ``royalty`` sort; licensing
    provides it through market/extensions.py)."""
    return providers.listing_royalties(listing_ids) if listing_ids else {}


def documents_for(listings: Iterable[Listing] | QuerySet) -> list[ListingDocument]:
    """Documents of the published listings among ``listings`` (instances or a queryset), as the database holds
    them, in id order."""
    if not isinstance(listings, QuerySet):
        listings = Listing.objects.filter(pk__in=[listing.pk for listing in listings])
    return documents(listings)


def listing_document(listing_id: int) -> ListingDocument:
    """The document of one listing in any state (raises ``Listing.DoesNotExist``)."""
    found = documents(Listing.objects.filter(pk=listing_id), any_state=True)
    if not found:
        raise Listing.DoesNotExist(f"listing {listing_id} does not exist")
    return found[0]


def document_chunks(chunk_size: int) -> Iterator[list[ListingDocument]]:
    """Documents of every published listing, ``chunk_size`` at a time (keyset pagination on the id)."""
    last = 0
    while True:
        ids = list(published_listings().filter(pk__gt=last).values_list("pk", flat=True)[:chunk_size])
        if not ids:
            return
        last = ids[-1]
        yield documents(Listing.objects.filter(pk__in=ids))
