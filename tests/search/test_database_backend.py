"""What only the database backend promises: its tables, its query budget, its loading and its triggers."""

import dataclasses
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from search.backends import SearchQuery, get_search_backend, reset_search_backends
from search.backends.database import DatabaseSearchBackend
from search.backends.database.compiler import EntryQueryCompiler
from search.backends.database.expressions import IntegersIn
from search.documents import documents_for
from search.indexing import organisation_changed, patent_changed
from search.models import SearchEntry, SearchSuggestion, SearchTerm
from search.schema import facet_bits, facet_mask

from ..factories import ListingFactory

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite FTS5 table")
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL tsvector column")


def test_a_search_costs_the_same_queries_however_many_hits(backend, catalogue, django_assert_num_queries):
    # the total and every facet in one aggregate, then the page: never a query per hit or per facet. A text
    # search first asks how many entries its words match (sampling.py: the planner, or FTS5's count).
    text = 3
    for page_size in (1, 10):
        with django_assert_num_queries(text):
            page = backend.search(SearchQuery(text="电池", page_size=page_size))
        assert len(page.hits) == page_size
    # a sorted page on SQLite also reads how many entries there are (whether to walk its order's index)
    walk = 1 if connection.vendor == "sqlite" else 0
    with django_assert_num_queries(text + walk):
        backend.search(SearchQuery(text="电池", sort="price_asc", page_size=20, with_facets=False))
    with django_assert_num_queries(3 + walk):  # browsing: whether the facet cells are today's, their aggregate, the page
        page = backend.search(SearchQuery(page_size=10))
    assert len(page.hits) == 10 and page.total == 35


def test_indexing_costs_the_same_queries_however_many_listings(backend, catalogue, django_assert_max_num_queries):
    backend.clear()
    # listings, patents, owners, savepoint + release, entries locked, upsert, terms and suggestions delete +
    # insert (the suggestions in two batches on SQLite), facet-cell state locked + cells upserted: never a
    # query per listing.
    with django_assert_max_num_queries(14):
        backend.index_listing_ids(catalogue.ids())
    assert len(backend.indexed_checksums()) == 35


def test_entries_hold_the_filter_values_of_every_patent(backend, catalogue):
    package = catalogue.named["专利包"]
    entry = SearchEntry.objects.get(pk=package.pk)
    assert (entry.mode, entry.city, entry.holder) == ("transfer", "3302", "宁波甬港机械有限公司")
    assert entry.expiry_date == min(p.expiry_date for p in package.patents.all())
    assert entry.kinds_mask == facet_mask("kind", ["invention", "utility_model"])
    assert entry.industries_mask == facet_mask("industry", ["new_materials", "other"])
    assert entry.legal_statuses_mask == facet_mask("legal_status", ["granted"])
    terms = set(SearchTerm.objects.filter(entry=entry).values_list("field", "value"))
    assert terms == {
        ("ipc", "H"), ("ipc", "H01"), ("ipc", "H01M"), ("ipc", "H01M50"), ("ipc", "H01M50/20"),
        ("ipc", "H02"), ("ipc", "H02S"), ("ipc", "H02S40"), ("ipc", "H02S40/10"),
    }


def test_deleting_a_listing_cascades_to_its_entry_and_full_text_row(backend, catalogue):
    listing = ListingFactory(title="一种可降解电池外壳")
    backend.index_listings([listing])
    assert backend.search(SearchQuery(text="可降解")).total == 1
    listing.delete()
    assert not SearchEntry.objects.filter(pk=listing.pk).exists()
    assert not SearchTerm.objects.filter(entry_id=listing.pk).exists()
    assert backend.search(SearchQuery(text="可降解")).total == 0


@sqlite_only
def test_sqlite_full_text_table_follows_the_entries(backend, catalogue):
    def fts_count(token):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM search_searchentry_fts WHERE search_searchentry_fts MATCH %s",
                           [f'"{token}"'])
            return cursor.fetchone()[0]

    assert fts_count("隔膜") == 3
    backend.remove_listing(catalogue.named["锂电池隔膜"].pk)
    assert fts_count("隔膜") == 2
    backend.index_listings(catalogue.listings)  # upserts: the update trigger replaces the rows
    assert fts_count("隔膜") == 3
    with connection.cursor() as cursor:  # raises if the FTS index disagrees with its content table
        cursor.execute("INSERT INTO search_searchentry_fts(search_searchentry_fts) VALUES ('integrity-check')")


