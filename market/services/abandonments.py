"""Abandonment of a patent: request, consents (co-owners, pledgees), execute or cancel."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from market.models import (
    AbandonmentRequest,
    AbandonmentState,
    Consent,
    ConsentPurpose,
    LegalStatus,
    Listing,
    ListingState,
    Patent,
    TransitionLog,
    User,
)
from market.rules import RuleViolation, abandonment_blockers
from market.signals import listing_changed, patent_changed

from .consents import consent_give
from .errors import ActionForbidden, state_refusal
from .transitions import apply_transition


def _locked(request_id: int) -> AbandonmentRequest:
    return AbandonmentRequest.objects.select_for_update().select_related("patent", "organisation").get(pk=request_id)


def abandonment_request(*, patent_id: int, actor: User, reason: str = "") -> AbandonmentRequest:
    """The holder asks to abandon a patent; nothing changes on the register until it is executed."""
    with transaction.atomic():
        patent = Patent.objects.select_for_update().get(pk=patent_id)
        if actor.organisation is None or not patent.ownerships.filter(organisation=actor.organisation).exists():
            raise ActionForbidden("只有专利权人可以申请放弃 / Only the patentee may abandon the patent")
        if AbandonmentRequest.objects.filter(patent=patent, state=AbandonmentState.REQUESTED).exists():
            raise ValidationError({"patent_id": ["该专利已有待处理的放弃申请 / An abandonment request is already open"]})
        request = AbandonmentRequest.objects.create(patent=patent, organisation=actor.organisation, requested_by=actor,
                                                    reason=reason)
        TransitionLog.record(request, transition="request", from_state="", to_state=request.state, actor=actor,
                             reason=reason)
    return request


def abandonment_consent(*, request_id: int, actor: User, note: str = "") -> Consent:
    """A co-owner or the pledgee records its written consent to this abandonment."""
    with transaction.atomic():
        request = _locked(request_id)
        if request.state != AbandonmentState.REQUESTED:
            raise state_refusal(request, "同意放弃")
        consent, _ = consent_give(patent=request.patent, deal=request, actor=actor, holder=request.organisation,
                                  purpose=ConsentPurpose.ABANDON, note=note)
    return consent


def abandonment_execute(*, request_id: int, actor: User) -> AbandonmentRequest:
    """Abandon the patent: refused while a pledgee or co-owner has not consented; its listings are withdrawn."""
    with transaction.atomic():
        request = _locked(request_id)
        if request.party_of(actor.organisation) is None:
            raise ActionForbidden("只有申请放弃的专利权人可以执行 / Only the requesting patentee may do this")
        if reasons := abandonment_blockers(request.patent, holder=request.organisation, deal=request):
            raise RuleViolation(reasons)
        apply_transition(request, "execute", actor=actor, label="放弃专利权", reason=request.reason)
        patent = request.patent
        patent.legal_status = LegalStatus.ABANDONED
        patent.save(update_fields=["legal_status", "updated_at"])
        patent_changed(patent.pk)
        open_states = (ListingState.DRAFT, ListingState.SUBMITTED, ListingState.PUBLISHED, ListingState.REJECTED)
        for listing in Listing.objects.select_for_update().filter(patents=patent, state__in=open_states):
            apply_transition(listing, "withdraw", actor=actor, reason="专利权已放弃 / The patent was abandoned")
            listing_changed(listing.pk)
    return request


def abandonment_cancel(*, request_id: int, actor: User) -> AbandonmentRequest:
    """The holder withdraws its request."""
    with transaction.atomic():
        request = _locked(request_id)
        if request.party_of(actor.organisation) is None:
            raise ActionForbidden("只有申请放弃的专利权人可以撤销 / Only the requesting patentee may do this")
        apply_transition(request, "cancel", actor=actor, label="撤销放弃申请")
    return request
