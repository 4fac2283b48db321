"""Pledge (质押; Civil Code art. 428, 专利权质押登记办法 2021): the patent-side grounds of refusal.

The grounds that need the pledge contract (debt term, required items, 流质 clause, the
same-day invention/utility-model filing, confirmations) are checked by the pledge registration
itself with the contract in hand; ``debt_end`` lets a pre-check test ground 6 early.
"""

from __future__ import annotations

import datetime as dt

from django.db import models

from market.models import ConsentPurpose, LegalStatus, Organisation, Patent

from .base import Reason
from .common import (
    active_pledges,
    annual_fee_reasons,
    co_owner_reasons,
    holder_reasons,
    in_force_reasons,
    noun,
    suspension_reasons,
)
from .trademark import companion_reasons, rule_for

RULE = "pledge"


def pledge_blockers(patent: Patent, *, pledgor: Organisation, debt_end: dt.date | None = None,
                    deal: models.Model | None = None, invalidation_confirmed: bool = False) -> list[Reason]:
    """Reasons ``pledgor`` may not pledge ``patent`` now (grounds 1-6, 8, 9, 11 of the registry; for a mark,
    the trademark office's grounds: not the registered holder, cancelled, revoked, expired unrenewed, seized
    or frozen, co-owners' consent, and the platform's one pledge at a time)."""
    if patent.is_trademark:
        return _mark_pledge_blockers(patent, pledgor=pledgor, deal=deal)
    reasons = holder_reasons(patent, pledgor, RULE)                                   # ground 1
    if patent.legal_status == LegalStatus.PENDING:                                    # ground 3
        reasons.append(Reason("not_granted", RULE, "仅为专利申请，尚未授权 / Only an application, not granted"))
    else:
        reasons += in_force_reasons(patent, RULE)                                     # ground 2
    reasons += annual_fee_reasons(patent, RULE)                                       # ground 4
    reasons += suspension_reasons(patent, RULE)                                       # ground 5
    if debt_end and debt_end > patent.expiry_date:                                    # ground 6
        reasons.append(Reason("debt_past_expiry", RULE,
                              f"债务履行期届满日晚于专利权期限（{patent.expiry_date:%Y-%m-%d}） / "
                              f"The debt ends after the patent's term ({patent.expiry_date:%Y-%m-%d})"))
    reasons += co_owner_reasons(patent, pledgor, ConsentPurpose.PLEDGE, deal, RULE)   # ground 8
    reasons += already_pledged_reasons(patent, RULE)                                  # ground 9
    if patent.invalidation_pending and not invalidation_confirmed:                    # ground 11
        reasons.append(Reason("invalidation_pending", RULE,
                              "无效宣告程序已启动，需双方知情确认 / "
                              "An invalidation procedure has started: both parties must confirm"))
    return reasons


def already_pledged_reasons(patent: Patent, rule: str) -> list[Reason]:
    return [Reason("already_pledged", rule, f"{noun(patent)}已质押给{pledge.holder_label}且尚未注销 / "
                                            f"Already pledged to {pledge.holder_label}, still registered")
            for pledge in active_pledges(patent)]


def _mark_pledge_blockers(right: Patent, *, pledgor: Organisation, deal: models.Model | None) -> list[Reason]:
    rule = rule_for(RULE, right)
    reasons = holder_reasons(right, pledgor, rule)
    reasons += in_force_reasons(right, rule)
    reasons += suspension_reasons(right, rule)
    reasons += co_owner_reasons(right, pledgor, ConsentPurpose.PLEDGE, deal, rule)
    reasons += already_pledged_reasons(right, rule)
    return reasons


def package_pledge_blockers(patents: list[Patent], *, pledgor: Organisation,
                            about: list[Patent] | None = None) -> list[Reason]:
    """Reasons about the pledged rights together: a holder's identical or similar marks on similar goods are
    pledged together (the trademark office's pledge procedure); ``about``: those of these rights only."""
    return companion_reasons(patents, pledgor, RULE, about=about)
