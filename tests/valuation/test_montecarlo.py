"""Distributions and the seeded Monte Carlo: shapes, statistics, reproducibility."""

import numpy as np
import pytest

from valuation.inputs import IncomeInputs
from valuation.methods import income
from valuation.montecarlo import Fixed, Lognormal, Triangular, histogram, percentiles, sample, triangular_ppf

INPUTS = IncomeInputs(revenue=Lognormal(2_000_000, 0.5), growth=Triangular(-0.05, 0.03, 0.1),
                      royalty_rate=Triangular(0.02, 0.04, 0.07), share=Fixed(0.3),
                      discount_rate=Triangular(0.1, 0.12, 0.16), economic_life=8.0)


def test_triangular_ppf_known_points():
    """For (0, 1, 3): F(1) = 1/3; u = 0.25 → √(0.25 × 3 × 1) = 0.866; u = 0.5 → 3 − √(0.5 × 3 × 2) = 1.268."""
    assert triangular_ppf(np.array([0.0, 0.25, 1 / 3, 0.5, 1.0]), 0.0, 1.0, 3.0) == pytest.approx(
        [0.0, 0.8660254, 1.0, 1.2679492, 3.0])


def test_triangular_and_lognormal_statistics():
    rng = np.random.default_rng(11)
    tri = sample(Triangular(1.0, 2.0, 6.0), rng, 200_000)
    assert tri.min() >= 1.0 and tri.max() <= 6.0
    assert tri.mean() == pytest.approx(3.0, rel=0.01)
    logn = sample(Lognormal(1000.0, 0.4), rng, 200_000)
    assert np.median(logn) == pytest.approx(1000.0, rel=0.01)
    assert sample(Fixed(5.0), rng, 10) == 5.0
    assert sample(Triangular(2.0, 2.0, 2.0), rng, 3).tolist() == [2.0, 2.0, 2.0]


def test_same_seed_same_result_and_another_seed_differs():
    first = income.simulate(INPUTS, rng=np.random.default_rng(42), draws=10_000, risk_factor=1.0)
    again = income.simulate(INPUTS, rng=np.random.default_rng(42), draws=10_000, risk_factor=1.0)
    other = income.simulate(INPUTS, rng=np.random.default_rng(43), draws=10_000, risk_factor=1.0)
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
    p10, p50, p90 = percentiles(first)
    assert p10 < p50 < p90
    # 10,000 draws: another seed moves P50 by well under 5%.
    assert percentiles(other)[1] == pytest.approx(p50, rel=0.05)


def test_histogram_counts_every_draw():
    values = np.random.default_rng(5).lognormal(10, 1, 10_000)
    result = histogram(values, bins=24)
    assert sum(result["counts"]) == 10_000 and len(result["edges"]) == 25
    assert histogram(np.full(100, 7.0))["counts"][0] == 100
