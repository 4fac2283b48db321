"""Facet cells: browsing counts from them exactly what counting every entry gives, through every write."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from search.backends import SearchQuery
from search.backends.database import facet_cells
from search.models import SearchFacetCell, SearchFacetState
from search.schema import PRICE_BUCKETS, expiry_cutoff
from search.tasks import refresh_facet_cells_task

BROWSING = [
    {}, {"mode": "transfer"}, {"city": "3301"}, {"kind": "invention"}, {"industry": "new_materials"},
    {"legal_status": "granted"}, {"price_min": "100000"}, {"price_min": "1000000", "mode": "licence"},
    {"remaining_years_min": "5"}, {"remaining_years_min": "10", "city": "3302,3301"},
    {"mode": "transfer,licence", "kind": "invention", "price_min": "500000", "remaining_years_min": "3"},
    {"sort": "price_asc", "page": "2", "page_size": "5"}, {"page": "40", "page_size": "20"},
    # price ranges between round prices, as the price facet's links ask (a cent below the next edge) or typed
    {"price_max": "1000000"}, {"price_max": "999999.99", "mode": "transfer"},
    {"price_min": "200000", "price_max": "1000000"}, {"price_min": "0", "price_max": "99999.99"},
]


def answer(backend, params: dict) -> tuple:
    page = backend.search(SearchQuery.from_params(params))
    facets = {name: [(v.value, v.count) for v in values] for name, values in page.facets.items()}
    return page.total, facets, [hit.listing_id for hit in page.hits]


def answers(backend) -> list[tuple]:
    return [answer(backend, params) for params in BROWSING]


def counted_live(backend) -> list[tuple]:
    """The same searches counted over every entry (cells not usable while they have no day)."""
    state = SearchFacetState.objects.get(pk=1)
    day, state.day = state.day, None
    state.save()
    try:
        return answers(backend)
    finally:
        state.day = day
        state.save()


def recounted() -> dict[tuple, int]:
    facet_cells.refresh(force=True)
    return cells()


def cells() -> dict[tuple, int]:
    return {tuple(getattr(c, name) for name in facet_cells.CELL_COLUMNS): c.count
            for c in SearchFacetCell.objects.all() if c.count}


def test_browsing_counts_from_the_cells_what_every_entry_gives(backend, catalogue):
    query = SearchQuery.from_params({"mode": "transfer"})
    assert facet_cells.usable(query, timezone.localdate())
    from_cells = answers(backend)
    assert from_cells == counted_live(backend)
    assert from_cells[0][0] == 35 and sum(count for _, count in from_cells[0][1]["mode"]) == 35
    assert sum(SearchFacetCell.objects.values_list("count", flat=True)) == 35
    assert all(facet_cells.usable(SearchQuery.from_params(params), timezone.localdate()) for params in BROWSING)
    # the catalogue has a listing at exactly ¥1,000,000: a ceiling on the edge counts it, a cent below does not
    assert answer(backend, {"price_max": "1000000"})[0] > answer(backend, {"price_max": "999999.99"})[0]


@pytest.mark.parametrize("params", [
    {"q": "电池"}, {"ipc_prefix": "H01M"}, {"price_max": "150000"}, {"price_min": "150000"},
    {"price_min": "40000", "price_max": "120000"},
    {"remaining_years_min": "4"},
])
def test_searches_the_cells_cannot_tell_are_counted_over_the_entries(backend, catalogue, params):
    assert not facet_cells.usable(SearchQuery.from_params(params), timezone.localdate())
    assert answer(backend, params)[0] > 0


def test_cells_of_another_day_are_not_used(backend, catalogue):
    facet_cells.refresh(timezone.localdate() - dt.timedelta(days=1))
    assert not facet_cells.usable(SearchQuery(), timezone.localdate())
    assert answers(backend) == counted_live(backend)


def test_every_write_keeps_the_cells_equal_to_a_recount(backend, catalogue, shared_catalogue):
    _, documents = shared_catalogue
    built = cells()
    assert built == recounted()
    listing = catalogue.named["锂电池隔膜"]
    listing.asking_price = Decimal("6000000")  # another price bucket
    listing.mode = "licence"
    listing.save()
    backend.index_listings([listing])
    backend.index_documents(documents[:5])  # the same documents again: no change
    backend.remove_listings([catalogue.named["分布式调度"].pk, 999_999])  # one indexed, one never was
    after = cells()
    assert after != built and after == recounted()
    assert answers(backend) == counted_live(backend)
    backend.clear()
    assert cells() == {} and answer(backend, {})[0] == 0


def test_remaining_years_buckets_move_with_the_day():
    today = dt.date(2026, 11, 25)
    expiry = expiry_cutoff(Decimal(3), today)  # exactly three years left today
    assert facet_cells.remaining_bucket(expiry, today) == "3_5"
    assert facet_cells.remaining_bucket(expiry, today + dt.timedelta(days=1)) == "lt_3"
    assert facet_cells.remaining_bucket(None, today) == ""
    assert [facet_cells.price_bucket(p) for p in (None, Decimal("99999.99"), Decimal(100_000), Decimal(5_000_000))] \
        == ["negotiable", "lt_100k", "100k_500k", "gte_5m"]


def test_price_classes_split_prices_on_and_between_round_prices():
    assert [facet_cells.price_class(p) for p in (None, Decimal(0), Decimal("0.01"), Decimal("9999.99"),
                                                  Decimal(10_000), Decimal("10000.01"), Decimal(600_000_000))] \
        == ["", "=0", ">0", ">0", "=10000", ">10000", ">500000000"]
    assert facet_cells.price_classes(Decimal(100_000), Decimal("199999.99")) == ["=100000", ">100000"]
    assert facet_cells.price_classes(Decimal(100_000), Decimal(200_000)) == ["=100000", ">100000", "=200000"]
    assert facet_cells.price_classes(None, Decimal("9999.99")) == ["<0", "=0", ">0"]
    assert facet_cells.price_classes(Decimal(500_000_000))[-2:] == ["=500000000", ">500000000"]
    assert facet_cells.price_classes(Decimal(150_000)) is None and facet_cells.price_classes(None, Decimal(1)) is None
    # the price facet's buckets are unions of classes: their counts come from the cells
    for bucket in PRICE_BUCKETS:
        if not bucket.missing:
            upper = None if bucket.upper is None else bucket.upper - facet_cells.CENT
            assert facet_cells.price_classes(bucket.lower, upper), bucket


def test_the_beat_task_recounts_once_the_day_has_changed(backend, catalogue):
    facet_cells.refresh(timezone.localdate() - dt.timedelta(days=1))
    SearchFacetCell.objects.update(count=0)  # what a recount must put right
    assert refresh_facet_cells_task() is True
    assert SearchFacetState.objects.get(pk=1).day == timezone.localdate()
    assert sum(SearchFacetCell.objects.values_list("count", flat=True)) == 35
    assert refresh_facet_cells_task() is False  # already counted today


def test_cells_count_nothing_before_they_are_built(backend, catalogue, shared_catalogue):
    SearchFacetState.objects.filter(pk=1).update(day=None)
    SearchFacetCell.objects.all().delete()
    backend.index_documents(shared_catalogue[1][:3])  # writes while unbuilt leave no partial counts
    assert cells() == {}
    assert facet_cells.refresh() is True and sum(cells().values()) == 35
