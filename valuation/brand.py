"""Valuing a registered trademark (商标价值评估): relief from royalty on the revenue of the goods the mark is
used on, at a brand royalty rate, over the brand's life counting renewals, times the mark's risks.

- Life: the current term left plus ten years for each renewal counted (``MARK_RENEWALS_COUNTED``): a mark
  is renewed as of right (Trademark Law art. 40), but each renewal must be applied for.
- Risk (``MARK_RISK_FACTORS``, verify): a mark not used for three consecutive years may be revoked on
  anyone's request (art. 49): registered three years or more and not declared used ×0.6; an ownership
  dispute or court seizure ×0.5; a renewal due (the window or the grace period is running) ×0.9; a mark
  cancelled, revoked, invalidated or expired unrenewed is worth 0.
- Brand score (0-100, the pledge advice's base): registration age (30), use (25), breadth of classes (15),
  licences and sales on record (15), a clean register (15). Stated weights (verify), not fitted.

The patent indicators and comparables do not apply to a mark; the income method is its only method.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from market.models import LegalStatus, Patent

from .facts import PatentFacts

INCOME_ONLY = ("注册商标采用收益法（许可费节省法）评估 / A registered mark is valued by the income method (relief "
               "from royalty)")
QUICK_NOTE = ("注册商标的价值取决于使用该商标的商品的营业收入，平台无此数据：请委托正式评估 / A mark's value depends on "
              "the revenue of its goods, which the platform does not hold: order a formal valuation")
TERM_YEARS = 10


def life_with_renewals(right: Patent, on: dt.date, config: Mapping) -> float:
    """Years of the brand's legal life from ``on``: the current term left plus the renewals counted."""
    if right.status_on(on) != LegalStatus.GRANTED:
        return 0.0
    return right.remaining_years(on) + TERM_YEARS * int(config["MARK_RENEWALS_COUNTED"])


def years_registered(right: Patent, on: dt.date) -> float:
    return max(0.0, (on - right.grant_date).days / 365.25) if right.grant_date else 0.0


def mark_risk(right: Patent, facts: PatentFacts, *, used: bool, on: dt.date, config: Mapping) -> tuple[float, list[str]]:
    """The multiplier on the mark's value and the lines that explain it."""
    if right.status_on(on) != LegalStatus.GRANTED:
        return 0.0, ["注册商标已注销、撤销、无效或期满未续展，价值为 0 / The registration no longer stands: its value "
                     "is 0"]
    factors = config["MARK_RISK_FACTORS"]
    flags = {
        "not_used": (not used and years_registered(right, on) >= 3,
                     "注册满三年未声明使用，存在连续三年不使用被撤销的风险（商标法第四十九条） / Registered three years "
                     "without declared use: revocable for non-use (Trademark Law art. 49)"),
        "disputed": (facts.disputed, "权属纠纷或被查封、冻结 / Ownership disputed or seized"),
        "renewal_due": (on >= right.mark.renewal_opens,
                        "续展期或宽展期内，须办理续展 / The renewal is due (window or grace period)"),
    }
    factor, lines = 1.0, []
    for name, (on_flag, label) in flags.items():
        if on_flag:
            factor *= float(factors[name])
            lines.append(f"{label}：×{float(factors[name]):.2f}")
    return factor, lines


def brand_score(right: Patent, facts: PatentFacts, *, used: bool, on: dt.date) -> dict:
    """The mark's brand-strength score with one row per part (the shape of a patent's score breakdown)."""
    if right.status_on(on) != LegalStatus.GRANTED:
        parts = []
    else:
        age = years_registered(right, on)
        classes = len(right.mark.nice_classes)
        parts = [
            ("age", "注册年限 / Years registered", min(age, 20) / 20 * 30, 30, f"{age:.1f} 年 / years"),
            ("use", "使用 / In use", 25.0 if used else 0.0, 25, "已声明使用 / declared used" if used else
             "未声明使用 / not declared used"),
            ("breadth", "类别 / Classes", min(classes, 5) / 5 * 15, 15, f"{classes} 类 / classes"),
            ("record", "许可与转让记录 / Licences and sales", min(facts.licences_transfers, 3) / 3 * 15, 15,
             f"{facts.licences_transfers} 次 / on record"),
            ("clean", "登记簿无纠纷 / Clean register", 0.0 if facts.disputed else 15.0, 15,
             "存在纠纷或查封 / disputed or seized" if facts.disputed else "无 / none"),
        ]
    rows = [{"code": code, "dimension": "brand", "label": label, "score": round(score / weight * 100, 1),
             "weight": weight / 100, "weighted": round(score, 2), "reason": reason}
            for code, label, score, weight, reason in parts]
    total = round(sum(row["weighted"] for row in rows), 1)
    notes = [] if parts else ["注册商标已不存在，总分计为 0 / The registration no longer stands: the total is 0"]
    return {"version": "brand-2026.1", "total": total,
            "dimensions": {"brand": {"label": "品牌强度 / Brand strength", "weight": 1.0, "score": total}},
            "indicators": rows, "notes": notes}
