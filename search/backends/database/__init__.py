"""The ``database`` search backend: entries in the project's own database (the embedded default).

Full text is vendor specific (``full_text_classes``): SQLite FTS5 or PostgreSQL tsvector, both over
the same jieba + bigram tokens; filters, facets and hits are plain queries over ``SearchEntry``.
Indexing errors are raised, not logged: indexing runs in the caller's transaction and rolls back with it.
"""

from collections.abc import Iterable, Sequence
from functools import cached_property

from django.db import connection, transaction
from django.utils import timezone

from search.documents import ListingDocument
from search.highlight import highlight
from search.models import SearchEntry, SearchTerm

from ..base import SearchBackend, SearchHit, SearchPage, SearchQuery
from .compiler import EntryQueryCompiler
from .postgres import PostgresFullText
from .sqlite import SqliteFullText

# Characters of the abstract a snippet shows.
SNIPPET_CHARS = 120
ENTRY_FIELDS = [
    "title", "holder", "mode", "city", "industry", "asking_price", "published_at", "expiry_date", "patent_numbers",
    "abstract", "tokens_title", "tokens_body", "tokens_claims", "checksum", "indexed_at",
]
TERM_FIELDS = {"kind": "kinds", "industry": "industries", "legal_status": "legal_statuses", "ipc": "ipc_levels"}


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
        published_at=document.published_at,
        expiry_date=document.expiry_date,
        patent_numbers=document.patent_numbers,
        abstract=document.abstract,
        tokens_title=tokens["title"],
        tokens_body=tokens["body"],
        tokens_claims=tokens["claims"],
        checksum=document.checksum,
        indexed_at=now,
    )


def _terms(document: ListingDocument) -> list[SearchTerm]:
    return [SearchTerm(entry_id=document.listing_id, field=field, value=value)
            for field, attribute in TERM_FIELDS.items() for value in getattr(document, attribute)]


class DatabaseSearchBackend(SearchBackend):
    name = "database"
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
        with transaction.atomic():
            # An upsert locks each entry row, so two tasks indexing the same listing take turns.
            SearchEntry.objects.bulk_create([_entry(d, now) for d in documents], batch_size=500,
                                            update_conflicts=True, unique_fields=["listing"],
                                            update_fields=ENTRY_FIELDS)
            SearchTerm.objects.filter(entry_id__in=[d.listing_id for d in documents]).delete()
            SearchTerm.objects.bulk_create([term for d in documents for term in _terms(d)], batch_size=2000)

    def remove_listings(self, listing_ids: Iterable[int]) -> None:
        listing_ids = list(listing_ids)
        if listing_ids:
            SearchEntry.objects.filter(pk__in=listing_ids).delete()

    def clear(self) -> None:
        SearchEntry.objects.all().delete()

    def indexed_checksums(self) -> dict[int, str]:
        return dict(SearchEntry.objects.values_list("pk", "checksum").iterator(chunk_size=10_000))

    def search(self, query: SearchQuery) -> SearchPage:
        compiler = EntryQueryCompiler(query, self.full_text, timezone.localdate())
        entries = compiler.page()
        terms = query.highlight_terms
        return SearchPage(
            hits=[self._hit(entry, terms) for entry in entries],
            total=compiler.entries().count(),
            page=query.page,
            page_size=query.page_size,
            facets=compiler.facets() if query.with_facets else {},
        )

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
