"""Properties (hypothesis): ordered non-negative ranges, monotone in remaining life and in a pending
invalidation, pledge ratio within [0, 50%] and 0 when the patent may not be pledged, reproducibility.

"Never lowers" allows floating-point rounding of 1e-9 relative (the closed-form sum and the
per-year sum differ in the last bits).
"""

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from valuation.batch import value_batch
from valuation.facts import INDUSTRIES, KINDS, LEGAL_STATUSES, PatentFacts, to_columns
from valuation.indicators import total_scores
from valuation.inputs import CostInputs, IncomeInputs
from valuation.methods import cost, income
from valuation.methods.market import Comparable, market_value
from valuation.montecarlo import Fixed, Lognormal, Triangular, percentiles
from valuation.pledge_ratio import RISK_FACTORS, recommend_pledge_ratio, risk_flags
from valuation.risk import legal_risk
from valuation.settings import DEFAULTS
from valuation.weights import WEIGHTS

WEIGHTS_2026 = WEIGHTS["2026.1"]
DRAWS = 300
EXAMPLES = settings(max_examples=150, deadline=None)

facts_strategy = st.builds(
    PatentFacts, patent_id=st.integers(1, 10**9), kind=st.sampled_from(KINDS),
    legal_status=st.sampled_from(LEGAL_STATUSES), remaining_years=st.floats(0, 20), term_years=st.just(20.0),
    claims_count=st.integers(0, 60), independent_claims=st.integers(0, 8), owners_count=st.integers(1, 4),
    sole_action_agreement=st.booleans(), invalidation_pending=st.booleans(), disputed=st.booleans(),
    annual_fee_overdue=st.booleans(), pledged=st.booleans(), exclusive_licensed=st.booleans(),
    ipc_subclasses=st.lists(st.sampled_from(["H01M", "G06F", "A61K", "C08L", "E04B"]), max_size=4, unique=True)
    .map(tuple), industry=st.sampled_from(INDUSTRIES), forward_citations=st.integers(0, 200),
    backward_citations=st.integers(0, 50), family_size=st.integers(1, 30), foreign_filing=st.booleans(),
    inventors=st.integers(0, 20), licences_transfers=st.integers(0, 10), implemented=st.booleans(),
    holder_closed_deals=st.integers(0, 30))


def rate(low, high):
    return st.floats(low, high, exclude_min=True, exclude_max=True)


def triangular(low, high):
    return st.lists(rate(low, high), min_size=3, max_size=3).map(sorted).map(lambda v: Triangular(*v))


money = st.floats(0, 1e8)
income_strategy = st.builds(
    IncomeInputs,
    revenue=st.one_of(money.map(Fixed), st.builds(Lognormal, st.floats(1, 1e8), st.floats(0, 2))),
    growth=st.one_of(rate(-1, 1).map(Fixed), triangular(-1, 1)),
    royalty_rate=st.one_of(rate(0, 1).map(Fixed), triangular(0, 1)),
    share=st.one_of(st.floats(0.01, 1).map(Fixed), triangular(0, 1)),
    discount_rate=st.one_of(rate(0, 1).map(Fixed), triangular(0, 1)),
    economic_life=st.floats(0, 20))


def batch_values(facts: PatentFacts, seed: int) -> tuple[float, np.ndarray]:
    result = value_batch(to_columns([facts]), weights=WEIGHTS_2026, assumptions=DEFAULTS["ASSUMPTIONS"],
                         risk_factors=DEFAULTS["LEGAL_RISK_FACTORS"], rng=np.random.default_rng([seed, facts.patent_id]),
                         draws=DRAWS)
    return float(result.scores[0]), np.array([result.p10[0], result.p50[0], result.p90[0]])


def not_lower(later, earlier) -> bool:
    later, earlier = np.asarray(later, dtype=float), np.asarray(earlier, dtype=float)
    return bool(np.all(later >= earlier - 1e-9 * np.abs(earlier) - 1e-9))


def income_range(inputs: IncomeInputs, seed: int, risk: float = 1.0) -> np.ndarray:
    return percentiles(income.simulate(inputs, rng=np.random.default_rng(seed), draws=DRAWS, risk_factor=risk))


@EXAMPLES
@given(facts=facts_strategy, seed=st.integers(0, 2**32))
def test_batch_range_is_ordered_and_non_negative(facts, seed):
    score, (p10, p50, p90) = batch_values(facts, seed)
    assert 0 <= score <= 100
    assert 0 <= p10 <= p50 <= p90


@EXAMPLES
@given(inputs=income_strategy, seed=st.integers(0, 2**32))
def test_income_range_is_ordered_and_non_negative(inputs, seed):
    p10, p50, p90 = income_range(inputs, seed)
    assert 0 <= p10 <= p50 <= p90


@EXAMPLES
@given(cost_low=st.floats(0, 1e7), spread=st.floats(0, 1e7), remaining=st.floats(0, 20), seed=st.integers(0, 2**32))
def test_cost_range_is_ordered_and_non_negative(cost_low, spread, remaining, seed):
    inputs = CostInputs(development_cost=Triangular(cost_low, cost_low + spread / 2, cost_low + spread),
                        development_year=2018, fees=1000.0, index_rate=0.03, functional_obsolescence=0.2)
    p10, p50, p90 = percentiles(cost.simulate(inputs, rng=np.random.default_rng(seed), draws=DRAWS, valuation_year=2026,
                                              remaining_years=remaining, term_years=20.0, risk_factor=1.0))
    assert 0 <= p10 <= p50 <= p90


