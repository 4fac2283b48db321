"""Market method: comparables from the platform's own closed transfer deals.

A closed deal is comparable when one of its patents shares an IPC subclass (first 4 characters)
with the subject, or belongs to the same one of the plan's three major industries; deals of other
industries are ignored. Each comparable's price per patent is adjusted to the subject:

    adjusted = price × clamp(subject score / comparable score) × clamp(subject remaining / comparable
               remaining at the deal) × subject's legal risk factor

with both factors clamped to a range (a setting). With fewer comparables than the minimum the
method says so and gives no value; otherwise P10 / P50 / P90 are percentiles of the adjusted prices.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from ..facts import MAJOR_INDUSTRIES
from ..montecarlo import percentiles


@dataclass(frozen=True)
class Comparable:
    """One closed deal's patent as a comparable (price is the deal price divided by its patents)."""

    deal_id: int
    deal_number: str
    closed_on: dt.date
    patent_id: int
    patent_number: str
    title: str
    price_per_patent: float
    score: float
    remaining_years_at_deal: float
    match: str                     # "ipc" (same subclass) or "industry"


def ipc_subclasses(ipc_codes: Iterable[str]) -> tuple[str, ...]:
    """Distinct IPC subclasses (first 4 characters, upper case), in order."""
    seen: dict[str, None] = {}
    for code in ipc_codes:
        compact = str(code).replace(" ", "").upper()[:4]
        if len(compact) == 4:
            seen.setdefault(compact, None)
    return tuple(seen)


def match_kind(subject_subclasses: Iterable[str], subject_industry: str, subclasses: Iterable[str],
               industry: str) -> str | None:
    """"ipc", "industry" or None (not comparable)."""
    if set(subject_subclasses) & set(subclasses):
        return "ipc"
    if subject_industry in MAJOR_INDUSTRIES and industry == subject_industry:
        return "industry"
    return None


def _factor(numerator: float, denominator: float, bounds: tuple[float, float]) -> float:
    low, high = bounds
    if denominator <= 0:
        return high if numerator > 0 else low
    return float(min(high, max(low, numerator / denominator)))


def market_value(comparables: Sequence[Comparable], *, subject_score: float, subject_remaining: float,
                 risk_factor: float, minimum: int, bounds: tuple[float, float]) -> dict:
    """The market method's result: availability, the comparables used (with their factors) and, with
    enough of them, ``values`` (adjusted prices) and ``percentiles`` (P10, P50, P90) as arrays."""
    rows = []
    for comparable in comparables:
        score_factor = _factor(subject_score, comparable.score, bounds)
        life_factor = _factor(subject_remaining, comparable.remaining_years_at_deal, bounds)
        adjusted = comparable.price_per_patent * score_factor * life_factor * risk_factor
        row = asdict(comparable)
        row.update({"closed_on": comparable.closed_on.isoformat(), "score_factor": round(score_factor, 4),
                    "life_factor": round(life_factor, 4), "adjusted_price": adjusted})
        rows.append(row)
    result = {"available": len(rows) >= minimum, "count": len(rows), "minimum": minimum,
              "risk_factor": risk_factor, "comparables": rows}
    if not result["available"]:
        result["reason"] = (f"平台可比成交仅 {len(rows)} 笔，少于最低要求 {minimum} 笔，不给出市场法价值 / "
                            f"Only {len(rows)} comparable closed deals on the platform, fewer than the minimum "
                            f"{minimum}: no market value")
        return result
    values = np.array([row["adjusted_price"] for row in rows])
    result["values"] = values
    result["percentiles"] = percentiles(values)
    return result
