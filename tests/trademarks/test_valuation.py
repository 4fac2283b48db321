"""A registered mark's valuation: relief from royalty on its goods' revenue over the brand's life counting a
renewal (hand example), its own risks, the income method only, and the bank's cap for marks in the advice."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.test import Client
from django.utils import timezone

from market.models import Encumbrance, EncumbranceKind
from valuation.inputs import ValuationInputError
from valuation.quick import quick_estimate
from valuation.services import valuation_create

from ..factories import trademark

TEA = {"revenue": 10_000_000, "royalty_rate": 0.02, "discount_rate": 0.10, "economic_life": 12}


def registered(years: int) -> dt.date:
    return timezone.localdate() - relativedelta(years=years)


def test_the_brand_is_valued_over_its_life_counting_one_renewal_by_hand(holder):
    """Five years registered, five left in the term, ten more by renewal: a 12-year life is allowed.
    200,000 a year of royalty saved, discounted at 10% for 12 years: 200,000 × (1 − 1.1⁻¹²) / 0.1."""
    mark = trademark(holders=[holder.organisation], registered=registered(5))
    valuation = valuation_create(patent_id=mark.pk, actor=holder, inputs={"income": TEA, "implemented": True})
    expected = Decimal(str(200_000 * (1 - 1.1 ** -12) / 0.1)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert (valuation.p10, valuation.p50, valuation.p90) == (expected,) * 3 == (Decimal("1362738.36"),) * 3
    assert valuation.results["risk_factor"] == 1.0 and valuation.results["risk_lines"] == []
    assert 14.9 < valuation.results["life_years"] < 15.1
    assert [row["code"] for row in valuation.score_breakdown["indicators"]] == ["age", "use", "breadth", "record",
                                                                                 "clean"]
    assert valuation.score == Decimal("50.5")  # 5/20×30 + 25 + 1/5×15 + 0 + 15


def test_a_life_past_the_renewals_counted_is_refused_and_only_the_income_method_applies(holder):
    mark = trademark(holders=[holder.organisation], registered=registered(5))
    with pytest.raises(ValuationInputError) as too_long:
        valuation_create(patent_id=mark.pk, actor=holder, inputs={"income": {**TEA, "economic_life": 16}})
    assert "法定剩余保护期（15.00 年）" in too_long.value.errors["income"]["economic_life"][0]
    for inputs in ({"method": "market"}, {"method": "cost", "cost": {"development_cost": 100000}}):
        with pytest.raises(ValuationInputError) as refused:
            valuation_create(patent_id=mark.pk, actor=holder, inputs=inputs)
        assert "收益法" in refused.value.errors["method"][0]


def test_non_use_after_three_years_and_a_dispute_lower_the_value_with_their_reasons(holder):
    mark = trademark(holders=[holder.organisation], registered=registered(4))
    Encumbrance.objects.create(patent=mark, kind=EncumbranceKind.OWNERSHIP_DISPUTE, beneficiary_name="某公司")
    valuation = valuation_create(patent_id=mark.pk, actor=holder, inputs={"income": TEA, "implemented": False})
    assert valuation.results["risk_factor"] == pytest.approx(0.6 * 0.5)
    assert any("商标法第四十九条" in line for line in valuation.results["risk_lines"])
    assert valuation.p50 == (Decimal("1362738.36") * Decimal("0.3")).quantize(Decimal("0.01"))


def test_the_advice_for_a_mark_is_capped_by_the_banks_cap_for_marks(bank_officer, holder_org):
    mark = trademark(holders=[holder_org], registered=registered(15))  # renewed once: a long brand life
    mark.mark.valid_until = mark.mark.valid_until + relativedelta(years=10)
    mark.mark.save()
    valuation = valuation_create(patent_id=mark.pk, actor=bank_officer,
                                 inputs={"income": {**TEA, "economic_life": 10}, "implemented": True})
    assert Decimal("0") < valuation.pledge_ratio <= Decimal("0.20")
    assert any("注册商标" in line and "20%" in line for line in valuation.pledge_advice["lines"])


def test_a_mark_has_no_quick_value_but_its_score_and_the_advice_to_order_a_valuation(holder_org):
    estimate = quick_estimate(trademark(holders=[holder_org], registered=registered(6)))
    assert estimate["p50"] == Decimal("0.00") and estimate["pledge"]["max_loan"] == Decimal("0.00")
    assert any("正式评估" in note for note in estimate["notes"]) and estimate["score"] > 0


def test_the_bank_reviews_a_mark_pledge_application(holder, bank_org, bank_officer):
    from tests.pledges import steps as pledge_steps

    mark = trademark(holders=[holder.organisation], registered=registered(6))
    loan = pledge_steps.apply(holder, bank_org, [mark], amount="300000")
    client = Client()
    client.force_login(bank_officer)
    page = client.get(f"/bank/applications/{loan.pk}/")
    assert page.status_code == 200
    assert mark.patent_number in page.content.decode()
