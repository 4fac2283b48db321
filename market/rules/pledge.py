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
    suspension_reasons,
)

RULE = "pledge"


def pledge_blockers(patent: Patent, *, pledgor: Organisation, debt_end: dt.date | None = None,
                    deal: models.Model | None = None, invalidation_confirmed: bool = False) -> list[Reason]:
    """Reasons ``pledgor`` may not pledge ``patent`` now (grounds 1-6, 8, 9, 11 of the registry)."""
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
    for pledge in active_pledges(patent):                                             # ground 9
        reasons.append(Reason("already_pledged", RULE,
                              f"专利权已质押给{pledge.holder_label}且尚未注销 / "
                              f"Already pledged to {pledge.holder_label}, still registered"))
    if patent.invalidation_pending and not invalidation_confirmed:                    # ground 11
        reasons.append(Reason("invalidation_pending", RULE,
                              "无效宣告程序已启动，需双方知情确认 / "
                              "An invalidation procedure has started: both parties must confirm"))
    return reasons