@postgres_only
def test_postgres_vector_column_is_generated_and_indexed(backend, catalogue):
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM search_searchentry WHERE search_vector @@ to_tsquery('simple', '隔膜')")
        assert cursor.fetchone()[0] == 3
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'search_searchentry_vector'")
        assert "gin (search_vector)" in cursor.fetchone()[0]


def test_backends_are_built_once_per_process(settings):
    reset_search_backends()
    assert get_search_backend() is get_search_backend() is get_search_backend("database")
    assert isinstance(get_search_backend(), DatabaseSearchBackend)


def test_backend_setting_takes_a_dict_with_options(settings):
    settings.SEARCH_BACKEND = {"BACKEND": "search.backends.database.DatabaseSearchBackend", "SNIPPET": 60}
    reset_search_backends()
    try:
        backend = get_search_backend()
        assert backend.options == {"snippet": 60}
        assert get_search_backend("database").options == {}  # named explicitly: no options
    finally:
        reset_search_backends()


def test_an_unknown_backend_is_a_configuration_error(settings):
    settings.SEARCH_BACKEND = "solr"
    reset_search_backends()
    try:
        with pytest.raises(ImproperlyConfigured, match="solr"):
            get_search_backend()
    finally:
        reset_search_backends()


def test_an_unsupported_database_says_so(db, monkeypatch):
    monkeypatch.setattr(DatabaseSearchBackend, "full_text_classes", {})
    with pytest.raises(NotImplementedError, match="supports SQLite and PostgreSQL"):
        DatabaseSearchBackend().search(SearchQuery(text="电池"))


def test_patent_and_organisation_changes_reindex_their_published_listings(
        backend, catalogue, eager_tasks, django_capture_on_commit_callbacks):
    listing = catalogue.named["锂电池隔膜"]
    patent = listing.patents.get()
    with django_capture_on_commit_callbacks(execute=True):
        patent.title = "一种陶瓷涂覆隔膜"
        patent.save()
        patent_changed(patent.pk)
    assert [h.listing_id for h in backend.search(SearchQuery(text="陶瓷涂覆")).hits] == [listing.pk]
    organisation = listing.organisation
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        organisation.city = "3307"
        organisation.save()
        organisation_changed(organisation.pk)
    assert len(callbacks) == 1  # one task for all its listings
    assert backend.search(SearchQuery(city="金华", with_facets=False)).total == len(
        catalogue.ids(lambda item: item.organisation_id == organisation.pk))


def test_facet_bits_follow_the_order_of_the_choices():
    assert facet_bits("kind") == {"invention": 1, "utility_model": 2, "design": 4, "trademark": 8}
    assert facet_mask("kind", ["design", "invention", "unknown"]) == 5


PAGE_PLANS = [
    {"q": "电池", "sort": "price_asc"}, {"q": "电池", "sort": "price_desc", "page": "2", "page_size": "3"},
    {"q": "方法", "sort": "newest"}, {"q": "方法", "sort": "remaining_life", "mode": "licence,transfer"},
    {"q": "装置", "sort": "royalty"}, {"q": "制备", "sort": "price_asc", "city": "3301,3302", "page_size": "4"},
]


@pytest.mark.parametrize("params", PAGE_PLANS)
def test_sorting_the_matches_gives_the_page_walking_the_sort_index_gives(backend, catalogue, params):
    """Few text matches are sorted rather than found along the sort's index (EntryQueryCompiler.page): the
    page, nulls and ties included, must not depend on which the search does."""
    query = SearchQuery.from_params(params)
    compiler = EntryQueryCompiler(query, backend.full_text, timezone.localdate())
    total = compiler.total()
    assert total > query.offset
    compiler.counted_page = None  # the page's own statement (the counted page: the next test)
    compiler.sizes = None  # unknown: the planner's own plan
    walked = [entry.pk for entry in compiler.page(total)]
    compiler.sizes = (total, 1e9)  # a few matches among very many entries: sort them
    assert compiler._sort_the_matches(total)
    assert [entry.pk for entry in compiler.page(total)] == walked and walked


