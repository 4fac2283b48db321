"""Income method, relief from royalty: value = Σ revenue_t × royalty rate × share / (1 + r)^t.

Revenue grows by g a year from the first-year revenue R; the sum runs over the economic life L
(years, ≤ the legal remaining life). A fractional last year counts its fraction:

    V = Σ_{t=1}^{⌈L⌉} R (1+g)^{t-1} · min(1, L − (t−1)) · royalty · share / (1+r)^t

computed in closed form (a geometric series in q = (1+g)/(1+r)), so one draw costs the same
whatever the life, and arrays of draws (or of patents × draws) broadcast.
"""

from __future__ import annotations

import numpy as np

from ..inputs import IncomeInputs
from ..montecarlo import sample


def relief_from_royalty(*, revenue, growth, royalty_rate, share, discount_rate, economic_life, risk_factor=1.0):
    """Present value of the royalty saved over ``economic_life`` years; every argument broadcasts."""
    revenue, growth, discount_rate, economic_life = (np.asarray(x, dtype=np.float64)
                                                     for x in (revenue, growth, discount_rate, economic_life))
    full_years = np.floor(economic_life)
    fraction = economic_life - full_years
    q = (1.0 + growth) / (1.0 + discount_rate)
    # q^N − 1 through expm1: accurate when q is close to 1, where 1 − q^N and 1 − q both vanish.
    q_full_minus_one = np.expm1(full_years * np.log(q))
    one_minus_q = 1.0 - q
    with np.errstate(divide="ignore", invalid="ignore"):
        series = -q_full_minus_one / one_minus_q
    series = np.where(one_minus_q == 0.0, full_years, series)   # q = 1: N equal terms
    q_full = 1.0 + q_full_minus_one
    first_year = revenue * royalty_rate * share / (1.0 + discount_rate)
    return first_year * (series + fraction * q_full) * risk_factor


def schedule(*, revenue: float, growth: float, royalty_rate: float, share: float, discount_rate: float,
             economic_life: float, risk_factor: float = 1.0) -> list[dict]:
    """The year-by-year table of one set of values (the report shows it for the most likely inputs)."""
    rows = []
    years = int(np.ceil(economic_life))
    for t in range(1, years + 1):
        weight = min(1.0, economic_life - (t - 1))
        year_revenue = revenue * (1 + growth) ** (t - 1) * weight
        royalty = year_revenue * royalty_rate * share
        factor = 1 / (1 + discount_rate) ** t
        rows.append({"year": t, "fraction": round(weight, 4), "revenue": year_revenue, "royalty": royalty,
                     "discount_factor": factor, "present_value": royalty * factor * risk_factor})
    return rows


def simulate(inputs: IncomeInputs, *, rng: np.random.Generator, draws: int, risk_factor: float) -> np.ndarray:
    """``draws`` values of the income method; uncertain inputs drawn in the order revenue, growth,
    royalty rate, share, discount rate."""
    values = relief_from_royalty(
        revenue=sample(inputs.revenue, rng, draws), growth=sample(inputs.growth, rng, draws),
        royalty_rate=sample(inputs.royalty_rate, rng, draws), share=sample(inputs.share, rng, draws),
        discount_rate=sample(inputs.discount_rate, rng, draws), economic_life=inputs.economic_life,
        risk_factor=risk_factor)
    return np.broadcast_to(values, (draws,))


def typical_schedule(inputs: IncomeInputs, *, risk_factor: float) -> list[dict]:
    """The schedule at each input's most likely value (mode or median)."""
    return schedule(revenue=inputs.revenue.typical, growth=inputs.growth.typical,
                    royalty_rate=inputs.royalty_rate.typical, share=inputs.share.typical,
                    discount_rate=inputs.discount_rate.typical, economic_life=inputs.economic_life,
                    risk_factor=risk_factor)
