"""Legal risk factors: one multiplier on every method's value, from the patent's legal position.

A right that no longer exists is worth 0. A pending application, a pending invalidation request,
an ownership dispute or court preservation, and an annual fee in its grace period each multiply the
value by their factor (settings ``LEGAL_RISK_FACTORS``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .facts import STATUS_CODE, Columns, PatentFacts, terminated_mask, to_columns

LINES = {
    "pending": "尚未授权，按授权可能性折减 / Not yet granted: reduced for the chance of grant",
    "invalidation_pending": "无效宣告请求审查中，按维持可能性折减 / Invalidation request pending: reduced for the "
                            "chance it succeeds",
    "disputed": "权属纠纷或法院保全，折减 / Ownership dispute or court preservation: reduced",
    "annual_fee_overdue": "年费在滞纳期内，存在终止风险 / Annual fee in its grace period: the patent may lapse",
}


def legal_risk_factors(columns: Columns, factors: Mapping[str, float]) -> np.ndarray:
    """The multiplier of each patent (0 where the right no longer exists)."""
    result = np.ones(len(columns["legal_status"]))
    result = np.where(columns["legal_status"] == STATUS_CODE["pending"], result * factors["pending"], result)
    for flag in ("invalidation_pending", "disputed", "annual_fee_overdue"):
        result = np.where(columns[flag], result * factors[flag], result)
    return np.where(terminated_mask(columns), 0.0, result)


def legal_risk(facts: PatentFacts, factors: Mapping[str, float]) -> tuple[float, list[str]]:
    """One patent's multiplier and the lines that explain it."""
    factor = float(legal_risk_factors(to_columns([facts]), factors)[0])
    if facts.terminated:
        return factor, ["专利权已终止或期满，价值为 0 / The right no longer exists: its value is 0"]
    flags = {"pending": facts.legal_status == "pending", "invalidation_pending": facts.invalidation_pending,
             "disputed": facts.disputed, "annual_fee_overdue": facts.annual_fee_overdue}
    lines = [f"{LINES[flag]}：×{factors[flag]:.2f}" for flag, on in flags.items() if on]
    return factor, lines
