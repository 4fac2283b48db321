"""Pledge-ratio advice: hand-computed steps, caps, and the cases that give 0."""

from decimal import Decimal

from valuation.pledge_ratio import ADVICE_ONLY, recommend_pledge_ratio

CAPS = {"invention": 0.25, "utility_model": 0.15, "design": 0.10}


def advise(**overrides):
    args = {"p10": 80_000, "p50": 100_000, "score": 60.0, "kind": "invention", "remaining_years": 12.0,
            "loan_term_years": 3.0, "caps": CAPS}
    return recommend_pledge_ratio(**{**args, **overrides})


def test_steps_below_the_cap():
    """Score 60 → 50% × (60−30)/60 = 25%; P10/P50 = 0.8 → ×0.9 = 22.5%; 9 of 12 years left after the loan
    → ×min(1, 0.5 + 0.75) = ×1; invention cap 25% not reached: ratio 22.5%;
    max loan = min(0.225 × 100,000, 80,000) = 22,500.00."""
    advice = advise()
    assert advice.ratio == Decimal("0.2250")
    assert advice.max_loan == Decimal("22500.00")
    assert advice.lines[0].startswith("综合评分 60.0 分 → 基础质押率 25.0%")
    assert advice.lines[-1] == ADVICE_ONLY


def test_cap_by_kind_and_risk_flags():
    """Score 90 → 50%; P10 = P50 → ×1; co-owned ×0.9 → 45%; utility model cap 15% → 15%;
    max loan = min(0.15 × 100,000, 100,000) = 15,000.00."""
    advice = advise(p10=100_000, score=90.0, kind="utility_model", risk_flags=["co_owned"])
    assert advice.ratio == Decimal("0.1500")
    assert advice.max_loan == Decimal("15000.00")
    assert advice.flags == ["co_owned"]
    assert any("共有专利" in line and "×0.90" in line for line in advice.lines)
    assert any("质押率上限 15%" in line for line in advice.lines)


def test_short_term_left_after_the_loan_and_max_loan_bounded_by_p10():
    """Score 90, P10/P50 = 0.1 → 50% × 0.55 = 27.5%; 4 years left, loan 3.6 → 10% left → ×0.6 = 16.5%;
    cap 50% for a bank without kind caps; max loan = min(0.165 × 100,000, 10,000) = 10,000.00 (P10)."""
    advice = advise(p10=10_000, score=90.0, remaining_years=4.0, loan_term_years=3.6, caps={})
    assert advice.ratio == Decimal("0.1650")
    assert advice.max_loan == Decimal("10000.00")


def test_not_pledgeable_gives_zero_with_the_reasons():
    advice = advise(pledgeable=False, blockers=["专利年费未缴纳（滞纳期内） / The annual fee is unpaid (grace period)"])
    assert advice.ratio == Decimal("0") and advice.max_loan == Decimal("0.00")
    assert advice.lines[:2] == ["不可质押，建议质押率为 0 / May not be pledged: advised ratio 0",
                                "· 专利年费未缴纳（滞纳期内） / The annual fee is unpaid (grace period)"]


def test_loan_past_remaining_term_or_no_value_gives_zero():
    assert advise(loan_term_years=12.5).ratio == Decimal("0")
    assert "超过剩余保护期" in advise(loan_term_years=12.5).lines[0]
    assert advise(p10=0, p50=0).ratio == Decimal("0")


def test_low_score_gives_zero_ratio():
    assert advise(score=25.0).ratio == Decimal("0")
