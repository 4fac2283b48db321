"""What only the Elasticsearch backend promises: its index, the compatibility node, an unreachable engine,
the zero-downtime rebuild, the commands on it, and answers equal to the database backend's.

The contract suite (test_backend_contract.py) runs against it as well. These tests run against
osmem-server unless ``ELASTICSEARCH_URL`` names a real server (tests/search/conftest.py).
"""

import os
import socket
import threading
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from elasticsearch import ApiError, Elasticsearch

from market.models import Listing, ListingState
from market.services.listings import listing_publish, listing_withdraw
from search.backends import SearchQuery, get_search_backend, reset_search_backends
from search.backends.elasticsearch.index import ANALYZER, CHAR_ANALYZER
from search.backends.elasticsearch.transport import plain_media_type
from search.models import OutboxEntry
from search.outbox import outbox_push, outbox_sweep
from search.tokenize import RUN_BREAK

from .test_backend_contract import found

OSMEM_ONLY = pytest.mark.skipif(bool(os.environ.get("ELASTICSEARCH_URL")), reason="osmem-server behaviour")


@pytest.fixture
def backend(es_backend):
    """The catalogue fixture indexes into the backend of this module: Elasticsearch."""
    return es_backend


def dead_url() -> str:
    """The address of a port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def analyse(backend, analyzer: str, text: str) -> list[str]:
    response = backend.client.indices.analyze(index=backend.alias, analyzer=analyzer, text=text)
    return [token["token"] for token in response["tokens"]]


# -- the index
def test_the_index_is_versioned_behind_an_alias_without_replicas(es_backend, settings):
    es_backend.ensure_index()
    (index,) = es_backend.alias_indices()
    assert index == f"{settings.SEARCH_INDEX_PREFIX}_listings_v3_initial"
    index_settings = es_backend.client.indices.get_settings(index=index)[index]["settings"]["index"]
    assert str(index_settings["number_of_replicas"]) == "0"


def test_text_is_analysed_into_cjk_bigrams_and_latin_words_split_like_the_database_tokens(es_backend):
    es_backend.ensure_index()
    # every separator becomes the run break: no phrase spans it (search/tokenize.py)
    b = RUN_BREAK
    assert analyse(es_backend, ANALYZER, "锂电池隔膜，ＬＥＤ灯 3.5V LiFePO4/C") == [
        "锂电", "电池", "池隔", "隔膜", b, "led", "灯", b, "3", b, "5v", b, "lifepo4", b, "c"]
    assert analyse(es_backend, CHAR_ANALYZER, "锂电池") == ["锂", "电", "池"]


def test_the_compatibility_node_sends_plain_media_types():
    assert plain_media_type("application/vnd.elasticsearch+json; compatible-with=8") == "application/json"
    assert plain_media_type("application/vnd.elasticsearch+x-ndjson; compatible-with=8") == "application/x-ndjson"
    assert plain_media_type("text/plain") == "text/plain"


@OSMEM_ONLY
def test_osmem_refuses_versioned_media_types_without_the_node(es_backend, settings):
    es_backend.ensure_index()
    plain_client = Elasticsearch(settings.ELASTICSEARCH_URL)
    with pytest.raises(ApiError) as refused:
        plain_client.search(index=es_backend.alias, query={"match_all": {}})
    assert refused.value.meta.status == 406
    assert es_backend.search(SearchQuery()).total == 0  # the same request through the node


# -- an unreachable engine
def test_writes_succeed_while_the_engine_is_down_and_the_index_catches_up(
        es_backend, catalogue, settings, staff, eager_tasks, django_capture_on_commit_callbacks):
    separator = catalogue.named["锂电池隔膜"]
    submitted = next(item for item in catalogue.hidden if item.state == ListingState.SUBMITTED)
    live_url = settings.ELASTICSEARCH_URL
    settings.ELASTICSEARCH_URL = dead_url()  # the engine stops answering
    reset_search_backends()
    with django_capture_on_commit_callbacks(execute=True):
        listing_withdraw(listing_id=separator.pk, actor=separator.created_by)
    with django_capture_on_commit_callbacks(execute=True):
        listing_publish(listing_id=submitted.pk, actor=staff)
    assert Listing.objects.get(pk=separator.pk).state == ListingState.WITHDRAWN  # the writes committed
    assert Listing.objects.get(pk=submitted.pk).state == ListingState.PUBLISHED
    pending = OutboxEntry.objects.filter(processed_at__isnull=True).order_by("pk")
    assert [row.listing_id for row in pending] == [separator.pk, submitted.pk]
    assert all(row.attempts >= 1 and "ConnectionError" in row.last_error for row in pending)
    assert outbox_sweep().failed == 2  # the beat sweep while it is still down: nothing lost

    settings.ELASTICSEARCH_URL = live_url  # the engine is back
    reset_search_backends()
    backend = get_search_backend()
    assert separator.pk in found(backend, text="隔膜")  # still the old state
    assert outbox_sweep().pushed == 2
    assert separator.pk not in found(backend, text="隔膜")
    assert submitted.pk in found(backend, text="热管理")
    assert not OutboxEntry.objects.filter(processed_at__isnull=True).exists()
    assert outbox_push().pushed == 0  # nothing left: a second push does nothing
    out = StringIO()
    call_command("search_check", stdout=out, stderr=StringIO())  # raises CommandError on any problem
    assert out.getvalue().splitlines()[-1] == "索引与数据库一致 / The index matches the database"


def test_a_non_transient_error_is_raised_and_the_rows_stay_pending(es_backend, catalogue, monkeypatch):
    OutboxEntry.objects.create(listing_id=catalogue.named["锂电池隔膜"].pk)

    def broken(listing_ids):
        raise TypeError("a bug, not an outage")

    monkeypatch.setattr(es_backend, "index_listing_ids", broken)
    with pytest.raises(TypeError):
        outbox_push()
    row = OutboxEntry.objects.get()
    assert (row.processed_at, row.attempts) == (None, 0)


# -- zero-downtime rebuild
def test_rebuild_swaps_the_alias_while_searches_keep_finding_everything(es_backend, catalogue, eager_tasks,
                                                                        django_capture_on_commit_callbacks):
    old_indices = es_backend.alias_indices()
    totals: list[int] = []
    searched = threading.Event()
    done = threading.Event()

    def searcher():
        while not done.is_set():
            totals.append(es_backend.search(SearchQuery(with_facets=False)).total)
            searched.set()

    def progress(count):
        # Each chunk waits for a search against the alias while the new index is being filled.
        searched.clear()
        assert searched.wait(5)
        if len(chunks) == 1:  # a change while the rebuild runs, to a listing it has already copied
            with django_capture_on_commit_callbacks(execute=True):
                listing = catalogue.named["kpp-test-0000"]
                listing.withdraw()
                listing.save()
                from search.indexing import listing_changed

                listing_changed(listing.pk)
        chunks.append(count)

    chunks: list[int] = []
    thread = threading.Thread(target=searcher)
    thread.start()
    try:
        result = es_backend.rebuild(chunk_size=10, progress=progress)
    finally:
        done.set()
        thread.join(10)
    assert chunks == [10, 10, 10, 5]
    assert (result.indexed, result.removed) == (35, 0)
    assert len(totals) >= 4 and set(totals) <= {34, 35}  # never an empty or partial index
    (new_index,) = es_backend.alias_indices()
    assert new_index not in old_indices
    assert not es_backend.client.indices.exists(index=old_indices[0])
    # The change made meanwhile was replayed on the new index.
    assert found(es_backend) == catalogue.ids() - {catalogue.named["kpp-test-0000"].pk}


def test_a_failed_rebuild_keeps_the_old_index(es_backend, catalogue, monkeypatch):
    old_indices = es_backend.alias_indices()

    def failing(count):
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        es_backend.rebuild(chunk_size=10, progress=failing)
    assert es_backend.alias_indices() == old_indices
    assert es_backend.client.indices.get(index=f"{es_backend.alias}_v*").keys() == set(old_indices)
    assert found(es_backend) == catalogue.ids()


# -- commands
def test_reindex_command_builds_a_new_index_with_a_progress_bar(es_backend, catalogue):
    out, err = StringIO(), StringIO()
    call_command("search_reindex", "--chunk-size", "10", stdout=out, stderr=err)
    assert out.getvalue() == "已索引 35 条挂牌，移除 0 条 / Indexed 35 listings, removed 0 (elasticsearch)\n"
    assert "35/35" in err.getvalue()
    assert found(es_backend) == catalogue.ids()


def test_check_command_reports_and_fixes_the_elasticsearch_index(es_backend, catalogue):
    missing = catalogue.named["锂电池隔膜"].pk
    es_backend.remove_listing(missing)
    Listing.objects.filter(pk=catalogue.named["醋酸纤维素膜"].pk).update(state=ListingState.WITHDRAWN)
    out = StringIO()
    with pytest.raises(CommandError, match="发现 2 个问题 / 2 problems found"):
        call_command("search_check", stdout=out, stderr=StringIO())
    assert f"挂牌 listing #{missing} 已发布但不在索引中" in out.getvalue()
    out = StringIO()
    call_command("search_check", "--fix", stdout=out, stderr=StringIO())
    assert out.getvalue().splitlines()[-1] == "已修复 2 个问题 / Fixed 2 problems"
    assert set(es_backend.indexed_checksums()) == catalogue.ids() - {catalogue.named["醋酸纤维素膜"].pk}


# -- the same answers as the database backend
AGREEMENT_QUERIES = [
    {"text": "电池"}, {"text": "纤维素"}, {"text": "制备 方法"}, {"text": "led"}, {"text": "H01M"},
    {"text": "鹿城装备"}, {"text": "装置", "city": "3301"}, {"mode": ("transfer", "pledge")},
    {"kind": "utility_model"}, {"industry": "new_materials", "legal_status": "granted"},
    {"price_min": Decimal("100000"), "price_max": Decimal("2500000")}, {"remaining_years_min": Decimal("6")},
    {"ipc_prefix": "H01M50"}, {"text": "方法", "sort": "price_asc", "page": 2, "page_size": 7},
    {"sort": "price_desc", "page": 3, "page_size": 5}, {"sort": "remaining_life"}, {"sort": "newest", "page": 4},
    {"text": "电池", "mode": "transfer", "city": "3301", "price_min": Decimal("100000")},
]


def page_summary(page, *, ordered: bool) -> tuple:
    hits = [(hit.listing_id, hit.title, hit.asking_price, hit.highlights) for hit in page.hits]
    facets = {name: [(v.value, v.count) for v in values] for name, values in page.facets.items()}
    return page.total, hits if ordered else sorted(hits, key=lambda hit: hit[0]), facets


def test_the_database_and_elasticsearch_backends_give_the_same_answers(es_backend, catalogue):
    """Same documents in, same hits, totals, facets, highlights and suggestions out. Pages sorted by
    relevance hold the same hits, in an order that may differ (bm25 over bigrams vs jieba words)."""
    database = get_search_backend("database")
    database.clear()
    database.index_listings(catalogue.listings + catalogue.hidden)
    for fields in AGREEMENT_QUERIES:
        query = SearchQuery(**fields)
        ordered = query.effective_sort != "relevance"
        if not ordered:  # compare every hit, whatever its rank
            query = SearchQuery(**{**fields, "page_size": 100})
        assert page_summary(es_backend.search(query), ordered=ordered) == page_summary(
            database.search(query), ordered=ordered), fields
    for prefix in ["锂电", "电池", "之江", "一种", "h01", "醋酸", "光伏"]:
        assert es_backend.suggest(prefix) == database.suggest(prefix), prefix


def test_a_listing_page_renders_without_similar_listings_while_the_engine_is_down(es_backend, catalogue, settings):
    from django.core.cache import cache
    from django.test import Client

    listing = catalogue.named["锂电池隔膜"]
    assert "相似挂牌" in Client().get(f"/listings/{listing.pk}/").content.decode()
    settings.ELASTICSEARCH_URL = dead_url()
    reset_search_backends()
    assert "相似挂牌" in Client().get(f"/listings/{listing.pk}/").content.decode()  # kept from before (similar.py)
    cache.clear()
    response = Client().get(f"/listings/{listing.pk}/")
    assert response.status_code == 200
    assert "相似挂牌" not in response.content.decode()


def test_the_pages_and_the_api_serve_from_elasticsearch(es_backend, catalogue):
    from django.test import Client

    client = Client()
    html = client.get("/search/", {"q": "隔膜"}).content.decode()
    assert "一种锂<mark>电池</mark>隔膜" not in html and "<mark>隔膜</mark>" in html
    assert f'href="/listings/{catalogue.named["锂电池隔膜"].pk}/"' in html
    body = client.get("/api/v1/search/listings/", {"q": "隔膜"}).json()
    assert body["total"] == len(catalogue.containing("隔膜")) == 3
    suggestions = client.get("/search/suggest/", {"q": "锂电"}).content.decode()
    assert "一种锂电池隔膜及其制备方法" in suggestions
