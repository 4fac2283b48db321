"""The index document of a listing, built from the database: what every backend stores for one listing.

Only published listings have a document; the others must not be in any index.
"""

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from decimal import Decimal
from functools import cached_property

from django.db.models import Prefetch, prefetch_related_objects

from market.models import Listing, ListingState, Patent, PatentOwner

from .tokenize import bigram_tokens, index_tokens, ipc_levels, ipc_tokens, normalise_ipc, patent_number_token

# Bump when the document or the tokeniser changes: search_check then reports every entry as stale.
# 2: bodies and claims indexed as bigrams only (search/tokenize.py); 3: facet bit masks (migration 0004);
# 4: the checksum serialises the fields in declaration order (``ListingDocument.checksum``).
DOCUMENT_VERSION = 4
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
                     *(text for p in self.patents for text in (p.abstract, p.first_claim, p.publication_number))],
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


def _patent_prefetch() -> Prefetch:
    owners = PatentOwner.objects.select_related("organisation").order_by("pk")
    return Prefetch("patents", queryset=Patent.objects.order_by("pk").prefetch_related(
        Prefetch("ownerships", queryset=owners)))


def published_listings():
    """Published listings with what their documents need, in id order."""
    return (Listing.objects.filter(state=ListingState.PUBLISHED)
            .select_related("organisation", "open_licence_declaration")
            .prefetch_related(_patent_prefetch()).order_by("pk"))


def _patent_document(patent: Patent) -> PatentDocument:
    return PatentDocument(
        number=patent.patent_number,
        title=patent.title,
        abstract=patent.abstract,
        first_claim=patent.first_claim,
        claims=patent.claims,
        kind=patent.kind,
        legal_status=patent.legal_status,
        industry=patent.industry,
        ipc_codes=tuple(patent.ipc_codes or ()),
        expiry_date=patent.expiry_date,
        holders=tuple(o.organisation.name for o in patent.ownerships.all()),
        publication_number=patent.publication_number,
    )


def document_for(listing: Listing, *, any_state: bool = False) -> ListingDocument:
    """The document of a published listing (its patents should be prefetched: see ``documents_for``).

    ``any_state`` builds it for a listing in any state (similar listings of a draft); it is never indexed.
    """
    if listing.state != ListingState.PUBLISHED and not any_state:
        raise ValueError(f"listing {listing.pk} is {listing.state}: only published listings are indexed")
    return ListingDocument(
        listing_id=listing.pk,
        title=listing.title,
        description=listing.description,
        mode=listing.mode,
        city=listing.organisation.city,
        holder=listing.organisation.name,
        asking_price=listing.asking_price,
        published_at=listing.published_at,
        patents=tuple(_patent_document(p) for p in listing.patents.all()),
        royalty=_royalty(listing),
    )


def _royalty(listing: Listing) -> Decimal | None:
    """What taking the listing's published open licence costs at once (the ``royalty`` sort)."""
    from market.models import OpenLicenceState
    from market.services.open_licences import take_up_payment  # the licence rules live there

    declaration = getattr(listing, "open_licence_declaration", None) if listing.mode == "open_licence" else None
    if declaration is None or declaration.state != OpenLicenceState.PUBLISHED:
        return None
    return take_up_payment(declaration)


def documents_for(listings: Iterable[Listing]) -> list[ListingDocument]:
    """Documents of the published listings among ``listings``, with their related rows fetched in bulk."""
    published = [listing for listing in listings if listing.state == ListingState.PUBLISHED]
    prefetch_related_objects(published, "organisation", "open_licence_declaration", _patent_prefetch())
    return [document_for(listing) for listing in published]


def listing_document(listing_id: int) -> ListingDocument:
    """The document of one listing in any state (raises ``Listing.DoesNotExist``)."""
    listing = (Listing.objects.select_related("organisation", "open_licence_declaration")
               .prefetch_related(_patent_prefetch())
               .get(pk=listing_id))
    return document_for(listing, any_state=True)


def document_chunks(chunk_size: int) -> Iterator[list[ListingDocument]]:
    """Documents of every published listing, ``chunk_size`` at a time (keyset pagination on the id)."""
    last = 0
    while True:
        chunk = list(published_listings().filter(pk__gt=last)[:chunk_size])
        if not chunk:
            return
        last = chunk[-1].pk
        yield documents_for(chunk)
