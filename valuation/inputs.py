"""Checking and normalising the inputs of a valuation request.

Errors are collected per field, nested like the request (``{"income": {"discount_rate": [...]}}``),
each message "中文 / English", and raised together as ``ValuationInputError`` (HTTP 400).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from .montecarlo import Fixed, Lognormal, Spec, Triangular

METHODS = ("income", "market", "cost")
NOT_A_NUMBER = "须为数值 / Must be a number"
NOT_AN_OBJECT = "须为对象 / Must be an object"
MAX_LOAN_TERM_YEARS = 30
MAX_SIGMA = 2.0
# The largest amount an input may carry (¥1 trillion a year): larger ones are typing errors, and they would
# overflow the 15-digit money columns the results are stored in.
MAX_AMOUNT = 1e12


class ValuationInputError(ValueError):
    """Out-of-range or malformed inputs; ``errors`` maps fields (nested by section) to messages."""

    def __init__(self, errors: dict):
        self.errors = errors
        super().__init__("; ".join(_flatten(errors)))


def _flatten(errors: dict, prefix: str = "") -> list[str]:
    out = []
    for key, value in errors.items():
        name = f"{prefix}{key}"
        out += _flatten(value, name + ".") if isinstance(value, dict) else [f"{name}: {m}" for m in value]
    return out


@dataclass(frozen=True)
class Bounds:
    """The allowed range of an input; ``None`` is unbounded; ``*_open`` excludes the bound itself."""

    message: str
    lower: float | None = None
    lower_open: bool = False
    upper: float | None = None
    upper_open: bool = False
    lognormal: bool = False        # may the input be lognormal (unbounded above)?

    def contains(self, x: float) -> bool:
        if self.lower is not None and (x < self.lower or (self.lower_open and x == self.lower)):
            return False
        return not (self.upper is not None and (x > self.upper or (self.upper_open and x == self.upper)))


INCOME_BOUNDS = {
    "revenue": Bounds("收入须在 0 至 1 万亿元之间 / Revenue must be between 0 and CNY 1 trillion", lower=0.0,
                      upper=MAX_AMOUNT, lognormal=True),
    "growth": Bounds("收入年增长率须大于 -100% 且不超过 100% / Revenue growth must be above -100% and at most 100%",
                     lower=-1.0, lower_open=True, upper=1.0),
    "royalty_rate": Bounds("提成率须大于 0 且小于 1 / The royalty rate must be greater than 0 and less than 1",
                           lower=0.0, lower_open=True, upper=1.0, upper_open=True),
    "share": Bounds("专利分成比例须大于 0 且不超过 1 / The share attributable to the patent must be greater than 0 "
                    "and at most 1", lower=0.0, lower_open=True, upper=1.0),
    "discount_rate": Bounds("折现率须大于 0 且小于 1 / The discount rate must be greater than 0 and less than 1",
                            lower=0.0, lower_open=True, upper=1.0, upper_open=True),
}
INCOME_DEFAULTS = {"growth": 0.0, "share": 1.0}
COST_BOUNDS = {
    "development_cost": Bounds("研发成本须在 0 至 1 万亿元之间 / The development cost must be between 0 and CNY 1 "
                               "trillion", lower=0.0, upper=MAX_AMOUNT, lognormal=True),
    "fees": Bounds("费用须在 0 至 1 万亿元之间 / Fees must be between 0 and CNY 1 trillion", lower=0.0,
                   upper=MAX_AMOUNT),
    "index_rate": Bounds("成本指数年变动率须大于 -100% 且小于 100% / The yearly cost index change must be above -100% "
                         "and below 100%", lower=-1.0, lower_open=True, upper=1.0, upper_open=True),
    "functional_obsolescence": Bounds("功能性贬值率须不小于 0 且小于 1 / Functional obsolescence must be at least 0 "
                                      "and below 1", lower=0.0, upper=1.0, upper_open=True),
}


@dataclass(frozen=True)
class IncomeInputs:
    revenue: Spec
    growth: Spec
    royalty_rate: Spec
    share: Spec
    discount_rate: Spec
    economic_life: float


@dataclass(frozen=True)
class CostInputs:
    development_cost: Spec
    development_year: int
    fees: float
    index_rate: float
    functional_obsolescence: float


@dataclass(frozen=True)
class ValuationInputs:
    method: str
    seed: int
    draws: int
    loan_term_years: float
    implemented: bool | None
    income: IncomeInputs | None
    cost: CostInputs | None

    def as_json(self) -> dict:
        """The normalised inputs, as stored with the valuation."""
        data: dict[str, Any] = {"method": self.method, "seed": self.seed, "draws": self.draws,
                                "loan_term_years": self.loan_term_years, "implemented": self.implemented}
        if self.income:
            data["income"] = {name: getattr(self.income, name).as_json() for name in INCOME_BOUNDS}
            data["income"]["economic_life"] = self.income.economic_life
        if self.cost:
            data["cost"] = {"development_cost": self.cost.development_cost.as_json(),
                            "development_year": self.cost.development_year, "fees": self.cost.fees,
                            "index_rate": self.cost.index_rate,
                            "functional_obsolescence": self.cost.functional_obsolescence}
        return data


def number(value: Any) -> float:
    """A finite number from a JSON number or numeric string; ValueError otherwise (booleans too)."""
    if isinstance(value, bool) or value is None:
        raise ValueError(NOT_A_NUMBER)
    try:
        x = float(Decimal(str(value).strip()))
    except (InvalidOperation, ValueError):
        raise ValueError(NOT_A_NUMBER) from None
    if not math.isfinite(x):
        raise ValueError(NOT_A_NUMBER)
    return x


def parse_spec(raw: Any, bounds: Bounds) -> Spec:
    """A number or ``{"distribution": "triangular"|"lognormal", ...}`` within ``bounds``; ValueError else."""
    if not isinstance(raw, Mapping):
        x = number(raw)
        if not bounds.contains(x):
            raise ValueError(bounds.message)
        return Fixed(x)
    kind = raw.get("distribution")
    if kind == "triangular":
        low, mode, high = (number(raw.get(key)) for key in ("low", "mode", "high"))
        if not low <= mode <= high:
            raise ValueError("三角分布须满足 最小值 ≤ 最可能值 ≤ 最大值 / A triangular distribution needs "
                             "low ≤ mode ≤ high")
        if not (bounds.contains(low) and bounds.contains(high)):
            raise ValueError(bounds.message)
        return Triangular(low, mode, high)
    if kind == "lognormal":
        if not bounds.lognormal:
            raise ValueError("该参数只能是数值或三角分布 / This input takes a number or a triangular distribution")
        median, sigma = number(raw.get("median")), number(raw.get("sigma"))
        if median <= 0 or not bounds.contains(median):
            raise ValueError("对数正态分布的中位数须大于 0 / A lognormal median must be greater than 0")
        if not 0 <= sigma <= MAX_SIGMA:
            raise ValueError(f"对数正态分布的 sigma 须在 0 到 {MAX_SIGMA} 之间 / A lognormal sigma must be "
                             f"between 0 and {MAX_SIGMA}")
        return Lognormal(median, sigma)
    raise ValueError("distribution 须为 triangular 或 lognormal / distribution must be triangular or lognormal")


def _section(raw: Mapping, name: str, errors: dict) -> Mapping | None:
    value = raw.get(name)
    if value is None:
        return None
    if not isinstance(value, Mapping):
        errors[name] = [NOT_AN_OBJECT]
        return None
    return value


def _specs(section: Mapping, bounds: dict[str, Bounds], defaults: dict[str, float], errors: dict) -> dict:
    specs = {}
    for name, bound in bounds.items():
        raw = section.get(name, defaults.get(name))
        if raw is None:
            errors[name] = ["必填 / Required"]
            continue
        try:
            specs[name] = parse_spec(raw, bound)
        except ValueError as exc:
            errors[name] = [str(exc)]
    return specs


def _income(section: Mapping, remaining_years: float, errors: dict) -> IncomeInputs | None:
    specs = _specs(section, INCOME_BOUNDS, INCOME_DEFAULTS, errors)
    life = remaining_years
    if section.get("economic_life") is not None:
        try:
            life = number(section["economic_life"])
        except ValueError as exc:
            errors["economic_life"] = [str(exc)]
        else:
            if life < 0:
                errors["economic_life"] = ["经济寿命不能为负数 / The economic life cannot be negative"]
            elif life > remaining_years + 1e-9:
                errors["economic_life"] = [
                    f"经济寿命不能超过法定剩余保护期（{remaining_years:.2f} 年） / The economic life cannot exceed the "
                    f"legal remaining life ({remaining_years:.2f} years)"]
    if errors:
        return None
    return IncomeInputs(economic_life=life, **specs)


def _cost(section: Mapping, *, valuation_year: int, filing_year: int, index_rate: float, errors: dict) -> CostInputs | None:
    specs = _specs(section, COST_BOUNDS, {"fees": 0.0, "index_rate": index_rate, "functional_obsolescence": 0.0},
                   errors)
    year = filing_year
    if section.get("development_year") is not None:
        raw = section["development_year"]
        if isinstance(raw, bool) or not str(raw).strip().isdigit() or not 1900 <= int(str(raw)) <= valuation_year:
            errors["development_year"] = [f"研发年份须为 1900 至 {valuation_year} 之间的年份 / The development year "
                                          f"must be a year from 1900 to {valuation_year}"]
        else:
            year = int(str(raw))
    if errors:
        return None
    return CostInputs(development_cost=specs["development_cost"], development_year=year,
                      fees=specs["fees"].value, index_rate=specs["index_rate"].value,
                      functional_obsolescence=specs["functional_obsolescence"].value)


def _integer(raw: Any, low: int, high: int, message: str) -> int:
    if isinstance(raw, bool) or not str(raw).strip().isdigit() or not low <= int(str(raw)) <= high:
        raise ValueError(message)
    return int(str(raw))


def parse_inputs(raw: Mapping, *, remaining_years: float, valuation_year: int, filing_year: int,
                 defaults: Mapping[str, Any]) -> ValuationInputs:
    """Check and normalise a request's inputs against the patent's legal remaining life.

    ``defaults`` holds the settings a request may omit: SEED, DRAWS, MIN_DRAWS, MAX_DRAWS,
    DEFAULT_LOAN_TERM_YEARS, COST_INDEX_RATE. Raises ValuationInputError with every problem.
    """
    errors: dict = {}
    method = raw.get("method") or "income"
    if method not in METHODS:
        errors["method"] = [f"评估方法须为 {' / '.join(METHODS)} 之一 / The method must be one of {', '.join(METHODS)}"]
    seed, draws, loan_term = defaults["SEED"], defaults["DRAWS"], float(defaults["DEFAULT_LOAN_TERM_YEARS"])
    try:
        if raw.get("seed") is not None:
            seed = _integer(raw["seed"], 0, 2**63 - 1, "随机种子须为非负整数 / The seed must be a non-negative integer")
    except ValueError as exc:
        errors["seed"] = [str(exc)]
    low, high = defaults["MIN_DRAWS"], defaults["MAX_DRAWS"]
    try:
        if raw.get("draws") is not None:
            draws = _integer(raw["draws"], low, high, f"模拟次数须为 {low} 至 {high} 的整数 / The number of draws must "
                                                      f"be an integer from {low} to {high}")
    except ValueError as exc:
        errors["draws"] = [str(exc)]
    if raw.get("loan_term_years") is not None:
        try:
            loan_term = number(raw["loan_term_years"])
            if not 0 < loan_term <= MAX_LOAN_TERM_YEARS:
                raise ValueError(f"贷款期限须大于 0 且不超过 {MAX_LOAN_TERM_YEARS} 年 / The loan term must be greater than "
                                 f"0 and at most {MAX_LOAN_TERM_YEARS} years")
        except ValueError as exc:
            errors["loan_term_years"] = [str(exc)]
    implemented = raw.get("implemented")
    if implemented is not None and not isinstance(implemented, bool):
        errors["implemented"] = ["须为 true 或 false / Must be true or false"]

    income = cost = None
    section_errors: dict = {}
    if (section := _section(raw, "income", errors)) is not None:
        income = _income(section, remaining_years, section_errors)
        if section_errors:
            errors["income"] = section_errors
    section_errors = {}
    if (section := _section(raw, "cost", errors)) is not None:
        cost = _cost(section, valuation_year=valuation_year, filing_year=filing_year,
                     index_rate=float(defaults["COST_INDEX_RATE"]), errors=section_errors)
        if section_errors:
            errors["cost"] = section_errors
    if method == "income" and raw.get("income") is None and "income" not in errors:
        errors["income"] = ["收益法须填写收益法参数 / The income method needs its inputs"]
    if method == "cost" and raw.get("cost") is None and "cost" not in errors:
        errors["cost"] = ["成本法须填写成本法参数 / The cost method needs its inputs"]
    if errors:
        raise ValuationInputError(errors)
    return ValuationInputs(method=method, seed=seed, draws=draws, loan_term_years=loan_term,
                           implemented=implemented, income=income, cost=cost)
