"""Abandonment (放弃专利权): the holder may abandon only with every co-owner's and each pledgee's consent."""

from __future__ import annotations

from django.db import models

from market.models import ConsentPurpose, LegalStatus, Organisation, Patent

from .base import Reason
from .common import co_owner_reasons, holder_reasons, pledgee_reasons, suspension_reasons
from .trademark import not_for_marks

RULE = "abandonment"


def abandonment_blockers(patent: Patent, *, holder: Organisation, deal: models.Model | None = None) -> list[Reason]:
    """Reasons ``holder`` may not abandon ``patent`` now (consents recorded on ``deal`` count)."""
    if reasons := not_for_marks(patent, RULE, "放弃专利权"):
        return reasons
    reasons = holder_reasons(patent, holder, RULE)
    if patent.legal_status not in (LegalStatus.GRANTED, LegalStatus.PENDING):
        reasons.append(Reason("already_terminated", RULE, "专利权已终止，无需放弃 / The right has already ended"))
    reasons += suspension_reasons(patent, RULE)
    reasons += co_owner_reasons(patent, holder, ConsentPurpose.ABANDON, deal, RULE)
    reasons += pledgee_reasons(patent, ConsentPurpose.ABANDON, deal, RULE)
    return reasons
