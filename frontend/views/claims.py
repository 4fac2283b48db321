"""Claiming holdings on the register: an organisation's patents and claims, and the staff's queue of claims."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from market.access import require_centre_staff, require_member
from market.models import ClaimState, Patent, PatentOwner
from market.register import claims as services

from ..forms import ReasonForm
from .common import call_service, flash_errors, flash_outcome, shows_403_page


class ClaimForm(forms.Form):
    application_number = forms.CharField(label=gettext_lazy("申请号"), max_length=20)
    evidence = forms.CharField(label=gettext_lazy("说明（可选）"), max_length=1000, required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))


class ClaimDecisionForm(ReasonForm):
    holding_id = forms.IntegerField(required=False, widget=forms.HiddenInput)


def _with_patents(claims) -> list:
    claims = list(claims)
    patents = Patent.objects.in_bulk([c.right_id for c in claims])
    for claim in claims:
        claim.patent = patents.get(claim.right_id)
    return claims


def _my_patents_page(request: HttpRequest, *, form: ClaimForm | None = None, status: int = 200) -> HttpResponse:
    organisation = require_member(request.user)
    holdings = (PatentOwner.objects.filter(organisation=organisation).select_related("patent")
                .order_by("patent__application_number"))
    return render(request, "frontend/holder/patents.html", {
        "nav": "patents", "organisation": organisation, "holdings": holdings, "form": form or ClaimForm(),
        "claims": _with_patents(services.claims_visible_to(request.user)[:50]),
    }, status=status)


@login_required
@shows_403_page
def my_patents(request: HttpRequest) -> HttpResponse:
    return _my_patents_page(request)


@login_required
@require_POST
@shows_403_page
def claim_submit(request: HttpRequest) -> HttpResponse:
    form = ClaimForm(request.POST)
    if not form.is_valid():
        return _my_patents_page(request, form=form, status=400)
    outcome = call_service(services.claim_submit, actor=request.user, **form.cleaned_data)
    if not outcome.ok:
        flash_outcome(request, outcome)
        return _my_patents_page(request, form=form, status=409 if outcome.reasons else 400)
    claim = outcome.result
    if claim.state == ClaimState.ACCEPTED:
        messages.success(request, _("认领成功：登记簿记载的权利人与贵机构一致。"))
    else:
        messages.info(request, _("认领已提交，等待交易中心审核。"))
    return redirect("frontend:my_patents")


@login_required
@shows_403_page
def staff_claims(request: HttpRequest) -> HttpResponse:
    require_centre_staff(request.user)
    pending = _with_patents(services.claims_visible_to(request.user).filter(state=ClaimState.PENDING))
    for claim in pending:
        claim.holdings = list(claim.patent.ownerships.all()) if claim.patent else []
    decided = _with_patents(services.claims_visible_to(request.user).exclude(state=ClaimState.PENDING)[:30])
    return render(request, "frontend/staff/claims.html", {
        "nav": "claims", "pending": pending, "decided": decided, "form": ClaimDecisionForm()})


@login_required
@require_POST
@shows_403_page
def staff_claim_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    require_centre_staff(request.user)
    if decision not in ("accept", "reject"):
        raise Http404
    get_object_or_404(services.claims_visible_to(request.user), pk=pk)
    form = ClaimDecisionForm(request.POST)
    if not form.is_valid():
        flash_errors(request, form.errors)
        return redirect("frontend:staff_claims")
    reason = form.cleaned_data["reason"]
    if decision == "accept":
        outcome = call_service(services.claim_accept, claim_id=pk, actor=request.user, reason=reason,
                               holding_id=form.cleaned_data["holding_id"])
    else:
        outcome = call_service(services.claim_reject, claim_id=pk, actor=request.user, reason=reason)
    flash_outcome(request, outcome, _("认领已确认。") if decision == "accept" else _("认领已驳回。"))
    return redirect("frontend:staff_claims")
