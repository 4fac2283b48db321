"""Cost method: indexed development cost plus fees, less obsolescence by age.

    V = (C × (1 + i)^(Y − y₀) + F) × (remaining term / statutory term) × (1 − functional) × risk

C is the development cost spent in year y₀, indexed to the valuation year Y at the yearly rate i;
F the official and agency fees. The share of the statutory term already used up is the
obsolescence by age (physical and economic); functional obsolescence is an input.
"""

from __future__ import annotations

import numpy as np

from ..inputs import CostInputs
from ..montecarlo import sample


def replacement_cost(*, development_cost, development_year, fees, index_rate, valuation_year, remaining_years,
                     term_years, functional_obsolescence=0.0, risk_factor=1.0):
    """Depreciated replacement cost; every argument broadcasts."""
    years = np.maximum(0, np.asarray(valuation_year) - np.asarray(development_year))
    indexed = np.asarray(development_cost, dtype=np.float64) * (1.0 + np.asarray(index_rate)) ** years
    life_share = np.clip(np.asarray(remaining_years, dtype=np.float64) / term_years, 0.0, 1.0)
    return (indexed + fees) * life_share * (1.0 - np.asarray(functional_obsolescence)) * risk_factor


def simulate(inputs: CostInputs, *, rng: np.random.Generator, draws: int, valuation_year: int,
             remaining_years: float, term_years: float, risk_factor: float) -> np.ndarray:
    """``draws`` values of the cost method (only the development cost may be uncertain)."""
    values = replacement_cost(
        development_cost=sample(inputs.development_cost, rng, draws), development_year=inputs.development_year,
        fees=inputs.fees, index_rate=inputs.index_rate, valuation_year=valuation_year,
        remaining_years=remaining_years, term_years=term_years,
        functional_obsolescence=inputs.functional_obsolescence, risk_factor=risk_factor)
    return np.broadcast_to(values, (draws,))
