"""Claims: an organisation joins the holdings the register gives it.

A claim names a right by its number. It is accepted at once when a holder the register records for that
right is the claimant (same unified social credit code, else same name) and has not joined yet; otherwise
it waits for trading-centre staff, who accept it for one holding or reject it, each with a reason. Once
accepted, the organisation acts as that holder: it lists, negotiates and signs, and as a co-owner it
consents to its partners' deals.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from market.access import member_of, require_centre_staff, require_member
from market.models import Claim, ClaimState, Organisation, Patent, PatentOwner, TransitionLog, User
from market.rules import Reason, RuleViolation
from market.services.errors import require_reason
from market.signals import patent_changed
from market.validators import normalise_register_number

RULE = "register"


def claims_visible_to(user: User | None) -> QuerySet[Claim]:
    """Staff see every claim; an organisation's members see its own."""
    claims = Claim.objects.filter(right_type=ContentType.objects.get_for_model(Patent)).select_related("organisation")
    if user is not None and user.is_authenticated and user.is_centre_staff:
        return claims
    organisation = member_of(user)
    return claims.filter(organisation=organisation) if organisation else claims.none()


def _patent_by_number(number: str) -> Patent:
    try:
        number = normalise_register_number(number)
    except ValidationError as exc:
        raise ValidationError({"application_number": exc.messages}) from exc
    patent = Patent.objects.filter(application_number=number).first()
    if patent is None:
        raise ValidationError({"application_number": [f"登记簿中无申请号/注册号 {number} / "
                                                      f"No patent or mark {number} on the register"]})
    return patent


def matching_holding(patent: Patent, organisation: Organisation) -> PatentOwner | None:
    """The holding the register records for ``organisation`` (credit code, else name), not yet joined."""
    free = patent.ownerships.filter(organisation__isnull=True)
    return (free.filter(credit_code=organisation.credit_code.upper()).first() if organisation.credit_code else None) \
        or free.filter(name=organisation.name).first()


def _join(holding: PatentOwner, organisation: Organisation) -> None:
    holding.organisation, holding.claimed_at = organisation, timezone.now()
    holding.save(update_fields=["organisation", "claimed_at"])
    patent_changed(holding.patent_id)


def claim_submit(*, actor: User, application_number: str, evidence: str = "") -> Claim:
    """The actor's organisation claims its holding of a patent: accepted at once when the register names it,
    else left to staff."""
    organisation = require_member(actor)
    patent = _patent_by_number(application_number)
    right_type = ContentType.objects.get_for_model(Patent)
    with transaction.atomic():
        Patent.objects.select_for_update().get(pk=patent.pk)  # one claim decision at a time per patent
        if patent.ownerships.filter(organisation=organisation).exists():
            raise RuleViolation(Reason("already_holder", RULE, f"贵机构已是 {patent.application_number} 的登记权利人 / "
                                                               "Your organisation already holds this patent"))
        if Claim.objects.filter(right_type=right_type, right_id=patent.pk, organisation=organisation,
                                state=ClaimState.PENDING).exists():
            raise RuleViolation(Reason("claim_pending", RULE, "贵机构对该专利的认领正在审核 / Your claim is being reviewed"))
        claim = Claim.objects.create(right_type=right_type, right_id=patent.pk, organisation=organisation,
                                     claimed_by=actor, evidence=evidence.strip()[:1000])
        holding = matching_holding(patent, organisation)
        if holding is not None:
            _join(holding, organisation)
            _decide(claim, ClaimState.ACCEPTED, holding=holding, actor=None,
                    reason="登记簿记载的权利人与认领机构一致 / The register names the claimant")
        else:
            TransitionLog.record(claim, transition="submit", from_state="", to_state=claim.state, actor=actor,
                                 reason=claim.evidence)
    return claim


def _decide(claim: Claim, state: str, *, holding: PatentOwner | None, actor: User | None, reason: str) -> None:
    before = claim.state
    claim.state, claim.reason, claim.decided_by, claim.decided_at = state, reason, actor, timezone.now()
    claim.holding_id = holding.pk if holding else claim.holding_id
    claim.save(update_fields=["state", "reason", "decided_by", "decided_at", "holding_id"])
    TransitionLog.record(claim, transition="accept" if state == ClaimState.ACCEPTED else "reject",
                         from_state=before, to_state=state, actor=actor, reason=reason)


def _pending(claim_id: int) -> Claim:
    claim = Claim.objects.select_for_update().get(pk=claim_id)
    if claim.state != ClaimState.PENDING:
        raise RuleViolation(Reason("claim_decided", RULE, "该认领已处理 / The claim was decided already"))
    return claim


def claim_accept(*, claim_id: int, actor: User, holding_id: int, reason: str) -> Claim:
    """Staff accept a claim for one holding the register records and no organisation has joined yet."""
    require_centre_staff(actor)
    reason = require_reason(reason, "请说明确认理由 / Give the ground of the decision")
    with transaction.atomic():
        claim = _pending(claim_id)
        holding = PatentOwner.objects.select_for_update().filter(pk=holding_id, patent_id=claim.right_id).first()
        if holding is None:
            raise ValidationError({"holding_id": ["该专利的登记簿中无此权利人 / Not a holder of this patent"]})
        if holding.organisation_id is not None:
            raise RuleViolation(Reason("holding_joined", RULE, f"{holding.name} 的份额已由 "
                                                               f"{holding.organisation.name} 认领 / Claimed already"))
        if Patent.objects.filter(pk=claim.right_id, ownerships__organisation=claim.organisation_id).exists():
            raise RuleViolation(Reason("already_holder", RULE, "该机构已是登记权利人 / Already a holder"))
        _join(holding, claim.organisation)
        _decide(claim, ClaimState.ACCEPTED, holding=holding, actor=actor, reason=reason)
    return claim


def claim_reject(*, claim_id: int, actor: User, reason: str) -> Claim:
    require_centre_staff(actor)
    reason = require_reason(reason, "请说明驳回理由 / Give the ground of refusal")
    with transaction.atomic():
        claim = _pending(claim_id)
        _decide(claim, ClaimState.REJECTED, holding=None, actor=actor, reason=reason)
    return claim
