"""Score + income method for many patents at once: arrays of shape (patents, draws), no Python loop.

Used by the quick estimate (a batch of one), the batch revaluation task and the benchmark. The
caller chunks: memory is about 8 bytes × patents × draws × 8 arrays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .assumptions import IncomeParameters, income_parameters
from .facts import Columns
from .indicators import total_scores
from .methods.income import relief_from_royalty
from .montecarlo import percentiles, sample_lognormal, sample_triangular
from .risk import legal_risk_factors


@dataclass
class BatchResult:
    scores: np.ndarray          # (patents,)
    risk_factors: np.ndarray    # (patents,)
    parameters: IncomeParameters
    p10: np.ndarray
    p50: np.ndarray
    p90: np.ndarray
    values: np.ndarray | None = None   # (patents, draws), only when asked for


def simulate_default_income(parameters: IncomeParameters, risk_factors: np.ndarray, *, rng: np.random.Generator,
                            draws: int) -> np.ndarray:
    """Draws of the income method under the default assumptions, shape (patents, draws).

    Drawn in the order revenue (normal), growth, royalty rate, share, discount rate (uniform).
    """
    shape = (parameters.revenue_median.shape[0], draws)
    return relief_from_royalty(
        revenue=sample_lognormal(rng, shape, parameters.revenue_median, parameters.revenue_sigma),
        growth=sample_triangular(rng, shape, *parameters.growth),
        royalty_rate=sample_triangular(rng, shape, *parameters.royalty),
        share=sample_triangular(rng, shape, *parameters.share),
        discount_rate=sample_triangular(rng, shape, *parameters.discount_rate),
        economic_life=parameters.economic_life, risk_factor=risk_factors[:, None])


def value_batch(columns: Columns, *, weights: Mapping[str, float], assumptions: Mapping,
                risk_factors: Mapping[str, float], rng: np.random.Generator, draws: int,
                keep_values: bool = False) -> BatchResult:
    """Score and default-assumption income value (P10/P50/P90) of every patent in ``columns``."""
    scores = total_scores(columns, weights)
    risk = legal_risk_factors(columns, risk_factors)
    parameters = income_parameters(columns, scores, assumptions)
    values = simulate_default_income(parameters, risk, rng=rng, draws=draws)
    p10, p50, p90 = percentiles(values, axis=1)
    return BatchResult(scores, risk, parameters, p10, p50, p90, values if keep_values else None)
