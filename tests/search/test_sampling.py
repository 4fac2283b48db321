"""Words found in very many listings: counts estimated from a sample of the entries, exact otherwise
(search/backends/database/sampling.py), on PostgreSQL and SQLite alike. The catalogue is small, so the tests
lower the threshold that turns sampling on, and give the estimate of matches the true count."""

import pytest
from django.db import connection
from django.utils import timezone

from search.backends import SearchQuery
from search.backends.database import sampling
from search.backends.database.compiler import EntryQueryCompiler
from search.models import SearchEntry

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's sample marks and planner")
SHARDS = 4


def test_the_sample_is_the_power_of_two_that_leaves_about_the_threshold():
    above = sampling.ESTIMATE_ABOVE
    assert [sampling.shards_for(n) for n in (0, above, above + 1, 2 * above, 2 * above + 1, 10 ** 9)] == [
        1, 1, 2, 2, 4, sampling.SHARDS]


@pytest.fixture
def sampled(backend, catalogue, monkeypatch):
    """Searches of more than 2 matches sample 1 entry in 4 (35 listings); 2 sampled hits are enough."""
    monkeypatch.setattr(sampling, "ESTIMATE_ABOVE", 35 // SHARDS + 1)
    monkeypatch.setattr(sampling, "MIN_SAMPLED_HITS", 2)
    if backend.full_text.samples:
        monkeypatch.setattr(type(backend.full_text), "estimated_matches", lambda self, expression: 35.0)
    return backend


def matches(backend, query: SearchQuery) -> list[int]:
    """Ids of the entries matching the query, counted exactly (filters included)."""
    return list(EntryQueryCompiler(query, backend.full_text, timezone.localdate()).entries().values_list("pk", flat=True))


def test_a_search_of_very_many_matches_counts_a_sample_times_the_shards(sampled):
    query = SearchQuery(text="一种")
    found = matches(sampled, query)
    sample = [pk for pk in found if pk % SHARDS == 0]
    assert len(found) > len(sample) >= 2
    page = sampled.search(query)
    assert page.estimated and page.total == len(sample) * SHARDS
    modes = SearchEntry.objects.filter(pk__in=sample).values_list("mode", flat=True)
    assert {v.value: v.count for v in page.facets["mode"]} == {m: list(modes).count(m) * SHARDS for m in set(modes)}
    exact = sampled.search(SearchQuery(text="隔膜"))  # 3 matches: too few to sample
    assert not exact.estimated and exact.total == len(matches(sampled, SearchQuery(text="隔膜")))


def test_relevance_pages_rank_the_sample_then_the_others_newest_first_each_once(sampled):
    query = dict(text="一种", page_size=3)
    found = matches(sampled, SearchQuery(text="一种"))
    sample = {pk for pk in found if pk % SHARDS == 0}
    first = sampled.search(SearchQuery(**query))
    pages = [first] + [sampled.search(SearchQuery(**query, page=n)) for n in range(2, first.num_pages + 1)]
    shown = [hit.listing_id for page in pages for hit in page.hits]
    assert len(shown) == len(set(shown)) and set(shown) <= set(found)
    assert set(shown[:len(sample)]) == sample  # the sample first, ranked
    scores = [hit.score for page in pages for hit in page.hits][:len(sample)]
    assert scores == sorted(scores, reverse=True)
    rest = shown[len(sample):]
    newest = list(SearchEntry.objects.filter(pk__in=rest).order_by("-published_at", "-pk").values_list("pk", flat=True))
    assert rest == newest


@pytest.mark.parametrize("sort", ["relevance", "newest"])
def test_paging_an_estimated_search_reaches_every_match_however_low_the_estimate(sampled, monkeypatch, client, sort):
    """The pages go on while hits remain: an estimate below the true count hides none of them."""
    original = EntryQueryCompiler.total_and_facets

    def low(self):
        total, facets = original(self)
        return total // 3, facets
    monkeypatch.setattr(EntryQueryCompiler, "total_and_facets", low)
    found = matches(sampled, SearchQuery(text="一种"))
    shown, page = [], None
    for number in range(1, 100):
        page = sampled.search(SearchQuery(text="一种", page=number, page_size=4, sort=sort))
        assert page.estimated and page.total < len(found)
        shown += [hit.listing_id for hit in page.hits]
        if not page.has_next:
            break
    assert sorted(shown) == sorted(found)  # each once
    assert page.num_pages == page.page
    api = client.get("/api/v1/search/listings/", {"q": "一种", "page_size": 4}).json()
    assert api["has_next"] is True and api["total_estimated"] is True
    assert len(found) > 20  # more than the page's first page
    html = client.get("/search/", {"q": "一种"}).content.decode()
    assert "下一页" in html and 'aria-current="page">1<' in html and ">2</a>" not in html  # no page number ahead


def test_pages_in_another_order_are_exact(sampled):
    query = SearchQuery(text="一种", sort="price_asc", page_size=50)
    page = sampled.search(query)
    assert page.estimated
    exact = (SearchEntry.objects.filter(pk__in=matches(sampled, query))
             .order_by("asking_price", "-published_at", "-pk").values_list("pk", flat=True))
    priced = [pk for pk in exact if SearchEntry.objects.get(pk=pk).asking_price is not None]
    assert [hit.listing_id for hit in page.hits][:len(priced)] == priced


def test_too_few_sampled_hits_count_the_total_exactly_and_estimate_the_other_facets(sampled, monkeypatch):
    monkeypatch.setattr(sampling, "MIN_SAMPLED_HITS", 10 ** 6)
    plain = sampled.search(SearchQuery(text="一种"))
    assert not plain.estimated and plain.total == len(matches(sampled, SearchQuery(text="一种")))
    query = SearchQuery(text="一种", city=("3301",))
    filtered = sampled.search(query)
    found = matches(sampled, query)
    assert filtered.total == len(found) and {hit.listing_id for hit in filtered.hits} == set(found)
    assert filtered.estimated  # the city facet counts the other cities: from the sample
    # the total is exact, so it ends the pages (nothing is looked up past it)
    assert filtered.more is None and filtered.has_next is (len(found) > query.page_size)
    cities = {v.value: v.count for v in filtered.facets["city"]}
    assert all(count % SHARDS == 0 for count in cities.values())
    modes = {v.value: v.count for v in filtered.facets["mode"]}  # counted with the city filter: exact
    assert sum(modes.values()) == len(found)


@postgres_only
def test_every_entry_carries_the_marks_of_its_samples_which_no_word_matches(backend, catalogue):
    with connection.cursor() as cursor:
        cursor.execute("SELECT listing_id, ARRAY(SELECT lexeme FROM unnest(search_vector) WHERE lexeme LIKE '§%%' "
                       "ORDER BY length(lexeme), lexeme) FROM search_searchentry")
        marks = dict(cursor.fetchall())
        cursor.execute("SELECT to_tsquery('simple', '§2')::text")
        parsed = cursor.fetchone()[0]
    assert marks and all(marks[pk] == [f"§{k}" for k in (2, 4, 8, 16, 32, 64) if pk % k == 0] for pk in marks)
    assert parsed == "'2'"  # a typed mark is only its digits: the marks are out of reach of queries
    estimate = backend.full_text.estimated_matches(backend.full_text.expression(SearchQuery(text="一种").words))
    assert estimate > 0


@postgres_only
def test_a_phrase_is_estimated_no_lower_than_its_matches_and_weighs_more_per_match(backend, catalogue):
    """Left alone, the planner multiplies a word's bigram frequencies as if they were independent, estimates a
    common word as rare, and the search then confirms every match's phrase without sampling."""
    from search.backends.database.postgres import PHRASE_COST

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE search_searchentry")
    phrase = EntryQueryCompiler(SearchQuery(text="用寿命"), backend.full_text, timezone.localdate())
    found = len(matches(backend, SearchQuery(text="用寿命")))  # 5 listings; the planner alone says 1
    assert found == 5 and backend.full_text.estimated_matches(phrase.match_expression) >= found
    token = EntryQueryCompiler(SearchQuery(text="隔膜"), backend.full_text, timezone.localdate())
    assert (phrase.match_cost, token.match_cost) == (PHRASE_COST, 1)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5's own count")
def test_sqlite_knows_how_many_entries_a_word_matches_before_reading_any(backend, catalogue):
    compiler = EntryQueryCompiler(SearchQuery(text="一种"), backend.full_text, timezone.localdate())
    assert backend.full_text.estimated_matches(compiler.match_expression) == len(
        matches(backend, SearchQuery(text="一种"))) > 9


def test_the_api_and_the_page_say_when_counts_are_estimates(sampled, client):
    response = client.get("/api/v1/search/listings/", {"q": "一种"})
    assert response.status_code == 200 and response.json()["total_estimated"] is True
    assert client.get("/api/v1/search/listings/", {"q": "隔膜"}).json()["total_estimated"] is False
    html = client.get("/search/", {"q": "一种"}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "约 " in html and "共 " not in html
