"""Formal valuations ordered from a valuation agency: who may order one, the agency's completion (value with
the module's inputs, then sign off) or refusal, and who sees which request."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from market.access import own_or_staff, require_member
from market.extensions import providers
from market.models import Organisation, OrganisationKind, Patent, TransitionLog, User
from market.rules import Reason, RuleViolation
from market.services.errors import ActionForbidden

from .models import ValuationRequest, ValuationRequestState
from .services import valuation_create, valuation_sign_off

R = ValuationRequestState


def requests_visible_to(user: User | None) -> QuerySet[ValuationRequest]:
    """The requester and the agency see a request; staff see all."""
    return own_or_staff(ValuationRequest.objects.select_related("patent", "requester", "agency", "valuation", "loan"),
                        user, "requester_id", "agency_id")


def _url(request: ValuationRequest) -> str:
    try:
        return reverse("frontend:valuation_request", args=[request.pk])
    except NoReverseMatch:
        return ""


def valuation_request_create(*, actor: User, patent_id: int, agency_id: int, purpose: str,
                             note: str = "") -> ValuationRequest:
    """A holder of the right orders a formal valuation of it (a bank orders for a loan's collateral through
    the pledge flow, which checks the loan is its own)."""
    org = require_member(actor)
    patent = Patent.objects.get(pk=patent_id)
    if not patent.ownerships.filter(organisation=org).exists():
        raise ActionForbidden("只有权利人或该贷款的银行可以委托评估 / Only the holder, or the loan's bank, may order a "
                              "valuation")
    return record_order(actor=actor, patent=patent, agency_id=agency_id, purpose=purpose, note=note)


def record_order(*, actor: User, patent: Patent, agency_id: int, purpose: str, note: str = "",
                 loan=None) -> ValuationRequest:
    """Record an order its caller has allowed, addressed to a verified valuation agency; an open order of the
    same right from the same agency is returned rather than repeated."""
    org = require_member(actor)
    agency = Organisation.objects.acting_as(OrganisationKind.VALUATION_AGENCY).filter(pk=agency_id).first()
    if agency is None:
        raise RuleViolation(Reason("agency_not_verified", "valuation",
                                   "所选机构不是经认证的评估机构 / The organisation chosen is not a verified valuation "
                                   "agency"))
    with transaction.atomic():
        open_order = ValuationRequest.objects.select_for_update().filter(
            patent=patent, requester=org, agency=agency, state=R.REQUESTED).first()
        if open_order is not None:
            return open_order
        request = ValuationRequest.objects.create(
            patent=patent, loan=loan, requester=org, requested_by=actor, agency=agency,
            purpose=(purpose or "").strip()[:100] or "质押融资", note=(note or "").strip()[:2000])
        TransitionLog.record(request, transition="request", from_state="", to_state=R.REQUESTED, actor=actor,
                             reason=f"委托评估 {patent.patent_number}：{request.purpose}")
        transaction.on_commit(lambda: providers.notify(
            key=f"valuation-request:{request.pk}", kind="valuation_request", organisations=[agency],
            title=f"新的评估委托：{patent.patent_number}（{org.name}）", body=request.note, url=_url(request)))
    return request


def _agency_request(actor: User, request_id: int) -> ValuationRequest:
    """The open request addressed to the actor's agency (locked); refused for anyone else."""
    org = require_member(actor)
    request = ValuationRequest.objects.select_for_update().select_related("patent", "requester").get(pk=request_id)
    if request.agency_id != org.pk or not org.is_valuation_agency:
        raise ActionForbidden("只有受托评估机构可以办理该委托 / Only the agency instructed may act on this request")
    if request.state != R.REQUESTED:
        raise RuleViolation(Reason("request_closed", "valuation",
                                   f"该委托{request.get_state_display().split(' ')[0]} / This request is closed"))
    return request


def valuation_request_complete(*, actor: User, request_id: int, inputs: Mapping) -> ValuationRequest:
    """The agency values the right with ``inputs`` (the module's, checked field by field) and signs the
    valuation off: one transaction; the requester is told after commit."""
    with transaction.atomic():
        request = _agency_request(actor, request_id)
        valuation = valuation_create(patent_id=request.patent_id, actor=actor, inputs=inputs)
        valuation_sign_off(valuation_id=valuation.pk, actor=actor)
        request.valuation, request.state, request.decided_at = valuation, R.COMPLETED, timezone.now()
        request.save(update_fields=["valuation", "state", "decided_at"])
        TransitionLog.record(request, transition="complete", from_state=R.REQUESTED, to_state=R.COMPLETED, actor=actor,
                             reason=f"评估 {valuation.number} 已签署 / Valuation {valuation.number} signed off")
        transaction.on_commit(lambda: providers.notify(
            key=f"valuation-request:{request.pk}:completed", kind="valuation_request",
            organisations=[request.requester], url=_url(request),
            title=f"评估已完成：{request.patent.patent_number}（{valuation.number}）",
            body=f"P10 ¥{valuation.p10:,.2f} · P50 ¥{valuation.p50:,.2f} · P90 ¥{valuation.p90:,.2f}"))
    return request


def valuation_request_decline(*, actor: User, request_id: int, reason: str) -> ValuationRequest:
    """The agency declines the order with its reason."""
    if not (reason or "").strip():
        raise ValidationError({"reason": ["请填写谢绝理由 / Give the reason"]})
    with transaction.atomic():
        request = _agency_request(actor, request_id)
        request.state, request.decline_reason, request.decided_at = R.DECLINED, reason.strip()[:2000], timezone.now()
        request.save(update_fields=["state", "decline_reason", "decided_at"])
        TransitionLog.record(request, transition="decline", from_state=R.REQUESTED, to_state=R.DECLINED, actor=actor,
                             reason=request.decline_reason)
        transaction.on_commit(lambda: providers.notify(
            key=f"valuation-request:{request.pk}:declined", kind="valuation_request",
            organisations=[request.requester], url=_url(request),
            title=f"评估委托被谢绝：{request.patent.patent_number}", body=request.decline_reason))
    return request


def open_requests_for(org: Organisation | None) -> QuerySet[ValuationRequest]:
    """What waits for an agency: the open requests addressed to it."""
    if org is None:
        return ValuationRequest.objects.none()
    return ValuationRequest.objects.filter(agency=org, state=R.REQUESTED)


__all__ = ["open_requests_for", "record_order", "requests_visible_to", "valuation_request_complete", "valuation_request_create",
           "valuation_request_decline"]
