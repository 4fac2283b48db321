"""valuation_create / valuation_sign_off / history: stored inputs, results, who asked; refusals change nothing."""

import datetime as dt
from decimal import Decimal

import pytest

from market.models import Encumbrance, EncumbranceKind, OrganisationKind, TransitionLog
from market.rules import RuleViolation
from market.services.errors import ActionForbidden
from valuation.indicators import CODES
from valuation.inputs import ValuationInputError
from valuation.models import Valuation, ValuationMethod, ValuationSource, WeightsVersion
from valuation.selectors import valuation_history, valuations_visible_to
from valuation.services import valuation_create, valuation_sign_off
from valuation.weights import WEIGHTS

from ..factories import OrganisationFactory, PatentFactory, UserFactory, hold, pledge

FLAT_INCOME = {"revenue": 1_000_000, "growth": 0, "royalty_rate": 0.05, "share": 0.5, "discount_rate": 0.10,
               "economic_life": 3}
UNCERTAIN_INCOME = {"revenue": {"distribution": "lognormal", "median": 2_000_000, "sigma": 0.5},
                    "growth": {"distribution": "triangular", "low": -0.05, "mode": 0.03, "high": 0.1},
                    "royalty_rate": {"distribution": "triangular", "low": 0.02, "mode": 0.04, "high": 0.07},
                    "share": 0.3, "discount_rate": {"distribution": "triangular", "low": 0.1, "mode": 0.12, "high": 0.16}}


def test_weights_row_seeded_by_migration_matches_the_table(db):
    row = WeightsVersion.objects.get(version="2026.1")
    assert row.weights == WEIGHTS["2026.1"]
    assert set(row.weights) == set(CODES)
    assert sum(row.weights.values()) == pytest.approx(1.0)


def test_create_stores_inputs_method_version_results_and_who_asked(holder, patent):
    """Flat inputs over 3 years: 62,171.30 at every draw (see test_methods), so P10 = P50 = P90."""
    valuation = valuation_create(patent_id=patent.pk, actor=holder, inputs={"income": FLAT_INCOME, "seed": 7})
    valuation = Valuation.objects.get()
    assert (valuation.method, valuation.source, valuation.weights_version.version) == ("income", "request", "2026.1")
    assert (valuation.p10, valuation.p50, valuation.p90) == (Decimal("62171.30"),) * 3
    assert valuation.requested_by == holder and valuation.requested_by_organisation == holder.organisation
    assert valuation.inputs["income"]["royalty_rate"] == 0.05 and valuation.inputs["seed"] == 7
    assert valuation.inputs["draws"] == 10_000 and valuation.draws == 10_000
    assert [row["present_value"] for row in valuation.results["methods"]["income"]["schedule"]] == [
        "22727.27", "20661.16", "18782.87"]
    assert valuation.score == Decimal(str(valuation.score_breakdown["total"]))
    assert [row["code"] for row in valuation.score_breakdown["indicators"]] == list(CODES)
    assert all(" / " in row["reason"] for row in valuation.score_breakdown["indicators"])
    market = valuation.results["methods"]["market"]
    assert market["available"] is False and market["count"] == 0
    # Invention, score ~60, no flags but "not implemented": a ratio below the 25% cap.
    assert Decimal("0") < valuation.pledge_ratio <= Decimal("0.25")
    assert valuation.max_loan == (valuation.pledge_ratio * valuation.p50).quantize(Decimal("0.01"), "ROUND_DOWN")


def test_same_seed_gives_the_same_stored_result(holder, buyer, patent):
    first = valuation_create(patent_id=patent.pk, actor=holder, inputs={"income": UNCERTAIN_INCOME, "seed": 99})
    again = valuation_create(patent_id=patent.pk, actor=buyer, inputs={"income": UNCERTAIN_INCOME, "seed": 99})
    other = valuation_create(patent_id=patent.pk, actor=buyer, inputs={"income": UNCERTAIN_INCOME, "seed": 100})
    assert (first.p10, first.p50, first.p90) == (again.p10, again.p50, again.p90)
    assert first.results["methods"]["income"]["histogram"] == again.results["methods"]["income"]["histogram"]
    assert (first.p10, first.p50, first.p90) != (other.p10, other.p50, other.p90)
    assert first.p10 < first.p50 < first.p90