@EXAMPLES
@given(facts=facts_strategy, more=st.floats(0, 10), seed=st.integers(0, 2**32))
def test_more_remaining_life_never_lowers_score_or_value(facts, more, seed):
    longer = replace(facts, remaining_years=facts.remaining_years + more)
    score, values = batch_values(facts, seed)
    longer_score, longer_values = batch_values(longer, seed)
    assert not_lower(longer_score, score)
    assert not_lower(longer_values, values)


@EXAMPLES
@given(inputs=income_strategy, more=st.floats(0, 10), seed=st.integers(0, 2**32))
def test_more_economic_life_never_lowers_the_income_value(inputs, more, seed):
    longer = replace(inputs, economic_life=inputs.economic_life + more)
    assert not_lower(income_range(longer, seed), income_range(inputs, seed))


@EXAMPLES
@given(remaining=st.floats(0, 20), more=st.floats(0, 10), seed=st.integers(0, 2**32))
def test_more_remaining_life_never_lowers_the_cost_value(remaining, more, seed):
    inputs = CostInputs(development_cost=Lognormal(500_000, 0.5), development_year=2018, fees=0.0, index_rate=0.03,
                        functional_obsolescence=0.0)

    def value(years):
        return percentiles(cost.simulate(inputs, rng=np.random.default_rng(seed), draws=DRAWS, valuation_year=2026,
                                         remaining_years=years, term_years=20.0, risk_factor=1.0))
    assert not_lower(value(remaining + more), value(remaining))


def comparables_strategy():
    return st.lists(st.builds(Comparable, deal_id=st.integers(1, 100), deal_number=st.just("ZT"),
                              closed_on=st.just(dt.date(2026, 1, 1)), patent_id=st.integers(1, 100),
                              patent_number=st.just("ZL"), title=st.just("t"), price_per_patent=st.floats(0, 1e7),
                              score=st.floats(0, 100), remaining_years_at_deal=st.floats(0, 20),
                              match=st.sampled_from(["ipc", "industry"])), min_size=3, max_size=8)


@EXAMPLES
@given(facts=facts_strategy, more=st.floats(0, 10), comps=comparables_strategy())
def test_market_value_never_lowered_by_more_remaining_life(facts, more, comps):
    def value(f):
        score = float(total_scores(to_columns([f]), WEIGHTS_2026)[0])
        risk, _ = legal_risk(f, DEFAULTS["LEGAL_RISK_FACTORS"])
        return market_value(comps, subject_score=score, subject_remaining=f.remaining_years, risk_factor=risk,
                            minimum=3, bounds=(0.5, 2.0))["percentiles"]
    assert not_lower(value(replace(facts, remaining_years=facts.remaining_years + more)), value(facts))


@EXAMPLES
@given(facts=facts_strategy, seed=st.integers(0, 2**32), comps=comparables_strategy())
def test_a_pending_invalidation_never_raises_score_value_or_ratio(facts, seed, comps):
    clear, pending = replace(facts, invalidation_pending=False), replace(facts, invalidation_pending=True)
    clear_score, clear_values = batch_values(clear, seed)
    pending_score, pending_values = batch_values(pending, seed)
    assert not_lower(clear_score, pending_score)
    assert not_lower(clear_values, pending_values)

    def market(f, score):
        risk, _ = legal_risk(f, DEFAULTS["LEGAL_RISK_FACTORS"])
        return market_value(comps, subject_score=score, subject_remaining=f.remaining_years, risk_factor=risk,
                            minimum=3, bounds=(0.5, 2.0))["percentiles"]
    assert not_lower(market(clear, clear_score), market(pending, pending_score))

    def ratio(f, score, values):
        return recommend_pledge_ratio(p10=values[0], p50=values[1], score=score, kind=f.kind,
                                      remaining_years=f.remaining_years, loan_term_years=1.0, risk_flags=risk_flags(f),
                                      caps=DEFAULTS["PLEDGE_CAPS"]).ratio
    assert ratio(clear, clear_score, clear_values) >= ratio(pending, pending_score, pending_values)


@EXAMPLES
@given(p10=st.floats(0, 1e8), spread=st.floats(0, 1e8), score=st.floats(0, 100), kind=st.sampled_from(KINDS),
       remaining=st.floats(0, 20), term=st.floats(0.1, 30), pledgeable=st.booleans(),
       flags=st.lists(st.sampled_from(sorted(RISK_FACTORS)), unique=True),
       caps=st.dictionaries(st.sampled_from(KINDS), st.floats(0, 1)))
def test_ratio_is_within_0_and_50_percent_and_0_when_not_pledgeable(p10, spread, score, kind, remaining, term,
                                                                    pledgeable, flags, caps):
    advice = recommend_pledge_ratio(p10=p10, p50=p10 + spread, score=score, kind=kind, remaining_years=remaining,
                                    loan_term_years=term, risk_flags=flags, pledgeable=pledgeable, caps=caps)
    assert Decimal("0") <= advice.ratio <= Decimal("0.5")
    assert Decimal("0") <= advice.max_loan <= Decimal(str(p10)) + Decimal("0.01")
    if not pledgeable:
        assert advice.ratio == 0 and advice.max_loan == 0


@EXAMPLES
@given(facts=facts_strategy, seed=st.integers(0, 2**32))
def test_same_seed_same_result(facts, seed):
    first, again = batch_values(facts, seed), batch_values(facts, seed)
    assert first[0] == again[0] and np.array_equal(first[1], again[1])