COUNTED_PAGES = [*PAGE_PLANS, {"q": "电池"}, {"q": "一种 装置", "page": "2", "page_size": "5"},
                 {"q": "纤维素", "sort": "newest"}, {"q": "方法", "city": "3301", "sort": "relevance"},
                 {"q": "方法", "page": "40"}, {"q": "装置", "ipc_prefix": "H01M", "sort": "royalty"}]


@pytest.mark.parametrize("params", COUNTED_PAGES)
def test_the_page_collected_by_the_count_of_every_hit_is_the_page_of_its_own_statement(backend, catalogue, params):
    """An exactly counted text search takes its page's ids from the pass that counts the hits (PostgreSQL's ordered
    aggregate; SQLite has none): the same hits in the same order, scores included, as the page's own statement."""
    query = SearchQuery.from_params(params)
    compiler = EntryQueryCompiler(query, backend.full_text, timezone.localdate())
    total, _ = compiler.total_and_facets()
    if connection.vendor != "postgresql":
        assert compiler.counted_page is None
        return
    assert compiler.counted_page is not None
    with CaptureQueriesContext(connection) as captured:
        counted = [(entry.pk, getattr(entry, "score", None)) for entry in compiler.page(total)]
    assert len(captured) <= 1  # the hits' fields, by id (none past the last hit)
    assert len(counted) == max(0, min(query.page_size, total - query.offset))
    compiler.counted_page = None
    assert counted == [(entry.pk, getattr(entry, "score", None)) for entry in compiler.page(total)]


@postgres_only
def test_a_text_search_sorts_few_matches_and_walks_the_index_for_many(backend, catalogue):
    backend.full_text.analyze()  # the planner's entry count, which the choice weighs
    few = EntryQueryCompiler(SearchQuery.from_params({"q": "隔膜", "sort": "price_asc"}), backend.full_text,
                             timezone.localdate())
    total = few.total()
    assert few.sizes == (3, 35) and few._sort_the_matches(total)
    few.counted_page = None  # the page's own statement
    with CaptureQueriesContext(connection) as captured:
        few.page(total)
    assert '"asking_price" + 0' in captured[-1]["sql"]
    # every entry matches and the page holds one: walking passes about one entry, sorting reads 35
    many = EntryQueryCompiler(SearchQuery.from_params({"q": "一种", "sort": "price_asc", "page_size": "1"}),
                              backend.full_text, timezone.localdate())
    total = many.total()
    assert many.sizes[0] == total and not many._sort_the_matches(total)


@postgres_only
@pytest.mark.parametrize("text", ["电池", "方法", "一种 装置", "隔膜"])
def test_ranking_every_counted_match_equals_ranking_the_newest_window(backend, catalogue, text, monkeypatch):
    from search.backends.database import postgres

    query = SearchQuery(text=text, page_size=50)
    compiler = EntryQueryCompiler(query, backend.full_text, timezone.localdate())
    total = compiler.total()
    compiler.counted_page = None  # the page's own statement
    ranked = [(e.pk, e.score) for e in compiler.page(total)]  # every match ranked where it is found
    assert ranked == [(e.pk, e.score) for e in compiler.page(None)]  # uncounted: through the window
    monkeypatch.setattr(postgres, "RANK_WINDOW", 2)  # more matches than the window: the newest are ranked
    newest = {e.pk for e in compiler.page(total)}
    assert total <= 2 or len(newest) == 2