def test_cost_method_as_headline(holder, patent):
    valuation = valuation_create(patent_id=patent.pk, actor=holder, inputs={
        "method": "cost", "cost": {"development_cost": 400_000, "development_year": 2019, "fees": 20_000}})
    assert valuation.method == ValuationMethod.COST
    assert valuation.p10 == valuation.p50 == valuation.p90 > 0
    assert "income" not in valuation.results["methods"]


@pytest.mark.parametrize(("case", "inputs", "errors"), [
    ("discount_zero", {"income": {**FLAT_INCOME, "discount_rate": 0}},
     {"income": {"discount_rate": ["折现率须大于 0 且小于 1 / The discount rate must be greater than 0 and less than 1"]}}),
    ("royalty_one", {"income": {**FLAT_INCOME, "royalty_rate": 1}},
     {"income": {"royalty_rate": ["提成率须大于 0 且小于 1 / The royalty rate must be greater than 0 and less than 1"]}}),
    ("negative_revenue", {"income": {**FLAT_INCOME, "revenue": -1}},
     {"income": {"revenue": ["收入须在 0 至 1 万亿元之间 / Revenue must be between 0 and CNY 1 trillion"]}}),
    ("market_without_comparables", {"method": "market"},
     {"method": ["平台可比成交仅 0 笔，少于最低要求 3 笔，不给出市场法价值 / Only 0 comparable closed deals on the platform, "
                 "fewer than the minimum 3: no market value；请改用收益法或成本法 / use the income or cost method"]}),
])
def test_out_of_range_inputs_are_refused_and_nothing_is_stored(holder, patent, case, inputs, errors):
    with pytest.raises(ValuationInputError) as caught:
        valuation_create(patent_id=patent.pk, actor=holder, inputs=inputs)
    assert caught.value.errors == errors
    assert not Valuation.objects.exists()


def test_economic_life_past_the_legal_remaining_life_is_refused(holder, patent):
    remaining = patent.remaining_years()
    with pytest.raises(ValuationInputError) as caught:
        valuation_create(patent_id=patent.pk, actor=holder, inputs={"income": {**FLAT_INCOME, "economic_life": 13}})
    assert caught.value.errors == {"income": {"economic_life": [
        f"经济寿命不能超过法定剩余保护期（{remaining:.2f} 年） / The economic life cannot exceed the legal remaining life "
        f"({remaining:.2f} years)"]}}


def test_a_user_without_organisation_may_not_value(patent):
    loner = UserFactory(organisation=None)
    with pytest.raises(ActionForbidden):
        valuation_create(patent_id=patent.pk, actor=loner, inputs={"income": FLAT_INCOME})
    assert not Valuation.objects.exists()


def test_a_patent_that_may_not_be_pledged_gets_ratio_zero_with_the_reason(holder, patent, bank_org):
    pledge(patent, bank_org)
    valuation = valuation_create(patent_id=patent.pk, actor=holder, inputs={"income": FLAT_INCOME})
    assert valuation.pledge_ratio == 0 and valuation.max_loan == 0
    assert valuation.pledge_advice["lines"][1] == (f"· 专利权已质押给{bank_org.name}且尚未注销 / Already pledged to "
                                                   f"{bank_org.name}, still registered")
    assert valuation.p50 == Decimal("62171.30")  # the value itself stands; only the advice is 0


def test_pending_invalidation_lowers_value_and_blocks_the_pledge(holder, patent):
    clear = valuation_create(patent_id=patent.pk, actor=holder, inputs={"income": FLAT_INCOME})
    patent.invalidation_pending = True
    patent.save()
    pending = valuation_create(patent_id=patent.pk, actor=holder, inputs={"income": FLAT_INCOME})
    assert pending.p50 == Decimal("43519.91")  # 62,171.30 × 0.7
    assert pending.score < clear.score
    assert pending.pledge_ratio == 0 < clear.pledge_ratio
    assert pending.results["risk_lines"] == [
        "无效宣告请求审查中，按维持可能性折减 / Invalidation request pending: reduced for the chance it succeeds：×0.70"]


def test_co_owned_patent_is_flagged_not_blocked(holder, holder_org, patent):
    hold(patent, OrganisationFactory(name="浙江大学"))
    valuation = valuation_create(patent_id=patent.pk, actor=holder, inputs={"income": FLAT_INCOME})
    assert valuation.pledge_ratio > 0
    assert "co_owned" in valuation.pledge_advice["flags"]


