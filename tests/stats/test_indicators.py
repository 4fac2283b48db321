"""The cockpit's indicators against hand-counted fixtures, the rollups against a raw recount."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from market.regions import City
from stats.indicators import INDICATORS
from stats.rollups import rebuild, recount, refresh
from stats.selectors import Query, table
from tests.factories import PatentFactory

from .builders import transfer

pytestmark = pytest.mark.django_db
MARCH, JUNE = dt.date(2025, 3, 1), dt.date(2025, 6, 1)


def figures(key, by="period", period="month", start=MARCH, end=JUNE, **filters):
    result = table(Query(INDICATORS[key], by, period, start, end, filters))
    return {row["key"]: row["value"] for row in result["rows"]}, result


def test_deals_count_transfers_at_registration_and_licences_when_effective(market):
    counts, result = figures("deals")
    assert counts == {"2025-03": 3, "2025-04": 1, "2025-05": 0, "2025-06": 0}
    assert result["total"] == 4
    amounts, _ = figures("deal_amount")
    assert amounts["2025-03"] == Decimal("180000.00")  # 100,000 + 50,000 + the licence's 10,000 + 20,000
    assert amounts["2025-04"] == Decimal("200000.00")


def test_breakdowns_by_city_holder_type_industry_and_kind(market):
    assert figures("transfers", by="city")[0] == {"3301": 2, "3302": 1}
    assert figures("transfers", by="holder_type")[0] == {"enterprise": 2, "university": 1}
    # a deal of several patents counts once, under its first patent
    assert figures("transfers", by="industry")[0] == {"new_materials": 1, "digital": 1, "life_health": 1}
    assert figures("transfer_amount", by="kind")[0] == {"invention": Decimal("300000.00"),
                                                       "utility_model": Decimal("50000.00")}
    assert figures("deals", city=City.NINGBO)[0]["2025-04"] == 1
    assert figures("deals", city=City.NINGBO)[0]["2025-03"] == 0


def test_quarters_and_the_plans_target_line(market):
    counts, result = figures("deals", period="quarter", start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 1),
                             right="patent")
    assert counts == {"2025-Q1": 3, "2025-Q2": 1, "2025-Q3": 0, "2025-Q4": 0}
    assert result["target"] == Decimal("25000.00")  # 10万 patent transfers and licences a year
    assert figures("deals", period="quarter", start=dt.date(2025, 1, 1))[1]["target"] is None  # marks count too
    assert figures("disbursed", period="year", start=dt.date(2025, 1, 1))[1]["target"] == Decimal("100000000000.00")


def test_pledge_financing(market):
    assert figures("loan_applications")[0]["2025-03"] == 2
    assert figures("approval_rate")[1]["total"] == Decimal("50.00")
    assert figures("disbursed")[0]["2025-04"] == Decimal("800000.00")
    # a balance: lent in April, repaid and released at the end of June
    outstanding, result = figures("outstanding")
    assert outstanding == {"2025-03": Decimal("0.00"), "2025-04": Decimal("800000.00"),
                           "2025-05": Decimal("800000.00"), "2025-06": Decimal("0.00")}
    assert figures("outstanding", end=dt.date(2025, 5, 1), by="city")[0] == {"3301": Decimal("800000.00")}
    assert figures("registration_days")[0]["2025-03"] == Decimal("20.0")


def test_days_to_close_a_transfer_stage_by_stage(market):
    # filed 41 and 28 days after opening, registered 10 and 10 days after filing (March); 31 and 20 (April)
    assert figures("transfer_deal_days")[0]["2025-03"] == Decimal("34.5")
    assert figures("transfer_registry_days")[0]["2025-03"] == Decimal("10.0")
    assert figures("transfer_registry_days")[0]["2025-04"] == Decimal("20.0")
    assert figures("transfer_registry_days")[0]["2025-05"] is None


def test_the_rollups_equal_a_recount_and_a_refresh_catches_up(market, holder_org, buyer_org):
    assert recount() == []
    today = timezone.localdate().isoformat()
    transfer(holder_org, buyer_org, [PatentFactory(holders=[holder_org])], "70000.00", opened=today,
             filed=today, registered=today)
    differences = recount()
    assert len(differences) == 3  # this month's cells of the transfer and of its two stage durations
    assert all("rollup None" in line for line in differences)
    refresh()
    assert recount() == []


def test_every_indicator_answers(market):
    for key in INDICATORS:
        result = table(Query(INDICATORS[key], "period", "quarter"))
        assert result["rows"], key


def test_marks_and_patents_count_apart_and_together(market, holder_org, buyer_org, bank_org):
    from tests.factories import trademark

    from .builders import loan

    mark = trademark(holders=[holder_org])
    transfer(holder_org, buyer_org, [mark], "90000", opened="2025-03-02", registered="2025-03-20")
    loan(holder_org, bank_org, mark, "400000", applied="2025-03-01", decided="2025-03-05", approved="300000",
         registered="2025-03-08", disbursed="2025-03-10")
    rebuild()
    together, _ = figures("transfers")
    patents, with_target = figures("transfers", right="patent")
    marks, _ = figures("transfers", right="trademark")
    assert together["2025-03"] == patents["2025-03"] + 1 and marks["2025-03"] == 1
    assert figures("transfer_amount", by="right")[0]["trademark"] == Decimal("90000.00")
    lent = figures("disbursed", by="right")[0]
    assert lent["trademark"] == Decimal("300000.00")
    assert figures("disbursed")[1]["total"] == lent["trademark"] + lent.get("patent", Decimal("0"))
    labels = {row["key"]: row["label"] for row in figures("disbursed", by="right")[1]["rows"]}
    assert labels["trademark"] == "注册商标"


def test_the_patent_price_index_leaves_mark_sales_out(market, holder_org, buyer_org):
    from stats.price_index import sales
    from tests.factories import trademark

    before = len(sales())
    transfer(holder_org, buyer_org, [trademark(holders=[holder_org])], "90000", opened="2025-03-02",
             registered="2025-03-20")
    assert len(sales()) == before
