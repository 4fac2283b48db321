"""Transfer (转让; Patent Law art. 10, Civil Code art. 444)."""

from __future__ import annotations

from django.db import models

from market.models import ConsentPurpose, Organisation, Patent

from .base import Reason
from .common import (
    annual_fee_reasons,
    co_owner_reasons,
    holder_reasons,
    in_force_reasons,
    pledgee_reasons,
    suspension_reasons,
)

RULE = "transfer"


def transfer_blockers(patent: Patent, *, seller: Organisation, deal: models.Model | None = None) -> list[Reason]:
    """Reasons the seller may not transfer ``patent`` now (within ``deal``, whose consents count).

    A pending application may be transferred (the right to apply), so only terminated rights
    block; fees, suspension, the register holder, co-owners and pledgees are checked.
    """
    reasons = [] if patent.legal_status == "pending" else in_force_reasons(patent, RULE)
    reasons += annual_fee_reasons(patent, RULE)
    reasons += suspension_reasons(patent, RULE)
    reasons += holder_reasons(patent, seller, RULE)
    reasons += co_owner_reasons(patent, seller, ConsentPurpose.TRANSFER, deal, RULE)
    reasons += pledgee_reasons(patent, ConsentPurpose.TRANSFER, deal, RULE)
    return reasons