@postgres_only
def test_postgres_entry_indexes_are_the_sort_and_facet_ones(db):
    """Every index of the entry slows each write (0011): the single-column ones the sort indexes cover are gone;
    the city's and the masks' serve exact counts within a sampled search (0012, 0013)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'search_searchentry'")
        names = {row[0] for row in cursor.fetchall()}
    assert names == {"search_searchentry_pkey", "search_searchentry_vector", "search_searchentry_royalty_fa0d9fd8",
                     "search_entry_facets", "search_entry_newest", "search_entry_price_asc", "search_entry_price_desc",
                     "search_entry_remaining", "search_entry_city", "search_entry_kinds_mask",
                     "search_entry_industries_mask", "search_entry_legal_statuses_mask"}


def test_an_ipc_prefix_is_found_by_its_index_token_and_confirmed_by_the_term_table(backend, catalogue):
    """The full-text index narrows an IPC prefix down by its token (compiler: ``ipc_expression``); a text
    that merely mentions the code holds that token too, and must not pass the filter."""
    listing = catalogue.named["锂电池隔膜"]  # classified H01M10/0525
    patent = listing.patents.get()
    patent.abstract += " 参见 E21B43 类的钻井设备。"
    patent.save()
    backend.index_listings([listing])
    assert listing.pk in {h.listing_id for h in backend.search(SearchQuery(text="e21b43", page_size=50)).hits}
    classified = catalogue.ids(lambda item: any(code.startswith("E21B43") for p in item.patents.all()
                                                for code in p.ipc_codes))
    found = backend.search(SearchQuery(ipc_prefix="E21B43", page_size=50))
    assert classified and sorted(h.listing_id for h in found.hits) == sorted(classified) == sorted(set(classified))
    assert found.total == len(classified)
    assert listing.pk not in {h.listing_id for h in found.hits}
    assert backend.search(SearchQuery(text="电池", ipc_prefix="H01M")).total > 0


def test_filling_an_empty_index_deletes_no_rows_and_reindexing_replaces_them(backend, catalogue):
    """Only entries that existed have term and suggestion rows to delete: a rebuild into an empty index
    issues no delete (whose plan, on statistics of empty tables, scanned every row loaded so far)."""
    backend.clear()
    with CaptureQueriesContext(connection) as captured:
        backend.index_listings(catalogue.listings)
    deletes = [q["sql"] for q in captured if q["sql"].startswith("DELETE")]
    assert deletes == []
    # New entries are inserted, not upserted (COPY on PostgreSQL).
    upserts = [q["sql"] for q in captured if q["sql"].startswith('INSERT INTO "search_searchentry"')
               and "ON CONFLICT" in q["sql"]]
    assert upserts == []
    assert SearchEntry.objects.count() == len(catalogue.listings)
    rows = (SearchTerm.objects.count(), SearchSuggestion.objects.count())
    assert all(rows)
    with CaptureQueriesContext(connection) as captured:
        backend.index_listings(catalogue.listings)
    deletes = [q["sql"] for q in captured if q["sql"].startswith("DELETE")]
    assert len(deletes) == 2 and (SearchTerm.objects.count(), SearchSuggestion.objects.count()) == rows


def test_reindexing_an_entry_rewrites_every_column(backend, catalogue):
    listing = catalogue.named["醋酸纤维素膜"]
    [document] = documents_for([listing])
    changed = dataclasses.replace(document, title="一种醋酸纤维素复合膜", royalty=Decimal("8800.00"),
                                  asking_price=Decimal("99000.00"))
    backend.index_documents([changed])
    entry = SearchEntry.objects.get(pk=listing.pk)
    assert (entry.title, entry.royalty, entry.asking_price, entry.checksum) == (
        "一种醋酸纤维素复合膜", Decimal("8800.00"), Decimal("99000.00"), changed.checksum)
    assert listing.pk in {h.listing_id for h in backend.search(SearchQuery(text="复合膜")).hits}


def test_phrases_past_the_last_position_a_tsvector_keeps_are_still_exact(backend):
    """PostgreSQL records word positions up to 16,383: further into a long text a phrase is confirmed in the
    entry's token text (on SQLite there is no such limit). Either way the word is found where it stands,
    and only there."""
    from tests.factories import PatentFactory

    filler = "本发明涉及一种机械结构。" * 1500  # 18,000 characters: past the last position
    whole = ListingFactory(title="一种阀门", patents=[PatentFactory(title="一种阀门", abstract="一种阀门。",
                                                                   claims=filler + "所述阀门为旋转式阀门。")])
    apart = ListingFactory(title="一种弹簧", patents=[PatentFactory(title="一种弹簧", abstract="一种弹簧。",
                                                                   claims=filler + "扭转式弹簧，旋转轴。")])
    backend.index_listings([whole, apart])
    assert SearchEntry.objects.get(pk=whole.pk).token_count > 16_383
    hits = {hit.listing_id for hit in backend.search(SearchQuery(text="旋转式", page_size=100)).hits}
    assert whole.pk in hits and apart.pk not in hits


@postgres_only
@pytest.mark.parametrize("sort", ["relevance", "newest"])
def test_a_phrase_page_confirms_every_candidate_when_the_first_lack_it(backend, monkeypatch, sort):
    """A page of a phrase confirms the phrase of its first candidates only (confirm.py); when too few of them
    hold it, it confirms them all: the page is the same either way."""
    from search.backends.database import confirm

    monkeypatch.setattr(confirm, "SLACK", 0)  # a window of 2 × (offset + page size) candidates
    now = timezone.now()
    holding = [ListingFactory(title=f"旋转式搅拌机{n}", published_at=now - timezone.timedelta(days=10 + n))
               for n in range(3)]
    # newer, and 旋转 and 转式 in each, never side by side: the first candidates newest first
    lacking = [ListingFactory(title=f"扭转式弹簧{n}，旋转轴", published_at=now - timezone.timedelta(days=n))
               for n in range(5)]
    backend.index_listings([*holding, *lacking])
    pages = [backend.search(SearchQuery(text="旋转式", sort=sort, page_size=2, page=n)) for n in (1, 2)]
    assert [page.total for page in pages] == [3, 3]
    assert sorted(hit.listing_id for page in pages for hit in page.hits) == sorted(listing.pk for listing in holding)
    if sort == "newest":
        assert [hit.listing_id for hit in pages[0].hits] == [holding[0].pk, holding[1].pk]


@sqlite_only
def test_a_sorted_page_walks_its_orders_index_when_the_walk_is_short(backend, catalogue):
    """SQLite would find every entry meeting a filter through the filter's index and sort them all (reading
    each row through its overflow pages); the filters are checked on the rows the walk passes instead."""
    query = SearchQuery(remaining_years_min=Decimal(3), sort="newest", page_size=5)
    compiler = EntryQueryCompiler(query, backend.full_text, timezone.localdate())
    total = compiler.total()
    assert backend.full_text.walks_sort_index(total, 5)
    with CaptureQueriesContext(connection) as captured:
        page = backend.search(query)
    sql = next(q["sql"] for q in captured.captured_queries if q["sql"].startswith('SELECT "search_searchentry"."listing_id"'))
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "published_at" in plan and "expiry_date" not in plan
    expected = [e.pk for e in SearchEntry.objects.filter(expiry_date__gte=compiler.conditions()["remaining_years_min"]
                                                          .children[0].rhs).order_by("-published_at", "-pk")[:5]]
    assert [hit.listing_id for hit in page.hits] == expected
    assert not backend.full_text.walks_sort_index(1, 5 * 10 ** 6)  # a rare filter: sorting its few matches
    # A long walk still beats looking up every match of common words by its id when it passes at most half
    # as many rows as the words match (asked only when the walk is long).
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(rowid) FROM search_searchentry_fts")
        entries = cursor.fetchone()[0]
    # total = entries, depth 3,000: the walk passes depth × entries ÷ total = 3,000 rows
    assert backend.full_text.walks_sort_index(entries, 3000, matches=lambda: 6000.0)
    assert not backend.full_text.walks_sort_index(entries, 3000, matches=lambda: 5999.0)
    assert not backend.full_text.walks_sort_index(entries, 3000)
    worded = SearchQuery(text="电池", sort="newest", page_size=5)  # the words' matches probed as the walk passes
    with CaptureQueriesContext(connection) as captured:
        page = backend.search(worded)
    sql = next(q["sql"] for q in captured.captured_queries if q["sql"].startswith('SELECT "search_searchentry"."listing_id"'))
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        assert "USING INDEX search_searchentry_published_at" in " ".join(str(row) for row in cursor.fetchall())
    assert [hit.listing_id for hit in page.hits] == list(
        SearchEntry.objects.filter(pk__in=EntryQueryCompiler(worded, backend.full_text, timezone.localdate())
                                   .entries().values("pk")).order_by("-published_at", "-pk").values_list("pk", flat=True)[:5])


def test_an_integer_list_written_into_the_sql_selects_those_entries_and_an_empty_one_none(backend, catalogue):
    ids = sorted(SearchEntry.objects.values_list("pk", flat=True))[:3]
    assert sorted(SearchEntry.objects.filter(IntegersIn("pk", ids)).values_list("pk", flat=True)) == ids
    assert not SearchEntry.objects.filter(IntegersIn("pk", [])).exists()
