"""The bank's pages: the review queue (and its Excel export), the review of one application with the
collateral summary, the bank's loans, and the monitoring page. Trading-centre staff see every bank's."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from market.pledges.collateral import queue_workbook
from market.pledges.models import REVIEW_STATES, PledgeLoanState
from market.pledges.selectors import alerts_visible_to, book_by_right, loans_by_right, loans_visible_to

from .common import shows_403_page
from .pledges import render_review, visible_loan

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def require_bank(request: HttpRequest) -> None:
    org = request.user.organisation
    if not (request.user.is_centre_staff or (org is not None and org.is_bank)):
        raise PermissionDenied("只有银行和交易中心工作人员可以访问 / Banks and trading-centre staff only")


def bank_loans(request: HttpRequest):
    """The loans addressed to the user's bank (all of them for staff)."""
    qs = loans_visible_to(request.user).prefetch_related("patents")
    if not request.user.is_centre_staff:
        qs = qs.filter(bank_id=request.user.organisation_id)
    return qs


@login_required
@require_GET
@shows_403_page
def queue(request: HttpRequest) -> HttpResponse:
    """Applications awaiting the bank's decision, oldest first, with the rest of its applications below."""
    require_bank(request)
    loans = bank_loans(request)
    waiting = list(loans.filter(state__in=REVIEW_STATES).order_by("created_at", "pk"))
    decided = loans.filter(state__in=(PledgeLoanState.APPROVED, PledgeLoanState.REJECTED, PledgeLoanState.WITHDRAWN,
                                      PledgeLoanState.SIGNED, PledgeLoanState.FILED)).order_by("-updated_at")[:50]
    return render(request, "frontend/bank/queue.html", {"nav": "bank", "waiting": waiting, "decided": decided})


@login_required
@require_GET
@shows_403_page
def queue_export(request: HttpRequest) -> HttpResponse:
    """The queue as an Excel workbook (one row per application, with its collateral summary)."""
    require_bank(request)
    loans = list(bank_loans(request).filter(state__in=REVIEW_STATES).order_by("created_at", "pk"))
    response = HttpResponse(queue_workbook(loans, user=request.user), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="pledge-queue-{timezone.localdate():%Y%m%d}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
@shows_403_page
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """One application under review: the collateral summary and the decision (approve / more info / reject)."""
    require_bank(request)
    loan = visible_loan(request, pk)
    if loan.party_of(request.user.organisation) != "bank" and not request.user.is_centre_staff:
        raise PermissionDenied("质押物审查仅贷款银行可见 / Only the bank reviews the collateral")
    return render_review(request, loan)


@login_required
@require_GET
@shows_403_page
def loans(request: HttpRequest) -> HttpResponse:
    """The bank's loans from approval on (staff: every bank's); defaulted ones offer the auction."""
    require_bank(request)
    rows = bank_loans(request).exclude(state__in=REVIEW_STATES).order_by("-updated_at")
    state, right = request.GET.get("state", ""), request.GET.get("right", "")
    if state in PledgeLoanState.values:
        rows = rows.filter(state=state)
    book = book_by_right(rows)
    rows = loans_by_right(rows, right)
    defaulted = bank_loans(request).filter(state=PledgeLoanState.DEFAULTED).order_by("defaulted_at", "pk")
    return render(request, "frontend/bank/loans.html", {
        "nav": "bank", "loans": rows[:200], "state": state, "states": PledgeLoanState.choices, "defaulted": defaulted,
        "right": right, "book": book})


@login_required
@require_GET
@shows_403_page
def monitoring(request: HttpRequest) -> HttpResponse:
    """Monitoring alerts of the bank's pledged loans: open ones first, then the recently cleared."""
    require_bank(request)
    alerts = alerts_visible_to(request.user)
    if not request.user.is_centre_staff:
        alerts = alerts.filter(loan__bank_id=request.user.organisation_id)
    return render(request, "frontend/bank/monitoring.html", {
        "nav": "monitoring", "open": alerts.filter(cleared_at__isnull=True).order_by("-raised_at", "-pk")[:200],
        "cleared": alerts.filter(cleared_at__isnull=False).order_by("-cleared_at", "-pk")[:50]})
