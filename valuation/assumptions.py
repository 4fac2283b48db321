"""Default income-method assumptions, for quick estimates and batch revaluation (no user inputs).

Per patent (settings ``ASSUMPTIONS``, marked verify): first-year revenue lognormal with median
revenue_median[kind] × industry factor × score / 60; royalty rate triangular by industry; share,
growth and discount rate triangular; economic life = min(legal remaining life, a cap). Patents
valued this way say so: "默认假设 / default assumptions".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .facts import INDUSTRIES, KINDS, Columns
from .inputs import IncomeInputs
from .montecarlo import Fixed, Lognormal, Triangular

BASIS = ("快速估算：收益法（许可费节省法）按平台默认假设计算，不替代正式评估 / Quick estimate: income method "
         "(relief from royalty) on the platform's default assumptions; not a formal valuation")


@dataclass
class IncomeParameters:
    """Arrays of shape (patents, 1) (or scalars) that broadcast over (patents, draws)."""

    revenue_median: np.ndarray
    revenue_sigma: float
    royalty: tuple[np.ndarray, np.ndarray, np.ndarray]
    share: tuple[float, float, float]
    growth: tuple[float, float, float]
    discount_rate: tuple[float, float, float]
    economic_life: np.ndarray

    def inputs_for(self, i: int) -> IncomeInputs:
        """Patent ``i``'s assumptions as income inputs (for storing and explaining one valuation)."""
        return IncomeInputs(
            revenue=Lognormal(round(float(self.revenue_median[i, 0]), 2), self.revenue_sigma),
            growth=Triangular(*self.growth), royalty_rate=Triangular(*(float(a[i, 0]) for a in self.royalty)),
            share=Triangular(*self.share), discount_rate=Triangular(*self.discount_rate),
            economic_life=float(self.economic_life[i, 0]))


def income_parameters(columns: Columns, scores: np.ndarray, assumptions: Mapping) -> IncomeParameters:
    """The default assumptions of each patent, from its kind, industry, score and remaining life."""
    kind_median = np.array([assumptions["revenue_median"][k] for k in KINDS], dtype=np.float64)
    industry_factor = np.array([assumptions["industry_revenue_factor"][i] for i in INDUSTRIES], dtype=np.float64)
    royalty = np.array([assumptions["royalty_rate"][i] for i in INDUSTRIES], dtype=np.float64)  # (industries, 3)
    industry = columns["industry"]
    median = kind_median[columns["kind"]] * industry_factor[industry] * scores / 60.0
    life = np.minimum(columns["remaining_years"], float(assumptions["economic_life_cap"]))
    return IncomeParameters(
        revenue_median=median[:, None], revenue_sigma=float(assumptions["revenue_sigma"]),
        royalty=tuple(royalty[industry, j][:, None] for j in range(3)),
        share=tuple(float(x) for x in assumptions["share"]), growth=tuple(float(x) for x in assumptions["growth"]),
        discount_rate=tuple(float(x) for x in assumptions["discount_rate"]), economic_life=life[:, None])


def fixed_inputs(inputs: IncomeInputs) -> bool:
    return all(isinstance(getattr(inputs, name), Fixed) for name in ("revenue", "growth", "royalty_rate", "share",
                                                                     "discount_rate"))
