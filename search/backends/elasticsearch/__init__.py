"""The ``elasticsearch`` search backend (Elasticsearch 8; the production engine).

Listings live in a versioned index (``<prefix>_listings_v<mapping>_<time>``) behind the alias
``<prefix>_listings``; every read and write goes through the alias. ``rebuild`` fills a new index
while searches keep using the old one, swaps the alias in one atomic request, replays the changes
made meanwhile (from the outbox) and drops the old index.

Options (``SEARCH_BACKEND = {"BACKEND": "elasticsearch", ...}``; defaults from settings): ``url``
(ELASTICSEARCH_URL), ``index_prefix`` (SEARCH_INDEX_PREFIX), ``replicas`` (ELASTICSEARCH_REPLICAS),
``refresh`` (what writes wait for: "wait_for", or "true" in tests), ``compatibility_server``
(ELASTICSEARCH_COMPATIBILITY_SERVER: plain JSON media types for osmem-server, see transport.py),
``timeout`` in seconds.

Indexing errors are raised to the caller; the outbox keeps the rows pending when ``is_transient``
says the engine was unreachable. Reads (search, suggest, similar) raise ``SearchUnavailable`` then.
"""

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch, helpers
from elasticsearch.dsl import Search

from search.documents import ListingDocument, document_chunks
from search.outbox import listings_changed_since
from search.tokenize import normalise

from ..base import (
    RebuildResult,
    SearchBackend,
    SearchHit,
    SearchPage,
    SearchQuery,
    SearchUnavailable,
    forget_debug_queries,
)
from .compiler import ElasticsearchQueryCompiler, hit_from_source
from .index import HIT_SOURCE, MAPPING_VERSION, SEPARATOR, listing_index, source
from .transport import CompatibilityServerHttpNode

BULK_CHUNK = 500
SCAN_SIZE = 5000
# Changes committed this long before a rebuild started are replayed too (a transaction that began
# before the rebuild may commit after it read those listings).
REPLAY_MARGIN = dt.timedelta(minutes=5)
LUCENE_REGEX_SPECIAL = re.compile(r'([.?+*|{}\[\]()"\\#@&<>~^$])')
# Similar listings: the text of a listing the more_like_this query starts from.
SIMILAR_TEXT_CHARS = 2000


