"""My workspace: my organisation's listings (create, submit, withdraw) and its deals."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from market.models import Listing
from market.services import listings as services
from market.transfers.models import TransferDeal

from ..forms import ListingCreateForm
from ..worklist import bank_queues, staff_queues, worklist
from .common import Outcome, call_service, flash_errors, shows_403_page


def render_workspace(request: HttpRequest, *, form: ListingCreateForm | None = None, outcome: Outcome | None = None,
                     status: int = 200) -> HttpResponse:
    org = request.user.organisation
    waiting, waited = worklist(request.user)
    context = {"nav": "workspace", "organisation": org, "reasons": outcome.reasons if outcome else [],
               "waiting": waiting, "waited": waited,
               "queues": staff_queues() if request.user.is_centre_staff else
               bank_queues(request.user) if org is not None and org.is_bank else []}
    if org is not None:
        deals = (TransferDeal.objects.filter(Q(seller=org) | Q(buyer=org))
                 .select_related("listing", "seller", "buyer").order_by("-updated_at"))
        context.update({
            "listings": Listing.objects.filter(organisation=org).prefetch_related("patents").order_by("-created_at"),
            "form": form or ListingCreateForm(organisation=org),
            "deals_as_buyer": [d for d in deals if d.buyer_id == org.pk],
            "deals_as_seller": [d for d in deals if d.seller_id == org.pk],
        })
    return render(request, "frontend/holder/workspace.html", context, status=status)


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    """Each role's start page (where signing in lands): what waits for it and what it waits for; a valuation
    agency's is its desk."""
    org = request.user.organisation
    if org is not None and org.is_valuation_agency:
        return redirect("frontend:valuation_desk")
    return render_workspace(request)


@login_required
@require_POST
@shows_403_page
def listing_create(request: HttpRequest) -> HttpResponse:
    """Create a draft listing; the holder submits it for review afterwards."""
    form = ListingCreateForm(request.POST, organisation=request.user.organisation)
    if not form.is_valid():
        return render_workspace(request, form=form, status=400)
    data = form.cleaned_data
    outcome = call_service(services.listing_create, actor=request.user, title=data["title"], mode=data["mode"],
                           patent_ids=[p.pk for p in data["patent_ids"]], asking_price=data["asking_price"],
                           description=data["description"])
    if not outcome.ok:
        flash_errors(request, outcome.errors)
        return render_workspace(request, form=form, outcome=outcome, status=409 if outcome.reasons else 400)
    messages.success(request, _("挂牌草稿已创建：%(title)s。确认无误后请提交审核。") % {"title": outcome.result.title})
    return redirect("frontend:workspace")


def _listing_step(request: HttpRequest, pk: int, service, done: str) -> HttpResponse:
    listing = get_object_or_404(Listing, pk=pk, organisation_id=request.user.organisation_id)
    outcome = call_service(service, listing_id=listing.pk, actor=request.user)
    if not outcome.ok:
        flash_errors(request, outcome.errors)
        return render_workspace(request, outcome=outcome, status=409 if outcome.reasons else 400)
    messages.success(request, done % {"title": listing.title})
    return redirect("frontend:workspace")


@login_required
@require_POST
@shows_403_page
def listing_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _listing_step(request, pk, services.listing_submit, _("已提交审核：%(title)s"))


@login_required
@require_POST
@shows_403_page
def listing_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _listing_step(request, pk, services.listing_withdraw, _("已撤回：%(title)s"))
