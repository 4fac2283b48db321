"""Claiming holdings on the register: an organisation's patents and claims, and the staff's queue of claims."""

from __future__ import annotations

from collections import Counter, defaultdict

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from market.access import require_centre_staff, require_member
from market.models import (
    ClaimState,
    Encumbrance,
    EncumbranceKind,
    Listing,
    ListingState,
    Organisation,
    OrganisationKind,
    Patent,
    PatentOwner,
)
from market.models.encumbrances import LICENCE_KINDS
from market.register import claims as services
from valuation.models import ValuationRequestState
from valuation.requests import requests_visible_to
from valuation.selectors import valuations_visible_to

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


def _portfolio(holdings: list[PatentOwner], user) -> list[PatentOwner]:
    """Each holding with what the register and the flows say of its right: listings, encumbrances in force by
    kind, the latest valuation the user may see and the valuation orders (a fixed number of queries)."""
    ids = [h.patent_id for h in holdings]
    listings: dict[int, list[Listing]] = defaultdict(list)
    for listing in Listing.objects.filter(patents__in=ids).exclude(state=ListingState.WITHDRAWN).annotate(
            right=F("patents")).order_by("-created_at"):
        listings[listing.right].append(listing)
    burdens: dict[int, Counter] = defaultdict(Counter)
    for patent_id, kind in Encumbrance.objects.in_force().filter(patent_id__in=ids).values_list("patent_id", "kind"):
        burdens[patent_id]["licence" if kind in LICENCE_KINDS else kind] += 1
    latest = {}
    for valuation in valuations_visible_to(user).filter(patent_id__in=ids).order_by("patent_id", "-created_at", "-pk"):
        latest.setdefault(valuation.patent_id, valuation)
    orders: dict[int, list] = defaultdict(list)
    for order in requests_visible_to(user).filter(patent_id__in=ids, state=ValuationRequestState.REQUESTED):
        orders[order.patent_id].append(order)
    for holding in holdings:
        holding.listings = listings[holding.patent_id]
        holding.licences = burdens[holding.patent_id]["licence"]
        holding.pledges = burdens[holding.patent_id][EncumbranceKind.PLEDGE]
        holding.valuation = latest.get(holding.patent_id)
        holding.orders = orders[holding.patent_id]
    return holdings


def _my_patents_page(request: HttpRequest, *, form: ClaimForm | None = None, status: int = 200) -> HttpResponse:
    """The organisation's portfolio: every right it holds on the register, searchable, with its listings,
    licences, pledges and valuations; claims of more rights below."""
    organisation = require_member(request.user)
    q = request.GET.get("q", "").strip()[:100]
    holdings = (PatentOwner.objects.filter(organisation=organisation).select_related("patent")
                .order_by("patent__application_number"))
    if q:
        holdings = holdings.filter(Q(patent__application_number__icontains=q) | Q(patent__title__icontains=q))
    page = Paginator(holdings, 30).get_page(request.GET.get("page"))
    return render(request, "frontend/holder/patents.html", {
        "nav": "patents", "organisation": organisation, "page": page, "q": q,
        "holdings": _portfolio(list(page.object_list), request.user), "form": form or ClaimForm(),
        "claims": _with_patents(services.claims_visible_to(request.user)[:50]),
        "agencies": Organisation.objects.acting_as(OrganisationKind.VALUATION_AGENCY).order_by("name"),
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
