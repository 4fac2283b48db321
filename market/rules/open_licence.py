"""Open licence (开放许可; Patent Law arts. 50-52, Implementing Regulations 2023)."""

from __future__ import annotations

from django.db import models

from market.models import ConsentPurpose, EncumbranceKind, Organisation, Patent, PatentKind

from .base import Reason
from .common import (
    active,
    annual_fee_reasons,
    co_owner_reasons,
    exclusive_licence_reasons,
    holder_reasons,
    in_force_reasons,
    pledgee_reasons,
    suspension_reasons,
)
from .trademark import not_for_marks

RULE = "open_licence"


def open_licence_blockers(patent: Patent, *, holder: Organisation, deal: models.Model | None = None,
                          has_evaluation_report: bool = False) -> list[Reason]:
    """Reasons ``holder`` may not declare an open licence on ``patent`` now (a patent's act: not for a mark)."""
    if reasons := not_for_marks(patent, RULE, "开放许可"):
        return reasons
    reasons = in_force_reasons(patent, RULE)
    reasons += annual_fee_reasons(patent, RULE)
    reasons += suspension_reasons(patent, RULE)
    reasons += holder_reasons(patent, holder, RULE)
    reasons += exclusive_licence_reasons(patent, RULE)
    reasons += co_owner_reasons(patent, holder, ConsentPurpose.OPEN_LICENCE, deal, RULE)
    reasons += pledgee_reasons(patent, ConsentPurpose.OPEN_LICENCE, deal, RULE)
    if active(patent, EncumbranceKind.OPEN_LICENCE).exists():
        reasons.append(Reason("open_licence_already_declared", RULE,
                              "已有有效的开放许可声明 / An open-licence declaration already stands"))
    if patent.kind in (PatentKind.UTILITY_MODEL, PatentKind.DESIGN) and not has_evaluation_report:
        reasons.append(Reason("evaluation_report_missing", RULE,
                              "实用新型和外观设计须提交专利权评价报告 / "
                              "A utility model or design needs its patent evaluation report"))
    return reasons


def open_licence_take_up_blockers(patent: Patent, *, holder: Organisation, licensee: Organisation) -> list[Reason]:
    """Reasons ``licensee`` may not take a licence under ``holder``'s standing declaration now.

    What can have changed since the declaration was published: the patent left force, its annual
    fee fell overdue, procedures were suspended, or the declarant is no longer the registered
    holder. Pledgees and co-owners consented to the declaration itself, which covers every take-up.
    """
    if reasons := not_for_marks(patent, RULE, "开放许可"):
        return reasons
    reasons = in_force_reasons(patent, RULE)
    reasons += annual_fee_reasons(patent, RULE)
    reasons += suspension_reasons(patent, RULE)
    reasons += holder_reasons(patent, holder, RULE)
    if licensee.pk == holder.pk:
        reasons.append(Reason("own_declaration", RULE,
                              "不能获得本机构开放许可声明的许可 / You cannot take a licence under your own declaration"))
    return reasons
