"""The deal-price index against a hand example, its suppression rule, and the royalty benchmarks."""

from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from market.industries import Industry
from market.licensing.models import OpenLicenceDeclaration, OpenLicenceState
from market.models import PatentKind
from stats.price_index import rebuild_index
from stats.privacy import publishable
from tests.factories import OrganisationFactory, PatentFactory, UserFactory

from .builders import transfer

pytestmark = pytest.mark.django_db


@pytest.fixture
def sellers(db):
    return [OrganisationFactory(name=f"卖方{n}") for n in range(3)]


def quarter_of_deals(sellers, buyer, day, inventions, utilities, *, invention_price, utility_price, sellers_used=3):
    """Deals registered on ``day``: inventions and utility models at one price each, spread over the sellers."""
    for n in range(inventions + utilities):
        seller = sellers[n % sellers_used]
        kind = PatentKind.INVENTION if n < inventions else PatentKind.UTILITY_MODEL
        patent = PatentFactory(holders=[seller], kind=kind, industry=Industry.NEW_MATERIALS)
        price = invention_price if n < inventions else utility_price
        transfer(seller, buyer, [patent], price, opened=day, filed=day, registered=day)


def series(grouping="all"):
    body = APIClient().get("/api/v1/stats/price-index/", {"grouping": grouping}).json()
    return {p["quarter"]: p["value"] for p in body["series"][0]["points"]}, body


def test_prices_alike_rise_ten_percent(sellers, buyer_org):
    quarter_of_deals(sellers, buyer_org, "2025-02-10", 3, 3, invention_price="100000", utility_price="50000")
    quarter_of_deals(sellers, buyer_org, "2025-05-10", 3, 3, invention_price="110000", utility_price="55000")
    rebuild_index()
    values, body = series()
    assert values == {"2025-Q1": "100.00", "2025-Q2": "110.00"}
    assert body["base"] == 100


def test_a_richer_mix_of_the_same_prices_is_no_rise(sellers, buyer_org):
    """The mean price rises (more inventions), the price of each kind does not: the index stays at 100."""
    quarter_of_deals(sellers, buyer_org, "2025-02-10", 3, 3, invention_price="100000", utility_price="50000")
    quarter_of_deals(sellers, buyer_org, "2025-05-10", 5, 1, invention_price="100000", utility_price="50000")
    rebuild_index()
    assert series()[0] == {"2025-Q1": "100.00", "2025-Q2": "100.00"}
    assert series("industry")[1]["series"][0]["label"] == "新材料"


def test_a_quarter_of_too_few_sellers_is_suppressed_and_the_chain_spans_it(sellers, buyer_org):
    quarter_of_deals(sellers, buyer_org, "2025-02-10", 3, 3, invention_price="100000", utility_price="50000")
    quarter_of_deals(sellers, buyer_org, "2025-05-10", 3, 3, invention_price="110000", utility_price="55000")
    quarter_of_deals(sellers, buyer_org, "2025-08-10", 3, 3, invention_price="500000", utility_price="90000",
                     sellers_used=2)  # six deals of two sellers
    quarter_of_deals(sellers, buyer_org, "2025-11-10", 3, 3, invention_price="121000", utility_price="60500")
    rebuild_index()
    values, body = series()
    assert values == {"2025-Q1": "100.00", "2025-Q2": "110.00", "2025-Q3": None, "2025-Q4": "121.00"}
    q3 = body["series"][0]["points"][2]
    assert q3 == {"quarter": "2025-Q3", "value": None, "suppressed": True, "deals": None}


def test_the_disclosure_rule():
    assert publishable(5, 3)
    assert not publishable(4, 3)
    assert not publishable(50, 2)


def test_royalty_benchmarks_by_industry(sellers):
    def declare(holder, rate, industry):
        patent = PatentFactory(holders=[holder], industry=industry)
        OpenLicenceDeclaration.objects.create(
            patent=patent, holder=holder, created_by=UserFactory(organisation=holder), licence_years=3,
            state=OpenLicenceState.PUBLISHED, published_at=timezone.now(), royalty_method="percentage",
            royalty_rate=Decimal(rate), entry_fee=Decimal("10000"))
    for n, rate in enumerate(["2.00", "3.00", "3.50", "4.00", "8.00"]):
        declare(sellers[n % 3], rate, Industry.DIGITAL_ECONOMY)
    for rate in ["1.00", "1.50"]:
        declare(sellers[0], rate, Industry.LIFE_HEALTH)
    rebuild_index()
    rows = APIClient().get("/api/v1/stats/royalties/").json()["benchmarks"]
    rates = {r["industry"]: r["median"] for r in rows if r["measure"] == "royalty_rate"}
    assert rates == {"": "3.00", "digital": "3.50", "life_health": None}  # 2 declarations of one holder: suppressed
    suppressed = next(r for r in rows if r["industry"] == "life_health" and r["measure"] == "royalty_rate")
    assert suppressed["suppressed"] is True
