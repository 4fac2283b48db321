"""Search can filter open-licence listings and sort them by royalty (what a take-up pays at once)."""

from decimal import Decimal

from rest_framework.test import APIClient

from search.indexing import listing_changed

from ..factories import ListingFactory, PatentFactory
from .conftest import ANNUAL, declare


def test_open_licence_listings_sort_by_royalty(holder, staff, holder_org, django_capture_on_commit_callbacks):
    fees = ["30000.00", "8000.00", "15000.00"]
    with django_capture_on_commit_callbacks(execute=True):
        for fee in fees:
            declare(holder, staff, PatentFactory(holders=[holder_org]), terms={**ANNUAL, "annual_fee": Decimal(fee)})
    body = APIClient().get("/api/v1/search/listings/", {"mode": "open_licence", "sort": "royalty"}).json()
    prices = [hit["asking_price"] for hit in body["hits"]]
    assert body["total"] == 3
    assert prices == ["8000.00", "15000.00", "30000.00"]
    # a cheap transfer listing has no royalty: last by royalty, first by price
    with django_capture_on_commit_callbacks(execute=True):
        cheap = ListingFactory(organisation=holder_org, created_by=holder, asking_price=Decimal("1000.00"))
        listing_changed(cheap.pk)
    by_royalty = APIClient().get("/api/v1/search/listings/", {"sort": "royalty"}).json()["hits"]
    by_price = APIClient().get("/api/v1/search/listings/", {"sort": "price_asc"}).json()["hits"]
    assert [h["listing_id"] for h in by_royalty][-1] == cheap.pk
    assert by_price[0]["listing_id"] == cheap.pk
