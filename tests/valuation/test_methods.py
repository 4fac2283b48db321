"""Hand-computed examples of each method; the arithmetic is in each docstring."""

import datetime as dt

import numpy as np
import pytest

from market.money import cny
from valuation.inputs import CostInputs, IncomeInputs
from valuation.methods import cost, income
from valuation.methods.market import Comparable, market_value, match_kind
from valuation.montecarlo import Fixed, Triangular


def test_income_three_years_flat():
    """R = 1,000,000, g = 0, royalty 5%, share 50%, r = 10%, L = 3:
    each year saves 1,000,000 × 0.05 × 0.5 = 25,000;
    25,000/1.1 + 25,000/1.21 + 25,000/1.331 = 22,727.27 + 20,661.16 + 18,782.87 = 62,171.30."""
    value = income.relief_from_royalty(revenue=1_000_000, growth=0.0, royalty_rate=0.05, share=0.5,
                                       discount_rate=0.10, economic_life=3)
    assert cny(float(value)) == cny("62171.30")
    rows = income.schedule(revenue=1_000_000, growth=0.0, royalty_rate=0.05, share=0.5, discount_rate=0.10,
                           economic_life=3)
    assert [cny(r["present_value"]) for r in rows] == [cny("22727.27"), cny("20661.16"), cny("18782.87")]


def test_income_growth_equal_to_discount_and_a_fractional_last_year():
    """g = r = 10% makes every full year worth 1,000,000 × 0.05 × 0.5 / 1.1 = 22,727.27;
    L = 2.5 counts half of year 3, also worth 22,727.27 × 0.5: total 2.5 × 22,727.27 = 56,818.18."""
    value = income.relief_from_royalty(revenue=1_000_000, growth=0.10, royalty_rate=0.05, share=0.5,
                                       discount_rate=0.10, economic_life=2.5)
    assert cny(float(value)) == cny("56818.18")


@pytest.mark.parametrize(("growth", "rate", "life"), [(0.03, 0.12, 7.3), (-0.5, 0.9, 19.99), (0.2, 0.05, 0.4),
                                                      (0.0, 0.08, 0.0)])
def test_income_closed_form_equals_the_year_by_year_sum(growth, rate, life):
    """The closed form (geometric series) and the explicit Σ over years agree to the cent."""
    args = {"revenue": 123_456.0, "growth": growth, "royalty_rate": 0.04, "share": 0.3, "discount_rate": rate,
            "economic_life": life}
    assert float(income.relief_from_royalty(**args)) == pytest.approx(
        sum(row["present_value"] for row in income.schedule(**args)), abs=1e-6)


def test_income_simulation_with_fixed_inputs_has_no_spread():
    """All inputs fixed: every draw is the hand-computed 62,171.30 (× risk factor 0.7 = 43,519.91)."""
    inputs = IncomeInputs(revenue=Fixed(1_000_000), growth=Fixed(0.0), royalty_rate=Fixed(0.05), share=Fixed(0.5),
                          discount_rate=Fixed(0.10), economic_life=3.0)
    draws = income.simulate(inputs, rng=np.random.default_rng(1), draws=1000, risk_factor=0.7)
    assert draws.shape == (1000,)
    assert {cny(float(x)) for x in draws} == {cny("43519.91")}


def test_cost_method():
    """C = 400,000 spent in 2019, indexed 3%/year to 2026: 400,000 × 1.03^7 = 491,949.55;
    plus fees 20,000 = 511,949.55; 12 of 20 years left: × 0.6 = 307,169.73;
    functional obsolescence 10%: × 0.9 = 276,452.75 (276,452.7549 → 276,452.75)."""
    value = cost.replacement_cost(development_cost=400_000, development_year=2019, fees=20_000, index_rate=0.03,
                                  valuation_year=2026, remaining_years=12, term_years=20,
                                  functional_obsolescence=0.1)
    assert cny(float(value)) == cny("276452.75")


