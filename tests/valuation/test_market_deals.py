"""The market method on the platform's own closed deals: which deals count, how many, and which were used."""

import datetime as dt
from decimal import Decimal

import pytest

from market.transfers.models import DealState
from valuation.services import valuation_create

from .conftest import closed_deal, comparable_patent

FLAT_INCOME = {"revenue": 1_000_000, "royalty_rate": 0.05, "share": 0.5, "discount_rate": 0.10, "economic_life": 3}


@pytest.fixture
def battery_deals():
    """Three closed deals on H01M patents (same subclass as the subject), one on C08L (new materials too)."""
    return [closed_deal(patents=[comparable_patent("H01M10/0525")], price="300000.00", closed_on=dt.date(2026, 5, 1)),
            closed_deal(patents=[comparable_patent("H01M4/36")], price="500000.00", closed_on=dt.date(2026, 6, 1)),
            closed_deal(patents=[comparable_patent("C08L23/06")], price="400000.00", closed_on=dt.date(2026, 7, 1))]


def test_market_method_ignores_deals_of_other_industries(holder, patent, battery_deals):
    software = [closed_deal(patents=[comparable_patent("G06F16/31")], price="90000000.00") for _ in range(3)]
    construction = closed_deal(patents=[comparable_patent("E04B1/00")], price="80000000.00")
    valuation = valuation_create(patent_id=patent.pk, actor=holder, inputs={"method": "market"})
    market = valuation.results["methods"]["market"]
    used = [c["deal_id"] for c in market["comparables"]]
    assert sorted(used) == sorted(d.pk for d in battery_deals)
    assert not {d.pk for d in software + [construction]} & set(used)
    assert [c["match"] for c in market["comparables"]] == ["industry", "ipc", "ipc"]   # newest first
    assert market["available"] and market["count"] == 3
    assert Decimal(market["p90"]) < Decimal("1000000")
    assert (valuation.p10, valuation.p50, valuation.p90) == tuple(Decimal(market[k]) for k in ("p10", "p50", "p90"))


def test_market_method_adjusts_each_comparable_and_lists_it(holder, patent):
    """Each comparable was transferred once (its economic score is higher than the subject's: score factor
    below 1) and, sold earlier in the year, had more years left at its deal (life factor below 1)."""
    deals = [closed_deal(patents=[comparable_patent("H01M50/403", claims_count=10, inventors="甲；乙；丙")],
                         price=price, closed_on=day)
             for price, day in (("300000.00", dt.date(2026, 1, 5)), ("310000.00", dt.date(2026, 2, 5)),
                                ("320000.00", dt.date(2026, 3, 5)))]
    valuation = valuation_create(patent_id=patent.pk, actor=holder, inputs={"income": FLAT_INCOME})
    market = valuation.results["methods"]["market"]
    rows = {c["deal_id"]: c for c in market["comparables"]}
    assert set(rows) == {d.pk for d in deals}
    first = rows[deals[0].pk]
    assert first["deal_number"] == deals[0].number and first["closed_on"] == "2026-01-05"
    assert first["price_per_patent"] == "300000.00" and first["match"] == "ipc"
    assert first["score"] > float(valuation.score)
    assert first["score_factor"] == pytest.approx(float(valuation.score) / first["score"], abs=1e-3)
    assert 0.9 < first["life_factor"] < 1.0
    assert float(first["adjusted_price"]) == pytest.approx(300_000 * first["score_factor"] * first["life_factor"],
                                                           rel=1e-4)
    assert valuation.method == "income"   # the market method is shown as a cross-check


def test_a_deal_price_is_split_over_its_patents(holder, patent, battery_deals):
    package = closed_deal(patents=[comparable_patent("H01M2/10"), comparable_patent("H01M2/12")], price="800000.00")
    valuation = valuation_create(patent_id=patent.pk, actor=holder, inputs={"method": "market"})
    row = next(c for c in valuation.results["methods"]["market"]["comparables"] if c["deal_id"] == package.pk)
    assert row["price_per_patent"] == "400000.00"


def test_fewer_comparables_than_the_minimum_says_so(settings, holder, patent, battery_deals):
    settings.VALUATION = {"MARKET_MIN_COMPARABLES": 4}
    valuation = valuation_create(patent_id=patent.pk, actor=holder, inputs={"income": FLAT_INCOME})
    market = valuation.results["methods"]["market"]
    assert market["available"] is False and market["count"] == 3 and market["minimum"] == 4
    assert market["reason"].startswith("平台可比成交仅 3 笔，少于最低要求 4 笔")
    assert "p50" not in market and len(market["comparables"]) == 3


def test_only_closed_deals_with_a_price_count(holder, patent, battery_deals):
    open_deal = closed_deal(patents=[comparable_patent("H01M10/05")], price="700000.00")
    TransferDealModel = type(open_deal)
    TransferDealModel.objects.filter(pk=open_deal.pk).update(state=DealState.CANCELLED)
    valuation = valuation_create(patent_id=patent.pk, actor=holder, inputs={"method": "market"})
    assert open_deal.pk not in [c["deal_id"] for c in valuation.results["methods"]["market"]["comparables"]]
