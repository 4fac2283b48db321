"""Written consents of co-owners and pledgees to one deal on one patent (Patent Law art. 14, Civil Code art. 444)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models

from market.models import Consent, ConsentCapacity, Organisation, Patent, PatentOwner, User
from market.rules.common import active_pledges

from .errors import ActionForbidden


def consent_give(*, patent: Patent, deal: models.Model, actor: User, holder: Organisation, purpose: str,
                 note: str = "") -> tuple[Consent, bool]:
    """Record the actor's organisation's consent to ``deal`` as a co-owner (other than ``holder``) or a pledgee.

    Runs inside the caller's transaction (with the deal locked). Returns (consent, created); giving
    it again changes nothing. Anyone else is refused.
    """
    org = actor.organisation
    if org and PatentOwner.objects.filter(patent=patent, organisation=org).exclude(organisation=holder).exists():
        capacity = ConsentCapacity.CO_OWNER
    elif org and active_pledges(patent).filter(beneficiary=org).exists():
        capacity = ConsentCapacity.PLEDGEE
    else:
        raise ActionForbidden("只有共有人或质权人可以出具同意 / Only a co-owner or the pledgee may consent")
    return Consent.objects.get_or_create(
        patent=patent, organisation=org, capacity=capacity, purpose=purpose,
        deal_type=ContentType.objects.get_for_model(deal), deal_id=deal.pk,
        defaults={"given_by": actor, "note": note})