def test_expired_patent_is_worth_zero(holder, holder_org):
    old = PatentFactory(holders=[holder_org], filing_date=dt.date(2004, 1, 1), grant_date=dt.date(2006, 1, 1))
    valuation = valuation_create(patent_id=old.pk, actor=holder, inputs={"income": {**FLAT_INCOME, "economic_life": 0}})
    assert (valuation.p10, valuation.p50, valuation.p90, valuation.score) == (0, 0, 0, 0)
    assert valuation.pledge_ratio == 0


def test_bank_caps_per_bank_setting(settings, bank_officer, patent):
    settings.VALUATION = {"BANK_PLEDGE_CAPS": {bank_officer.organisation.credit_code: {"invention": 0.05}}}
    income = {**UNCERTAIN_INCOME, "share": 1.0}
    valuation = valuation_create(patent_id=patent.pk, actor=bank_officer, inputs={"income": income, "implemented": True})
    assert valuation.pledge_ratio == Decimal("0.0500")
    assert any("质押率上限 5%" in line for line in valuation.pledge_advice["lines"])


def test_sign_off_only_by_a_valuation_agency(holder, bank_officer, staff, agency, patent):
    valuation = valuation_create(patent_id=patent.pk, actor=holder, inputs={"income": FLAT_INCOME})
    for user in (holder, bank_officer, staff):
        with pytest.raises(ActionForbidden, match="只有评估机构"):
            valuation_sign_off(valuation_id=valuation.pk, actor=user)
    valuation.refresh_from_db()
    assert valuation.signed_off_at is None and valuation.signed_off_by is None

    signed = valuation_sign_off(valuation_id=valuation.pk, actor=agency)
    assert signed.signed_off_by == agency and signed.signed_off_organisation == agency.organisation
    log = TransitionLog.for_object(valuation).get()
    assert (log.transition, log.to_state, log.actor, log.organisation) == ("sign_off", "signed_off", agency,
                                                                            agency.organisation)
    signed_at = signed.signed_off_at
    again = valuation_sign_off(valuation_id=valuation.pk, actor=agency)   # a repeat: nothing changes
    assert again.signed_off_at == signed_at

    other = UserFactory(organisation=OrganisationFactory(kind=OrganisationKind.VALUATION_AGENCY, name="另一评估所"))
    with pytest.raises(RuleViolation, match="已由之江资产评估有限公司签署"):
        valuation_sign_off(valuation_id=valuation.pk, actor=other)
    valuation.refresh_from_db()
    assert valuation.signed_off_by == agency
    assert TransitionLog.for_object(valuation).count() == 1


def test_history_shows_how_the_value_moved_to_those_who_may_see_it(holder, buyer, outsider, bank_officer, patent):
    mine = valuation_create(patent_id=patent.pk, actor=holder, inputs={"income": FLAT_INCOME})
    theirs = valuation_create(patent_id=patent.pk, actor=buyer, inputs={"income": {**FLAT_INCOME, "economic_life": 2}})
    assert list(valuation_history(patent_id=patent.pk, user=holder)) == [mine, theirs]  # the holder sees both
    assert list(valuation_history(patent_id=patent.pk, user=buyer)) == [theirs]
    assert list(valuation_history(patent_id=patent.pk, user=outsider)) == []
    assert list(valuation_history(patent_id=patent.pk, user=bank_officer)) == [mine, theirs]
    assert not valuations_visible_to(None).exists()
    assert theirs.source == ValuationSource.REQUEST


def test_encumbrance_kinds_feed_the_score(holder, patent, buyer_org):
    before = valuation_create(patent_id=patent.pk, actor=holder, inputs={"income": FLAT_INCOME})
    Encumbrance.objects.create(patent=patent, kind=EncumbranceKind.ORDINARY_LICENCE, beneficiary=buyer_org)
    after = valuation_create(patent_id=patent.pk, actor=holder, inputs={"income": FLAT_INCOME})
    rows = {row["code"]: row for row in after.score_breakdown["indicators"]}
    assert rows["licences_transfers"]["reason"] == "许可与转让 1 次 / 1 licences and transfers"
    assert rows["implemented"]["score"] == 100.0
    assert after.score > before.score