def test_cost_simulation_draws_only_the_development_cost():
    """A triangular development cost (300k, 400k, 500k) with everything else fixed: the draws stay within
    (300k..500k) × 1.03^7 + 20k, × 0.6 × 0.9."""
    inputs = CostInputs(development_cost=Triangular(300_000, 400_000, 500_000), development_year=2019, fees=20_000,
                        index_rate=0.03, functional_obsolescence=0.1)
    draws = cost.simulate(inputs, rng=np.random.default_rng(3), draws=5000, valuation_year=2026, remaining_years=12,
                          term_years=20, risk_factor=1.0)
    low = (300_000 * 1.03**7 + 20_000) * 0.54
    high = (500_000 * 1.03**7 + 20_000) * 0.54
    assert low <= draws.min() < draws.max() <= high


def _comparable(n: int, price: float, score: float, remaining: float) -> Comparable:
    return Comparable(deal_id=n, deal_number=f"ZT2026{n:06d}", closed_on=dt.date(2026, 1, n), patent_id=n,
                      patent_number=f"ZL{n}", title="t", price_per_patent=price, score=score,
                      remaining_years_at_deal=remaining, match="ipc")


def test_market_method_adjusts_by_score_and_remaining_life():
    """Subject: score 60, 10 years left. Comparables:
    A 300,000, score 60, 10 years → ×1 ×1 = 300,000;
    B 500,000, score 75, 10 years → ×60/75 = 0.8 → 400,000;
    C 400,000, score 60, 12.5 years → ×10/12.5 = 0.8 → 320,000.
    Sorted 300k, 320k, 400k: P10 = 300k + 0.2 × 20k = 304,000; P50 = 320,000; P90 = 320k + 0.8 × 80k = 384,000."""
    result = market_value([_comparable(1, 300_000, 60, 10), _comparable(2, 500_000, 75, 10),
                           _comparable(3, 400_000, 60, 12.5)], subject_score=60, subject_remaining=10, risk_factor=1.0,
                          minimum=3, bounds=(0.5, 2.0))
    assert result["available"] and result["count"] == 3
    assert [round(r["adjusted_price"], 2) for r in result["comparables"]] == [300_000, 400_000, 320_000]
    assert [round(float(p), 2) for p in result["percentiles"]] == [304_000, 320_000, 384_000]


def test_market_method_clamps_factors():
    """A comparable scored 20 against a subject scored 60 would be ×3: clamped to ×2 (and 0.5 below)."""
    result = market_value([_comparable(1, 100_000, 20, 10), _comparable(2, 100_000, 100, 10),
                           _comparable(3, 100_000, 60, 0)], subject_score=60, subject_remaining=10, risk_factor=1.0,
                          minimum=3, bounds=(0.5, 2.0))
    assert [r["score_factor"] for r in result["comparables"]] == [2.0, 0.6, 1.0]
    assert [r["life_factor"] for r in result["comparables"]] == [1.0, 1.0, 2.0]


def test_market_method_below_minimum_gives_no_value_and_says_why():
    result = market_value([_comparable(1, 300_000, 60, 10), _comparable(2, 500_000, 75, 10)], subject_score=60,
                          subject_remaining=10, risk_factor=1.0, minimum=3, bounds=(0.5, 2.0))
    assert result["available"] is False and "percentiles" not in result
    assert result["reason"].startswith("平台可比成交仅 2 笔，少于最低要求 3 笔")
    assert "Only 2 comparable closed deals" in result["reason"]
    assert [c["deal_number"] for c in result["comparables"]] == ["ZT2026000001", "ZT2026000002"]


@pytest.mark.parametrize(("case", "subject", "candidate", "expected"), [
    ("same_subclass", (("H01M",), "new_materials"), (("H01M",), "new_materials"), "ipc"),
    ("same_major_industry", (("H01M",), "new_materials"), (("C08L",), "new_materials"), "industry"),
    ("other_industry", (("H01M",), "new_materials"), (("G06F",), "digital"), None),
    ("both_other_industry", (("E04B",), "other"), (("F16K",), "other"), None),
    ("other_but_same_subclass", (("E04B",), "other"), (("E04B",), "other"), "ipc"),
])
def test_which_deals_are_comparable(case, subject, candidate, expected):
    assert match_kind(*subject, *candidate) == expected