def _reading(method: Callable) -> Callable:
    """A read of the engine: an engine that cannot answer now raises ``SearchUnavailable`` (the pages and the
    API say so, or browse the database instead) rather than a server error."""

    @functools.wraps(method)
    def read(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (TransportError, ApiError) as exc:
            if self.is_transient(exc):
                raise SearchUnavailable(str(exc)) from exc
            raise

    return read


class ElasticsearchSearchBackend(SearchBackend):
    name = "elasticsearch"
    supports_suggest = True

    def __init__(self, **options):
        super().__init__(**options)
        self.url = options.get("url") or settings.ELASTICSEARCH_URL
        if not self.url:
            raise ImproperlyConfigured("SEARCH_BACKEND=elasticsearch needs ELASTICSEARCH_URL")
        self.alias = f"{options.get('index_prefix') or settings.SEARCH_INDEX_PREFIX}_listings"
        self.replicas = int(options.get("replicas", settings.ELASTICSEARCH_REPLICAS))
        self.refresh = options.get("refresh", "wait_for")
        self.compatibility_server = options.get("compatibility_server", settings.ELASTICSEARCH_COMPATIBILITY_SERVER)
        self.timeout = float(options.get("timeout", 10))
        self._index_ready = False

    @cached_property
    def client(self) -> Elasticsearch:
        extra = {"node_class": CompatibilityServerHttpNode} if self.compatibility_server else {}
        return Elasticsearch(self.url, request_timeout=self.timeout, max_retries=1, **extra)

    def available(self) -> bool:
        """The engine answers a ping within a second."""
        try:
            return bool(self.client.options(request_timeout=1, max_retries=0).ping())
        except (TransportError, ApiError):
            return False

    def is_transient(self, exc: Exception) -> bool:
        """Unreachable, timed out, overloaded or failing server: worth retrying later."""
        if isinstance(exc, ApiError):
            return exc.meta.status in (429, 502, 503, 504)
        return isinstance(exc, TransportError)

    # -- indices
    def _new_index_name(self) -> str:
        return f"{self.alias}_v{MAPPING_VERSION}_{timezone.now():%Y%m%d%H%M%S%f}"

    def _create_building_index(self, name: str) -> None:
        """A new index to fill: no replicas and no refreshes until it is full (``rebuild`` restores both)."""
        self.client.indices.create(index=name, **listing_index(name, replicas=0, refresh_interval="-1").to_dict())

    def alias_indices(self) -> list[str]:
        """The concrete indices the alias points to (one, except for a moment during a swap)."""
        response = self.client.options(ignore_status=404).indices.get_alias(name=self.alias)
        return [] if response.meta.status == 404 else sorted(response.body)

    def ensure_index(self) -> None:
        """Create the first index and its alias unless the alias exists (idempotent, race-safe)."""
        if self._index_ready:
            return
        if not self.alias_indices():
            # A fixed name: two processes racing here create one index; the loser gets "already exists".
            name = f"{self.alias}_v{MAPPING_VERSION}_initial"
            response = self.client.options(ignore_status=400).indices.create(
                index=name, **listing_index(name, replicas=self.replicas, alias=self.alias).to_dict())
            if response.meta.status == 400 and "already_exists" not in str(response.body):
                raise ApiError(str(response.body), meta=response.meta, body=response.body)
        self._index_ready = True

    # -- writing
    def _bulk(self, actions: Iterable[dict], *, refresh) -> None:
        helpers.bulk(self.client, actions, chunk_size=BULK_CHUNK, refresh=refresh, ignore_status=(404,))

    @staticmethod
    def _index_actions(documents: Iterable[ListingDocument], index: str) -> Iterable[dict]:
        return ({"_op_type": "index", "_index": index, "_id": d.listing_id, "_source": source(d)} for d in documents)

    def index_documents(self, documents: Sequence[ListingDocument]) -> None:
        if not documents:
            return
        self.ensure_index()
        self._bulk(self._index_actions(documents, self.alias), refresh=self.refresh)

    def remove_listings(self, listing_ids: Iterable[int]) -> None:
        listing_ids = list(listing_ids)
        if not listing_ids:
            return
        self.ensure_index()
        self._bulk(({"_op_type": "delete", "_index": self.alias, "_id": pk} for pk in listing_ids),
                   refresh=self.refresh)

    def clear(self) -> None:
        self.ensure_index()
        self._search().query("match_all").params(refresh=True, conflicts="proceed").delete()

    def rebuild(self, *, chunk_size: int = 500, progress: Callable[[int], None] | None = None,
                workers: int = 1) -> RebuildResult:
        """Build a new index from the database, swap the alias to it atomically, drop the old one.

        One process (``workers`` is ignored): the engine analyses the text, so a document costs little here."""
        self.ensure_index()
        started = timezone.now()
        old = self.alias_indices()
        new = self._new_index_name()
        self._create_building_index(new)
        indexed = 0
        try:
            for documents in document_chunks(chunk_size):
                self._bulk(self._index_actions(documents, new), refresh=False)
                indexed += len(documents)
                forget_debug_queries()
                if progress:
                    progress(len(documents))
            self.client.indices.put_settings(index=new, settings={"refresh_interval": None,
                                                                   "number_of_replicas": self.replicas})
            self.client.indices.refresh(index=new)
        except BaseException:
            self.client.options(ignore_status=404).indices.delete(index=new)
            raise
        removed = len(self._ids(old) - self._ids([new])) if old else 0
        actions = [{"remove": {"index": name, "alias": self.alias}} for name in old]
        self.client.indices.update_aliases(actions=[*actions, {"add": {"index": new, "alias": self.alias}}])
        self._replay_changes_since(started - REPLAY_MARGIN)
        for name in old:
            self.client.options(ignore_status=404).indices.delete(index=name)
        return RebuildResult(indexed=indexed, removed=removed)

    def _replay_changes_since(self, moment: dt.datetime) -> None:
        """Changes pushed to the old index while the new one was built: apply them to the new one."""
        if changed := listings_changed_since(moment):
            self.index_listing_ids(changed)

    def _ids(self, indices: list[str]) -> set[int]:
        scan = self._search(",".join(indices)).source(False).params(size=SCAN_SIZE).scan()
        return {int(hit.meta.id) for hit in scan}

    # -- reading
    def _search(self, index: str | None = None) -> Search:
        """A request on the alias (or on ``index``) through this backend's client."""
        return Search(using=self.client, index=index or self.alias)

    def indexed_checksums(self) -> dict[int, str]:
        self.ensure_index()
        scan = self._search().source(["checksum"]).params(size=SCAN_SIZE).scan()
        return {int(hit.meta.id): hit.checksum for hit in scan}

    def search_request(self, query: SearchQuery) -> tuple[ElasticsearchQueryCompiler, Search]:
        """The compiler and request of ``query`` (the benchmark times the raw request with its body)."""
        compiler = ElasticsearchQueryCompiler(query, timezone.localdate())
        return compiler, compiler.request(self._search())

    @_reading
    def search(self, query: SearchQuery) -> SearchPage:
        self.ensure_index()
        compiler, request = self.search_request(query)
        return compiler.page(request.execute())

    @_reading
    def suggestion_rows(self, prefix: str, limit: int) -> list[tuple[str, str, str]]:
        self.ensure_index()
        include = LUCENE_REGEX_SPECIAL.sub(r"\\\1", prefix) + ".*"
        request = self._search().extra(size=0).query("prefix", suggest=prefix)
        request.aggs.bucket("suggestions", "terms", field="suggest", include=include, size=limit, order={"_key": "asc"})
        rows = [bucket.key.split(SEPARATOR, 2) for bucket in request.execute().aggregations.suggestions.buckets]
        return [tuple(row) for row in rows if len(row) == 3]

    @_reading
    def similar_to(self, document: ListingDocument, *, limit: int) -> list[SearchHit]:
        self.ensure_index()
        texts = document.texts
        like = normalise("\n".join([*texts["title"], *texts["body"]]))[:SIMILAR_TEXT_CHARS]
        request = (self._search().extra(size=limit).source(HIT_SOURCE)
                   .query("more_like_this", fields=["title_text", "body_text"], like=like, min_term_freq=1,
                          min_doc_freq=2, max_query_terms=25, minimum_should_match="10%")
                   .exclude("ids", values=[str(document.listing_id)])
                   .sort({"_score": {"order": "desc"}}, {"listing_id": {"order": "desc"}}))
        return [hit_from_source(hit.to_dict(), hit.meta.score, []) for hit in request.execute()]
