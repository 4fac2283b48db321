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
from .trademark import companion_reasons, rule_for

RULE = "transfer"


def transfer_blockers(patent: Patent, *, seller: Organisation, deal: models.Model | None = None) -> list[Reason]:
    """Reasons the seller may not transfer ``patent`` now (within ``deal``, whose consents count).

    A pending patent application may be transferred (the right to apply), so only terminated rights
    block; fees, suspension, the register holder, co-owners and pledgees are checked. A mark must be
    registered and standing (Trademark Law art. 42).
    """
    rule = rule_for(RULE, patent)
    pending_application = patent.legal_status == "pending" and not patent.is_trademark
    reasons = [] if pending_application else in_force_reasons(patent, rule)
    reasons += annual_fee_reasons(patent, rule)
    reasons += suspension_reasons(patent, rule)
    reasons += holder_reasons(patent, seller, rule)
    reasons += co_owner_reasons(patent, seller, ConsentPurpose.TRANSFER, deal, rule)
    reasons += pledgee_reasons(patent, ConsentPurpose.TRANSFER, deal, rule)
    return reasons


def package_transfer_blockers(patents: list[Patent], *, seller: Organisation) -> list[Reason]:
    """Reasons about the deal's rights together: a holder's identical or similar marks on similar goods are
    transferred together (Trademark Law art. 42)."""
    return companion_reasons(patents, seller, RULE)
