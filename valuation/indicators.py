"""The indicator score: legal, technical and economic indicators, each 0-100 with a weight and a reason.

In the spirit of CNIPA's patent value analysis and GB/T 42748-2023. Each indicator is a vectorised
formula over columns (``valuation.facts``) plus a one-line reason in Chinese and English for one
patent. The weights come from a versioned table (``valuation.weights``); the total is
Σ weight × score, set to 0 for a right that no longer exists.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from .facts import INDUSTRIES, MAJOR_INDUSTRIES, STATUS_CODE, Columns, PatentFacts, terminated_mask, to_columns

# Remaining term that earns full marks (years).
FULL_LIFE_YEARS = 15.0

DIMENSIONS = {"legal": "法律价值 Legal", "technical": "技术价值 Technical", "economic": "经济价值 Economic"}
STATUS_LABELS = {
    "granted": "有效（已授权） / In force (granted)",
    "pending": "审中，尚未授权 / Pending, not granted",
    "lapsed": "未缴年费终止 / Lapsed for an unpaid annual fee",
    "expired": "期限届满 / Expired",
    "invalidated": "被宣告无效 / Declared invalid",
    "abandoned": "已放弃 / Abandoned",
}


@dataclass(frozen=True)
class Indicator:
    code: str
    dimension: str
    label: str
    score: Callable[[Columns], np.ndarray]
    reason: Callable[[PatentFacts], str]


def _legal_status(c: Columns) -> np.ndarray:
    status = c["legal_status"]
    granted, pending = status == STATUS_CODE["granted"], status == STATUS_CODE["pending"]
    score = np.select([granted, pending], [100.0, 40.0], 0.0)
    return np.where(granted & c["annual_fee_overdue"], 70.0, score)


def _legal_status_reason(f: PatentFacts) -> str:
    if f.legal_status == "granted" and f.annual_fee_overdue:
        return "有效，但年费在滞纳期内 / In force, annual fee in its grace period"
    return STATUS_LABELS[f.legal_status]


def _remaining_life(c: Columns) -> np.ndarray:
    return 100.0 * np.clip(c["remaining_years"] / FULL_LIFE_YEARS, 0.0, 1.0)


def _claims(c: Columns) -> np.ndarray:
    claims = np.minimum(c["claims_count"], 20) / 20.0
    independent = np.minimum(c["independent_claims"], 3) / 3.0
    return 100.0 * (0.6 * claims + 0.4 * independent)


def _co_ownership(c: Columns) -> np.ndarray:
    return np.where(c["owners_count"] <= 1, 100.0, np.where(c["sole_action_agreement"], 80.0, 60.0))


def _co_ownership_reason(f: PatentFacts) -> str:
    if f.owners_count <= 1:
        return "单一权利人 / A single holder"
    if f.sole_action_agreement:
        return f"{f.owners_count} 个共有人，协议允许单独处分 / {f.owners_count} co-owners, agreement allows sole action"
    return f"{f.owners_count} 个共有人，处分须全体同意 / {f.owners_count} co-owners, all must consent"


def _disputes(c: Columns) -> np.ndarray:
    return np.where(c["disputed"], 0.0, np.where(c["invalidation_pending"], 30.0, 100.0))


def _disputes_reason(f: PatentFacts) -> str:
    if f.disputed:
        return "存在权属纠纷或法院保全 / Ownership dispute or court preservation"
    if f.invalidation_pending:
        return "无效宣告请求审查中 / An invalidation request is pending"
    return "无无效宣告或权属纠纷 / No invalidation request or dispute"


def _encumbrances(c: Columns) -> np.ndarray:
    return np.clip(100.0 - 50.0 * c["pledged"] - 30.0 * c["exclusive_licensed"], 0.0, 100.0)


def _encumbrances_reason(f: PatentFacts) -> str:
    parts = (["已质押 / pledged"] if f.pledged else []) + (["独占或排他许可中 / exclusive or sole licence"]
                                                           if f.exclusive_licensed else [])
    return "；".join(parts) if parts else "无质押或独占许可 / No pledge or exclusive licence"


def _ipc_breadth(c: Columns) -> np.ndarray:
    return 25.0 * np.clip(c["ipc_subclass_count"], 1, 4)


def _ipc_breadth_reason(f: PatentFacts) -> str:
    n = len(f.ipc_subclasses)
    names = "、".join(f.ipc_subclasses) or "—"
    return f"覆盖 {n} 个IPC小类（{names}），4 个及以上得满分 / {n} IPC subclasses, full marks at 4"


def _forward_citations(c: Columns) -> np.ndarray:
    return 100.0 * -np.expm1(-c["forward_citations"] / 5.0) + 0.0   # + 0.0: no "-0.0" at zero citations


def _backward_citations(c: Columns) -> np.ndarray:
    return 40.0 + 6.0 * np.minimum(c["backward_citations"], 10)


def _family(c: Columns) -> np.ndarray:
    return 20.0 + 16.0 * np.clip(c["family_size"] - 1, 0, 5)


def _foreign_filing(c: Columns) -> np.ndarray:
    return np.where(c["foreign_filing"], 100.0, 30.0)


def _inventors(c: Columns) -> np.ndarray:
    return 20.0 * np.clip(c["inventors"], 0, 5)


def _industry(c: Columns) -> np.ndarray:
    major = [INDUSTRIES.index(name) for name in sorted(MAJOR_INDUSTRIES)]
    return np.where(np.isin(c["industry"], major), 100.0, 50.0)


INDUSTRY_LABELS = {"digital": "数字经济 / digital economy", "life_health": "生命健康 / life and health",
                   "new_materials": "新材料 / new materials"}


def _industry_reason(f: PatentFacts) -> str:
    if f.industry in MAJOR_INDUSTRIES:
        zh, en = INDUSTRY_LABELS[f.industry].split(" / ")
        return f"属于三大科创高地产业：{zh} / One of the plan's three major industries: {en}"
    return "不属于三大重点产业 / Not one of the plan's three major industries"


def _licences_transfers(c: Columns) -> np.ndarray:
    return np.minimum(100.0, 20.0 + 30.0 * c["licences_transfers"])


def _implemented(c: Columns) -> np.ndarray:
    return np.where(c["implemented"], 100.0, 30.0)


def _holder_record(c: Columns) -> np.ndarray:
    return np.minimum(100.0, 40.0 + 15.0 * c["holder_closed_deals"])


INDICATORS: tuple[Indicator, ...] = (
    Indicator("legal_status", "legal", "法律状态 Legal status", _legal_status, _legal_status_reason),
    Indicator("remaining_life", "legal", "剩余保护期 Remaining term", _remaining_life,
              lambda f: f"剩余保护期 {f.remaining_years:.1f} 年，满 {FULL_LIFE_YEARS:.0f} 年得满分 / "
                        f"{f.remaining_years:.1f} years of term left, full marks at {FULL_LIFE_YEARS:.0f}"),
    Indicator("claims", "legal", "权利要求 Claims", _claims,
              lambda f: f"权利要求 {f.claims_count} 项，其中独立权利要求 {f.independent_claims} 项 / "
                        f"{f.claims_count} claims, {f.independent_claims} independent"),
    Indicator("co_ownership", "legal", "权属 Ownership", _co_ownership, _co_ownership_reason),
    Indicator("disputes", "legal", "无效与纠纷 Invalidation and disputes", _disputes, _disputes_reason),
    Indicator("encumbrances", "legal", "权利负担 Encumbrances", _encumbrances, _encumbrances_reason),
    Indicator("ipc_breadth", "technical", "技术覆盖面 IPC breadth", _ipc_breadth, _ipc_breadth_reason),
    Indicator("forward_citations", "technical", "被引次数 Forward citations", _forward_citations,
              lambda f: f"被引 {f.forward_citations} 次 / Cited {f.forward_citations} times"),
    Indicator("backward_citations", "technical", "引证文献 Backward citations", _backward_citations,
              lambda f: f"引证在先文献 {f.backward_citations} 篇 / Cites {f.backward_citations} earlier documents"),
    Indicator("family", "technical", "同族规模 Family size", _family,
              lambda f: f"同族专利 {f.family_size} 件 / {f.family_size} family members"),
    Indicator("foreign_filing", "technical", "国际申请 PCT / foreign filing", _foreign_filing,
              lambda f: "PCT国际申请 / A PCT application" if f.foreign_filing
              else "无PCT或境外申请 / No PCT or foreign filing"),
    Indicator("inventors", "technical", "发明人 Inventors", _inventors,
              lambda f: f"发明人 {f.inventors} 人，5 人及以上得满分 / {f.inventors} inventors, full marks at 5"),
    Indicator("industry", "economic", "产业领域 Industry", _industry, _industry_reason),
    Indicator("licences_transfers", "economic", "许可与转让记录 Licences and transfers", _licences_transfers,
              lambda f: f"许可与转让 {f.licences_transfers} 次 / {f.licences_transfers} licences and transfers"),
    Indicator("implemented", "economic", "实施情况 Implementation", _implemented,
              lambda f: "已实施（声明或有许可记录） / Implemented (declared or licensed)" if f.implemented
              else "未声明实施 / Not declared as implemented"),
    Indicator("holder_record", "economic", "权利人交易记录 Holder's record", _holder_record,
              lambda f: f"权利人在平台完成交易 {f.holder_closed_deals} 笔 / "
                        f"The holders closed {f.holder_closed_deals} deals on the platform"),
)
CODES = tuple(indicator.code for indicator in INDICATORS)


def score_matrix(columns: Columns) -> np.ndarray:
    """Indicator scores, shape (patents, indicators) in the order of ``INDICATORS``."""
    return np.column_stack([indicator.score(columns) for indicator in INDICATORS])


def weight_vector(weights: Mapping[str, float]) -> np.ndarray:
    missing = set(CODES) - set(weights)
    if missing:
        raise KeyError(f"权重表缺少指标 / Weights lack indicators: {', '.join(sorted(missing))}")
    return np.array([weights[code] for code in CODES], dtype=np.float64)


def total_scores(columns: Columns, weights: Mapping[str, float]) -> np.ndarray:
    """Σ weight × score per patent (0-100); 0 where the right no longer exists."""
    totals = score_matrix(columns) @ weight_vector(weights)
    return np.where(terminated_mask(columns), 0.0, totals)


def breakdown(facts: PatentFacts, weights: Mapping[str, float], *, version: str) -> dict:
    """The score of one patent with every indicator's score, weight and reason (JSON-ready)."""
    columns = to_columns([facts])
    scores = score_matrix(columns)[0]
    vector = weight_vector(weights)
    rows = []
    for indicator, score, weight in zip(INDICATORS, scores, vector, strict=True):
        rows.append({"code": indicator.code, "dimension": indicator.dimension, "label": indicator.label,
                     "score": round(float(score), 1), "weight": float(weight),
                     "weighted": round(float(score * weight), 2), "reason": indicator.reason(facts)})
    dimensions = {}
    for dimension, label in DIMENSIONS.items():
        mask = np.array([i.dimension == dimension for i in INDICATORS])
        dimensions[dimension] = {"label": label, "weight": round(float(vector[mask].sum()), 4),
                                 "score": round(float(scores[mask] @ vector[mask] / vector[mask].sum()), 1)}
    total = float(total_scores(columns, weights)[0])
    notes = []
    if facts.terminated:
        notes.append("专利权已终止或期满，总分计为 0 / The right no longer exists: the total is 0")
    return {"version": version, "total": round(total, 1), "dimensions": dimensions, "indicators": rows,
            "notes": notes}

