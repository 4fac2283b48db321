"""Trading-centre staff: the review queue of listings, and deals awaiting registration or release."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from market.models import Listing, ListingState
from market.services import listings as services
from market.transfers.models import DealState, TransferDeal

from ..forms import IdempotentForm, ReasonForm, RegisterForm
from .common import Outcome, call_service, flash_errors, require_staff, shows_403_page


def render_queue(request: HttpRequest, *, outcome: Outcome | None = None, failed: tuple[int, ReasonForm] | None = None,
                 status: int = 200) -> HttpResponse:
    submitted = (Listing.objects.filter(state=ListingState.SUBMITTED).select_related("organisation")
                 .prefetch_related("patents").order_by("submitted_at", "pk"))
    deals = TransferDeal.objects.select_related("listing", "seller", "buyer", "escrow").order_by("updated_at")
    context = {
        "nav": "staff",
        "submitted": [{"listing": listing, "reject_form": failed[1] if failed and failed[0] == listing.pk
                       else ReasonForm()} for listing in submitted],
        "filed": [{"deal": d, "form": RegisterForm()} for d in deals.filter(state=DealState.FILED)],
        "registered": [{"deal": d, "form": IdempotentForm()} for d in deals.filter(state=DealState.REGISTERED)],
        "reasons": outcome.reasons if outcome else [],
    }
    return render(request, "frontend/staff/queue.html", context, status=status)


@login_required
@shows_403_page
def staff_queue(request: HttpRequest) -> HttpResponse:
    require_staff(request)
    return render_queue(request)


@login_required
@require_POST
@shows_403_page
def listing_publish(request: HttpRequest, pk: int) -> HttpResponse:
    require_staff(request)
    listing = get_object_or_404(Listing, pk=pk)
    outcome = call_service(services.listing_publish, listing_id=listing.pk, actor=request.user)
    if not outcome.ok:
        flash_errors(request, outcome.errors)
        return render_queue(request, outcome=outcome, status=409 if outcome.reasons else 400)
    messages.success(request, _("已发布：%(title)s") % {"title": listing.title})
    return redirect("frontend:staff_queue")


@login_required
@require_POST
@shows_403_page
def listing_reject(request: HttpRequest, pk: int) -> HttpResponse:
    require_staff(request)
    listing = get_object_or_404(Listing, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return render_queue(request, failed=(listing.pk, form), status=400)
    outcome = call_service(services.listing_reject, listing_id=listing.pk, actor=request.user,
                           reason=form.cleaned_data["reason"])
    if not outcome.ok:
        flash_errors(request, outcome.errors)
        return render_queue(request, outcome=outcome, failed=(listing.pk, form), status=409 if outcome.reasons else 400)
    messages.success(request, _("已驳回：%(title)s") % {"title": listing.title})
    return redirect("frontend:staff_queue")
