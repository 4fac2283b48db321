"""The bank's pages: the review queue (and its Excel export), the review of one application with the
collateral summary, the bank's loans, and the monitoring page. Trading-centre staff see every bank's."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from market.pledges import desk
from market.pledges.collateral import queue_workbook
from market.pledges.models import REVIEW_STATES, AlertSeverity, PledgeAlertKind, PledgeLoanState
from market.pledges.selectors import alerts_visible_to, book_by_right, loans_visible_to
from market.pledges.services.monitoring import alert_acknowledge
from market.web.sheets import XLSX

from .common import call_service, flash_outcome, shows_403_page
from .pledges import render_review, visible_loan

QUEUE_FILTERS = ("state", "right")
BOOK_FILTERS = ("state", "right", "overdue")
ALERT_FILTERS = ("status", "severity", "kind")


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


def workbook_response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate():%Y%m%d}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response


def queue_query(request: HttpRequest) -> desk.DeskQuery:
    return desk.DeskQuery.from_get(request.GET, QUEUE_FILTERS, desk.QUEUE_SORTS, "submitted")


@login_required
@require_GET
@shows_403_page
def queue(request: HttpRequest) -> HttpResponse:
    """Applications awaiting the bank's decision (filters, search, sortable columns, pages), oldest first by
    default, with the recently decided below."""
    require_bank(request)
    loans = bank_loans(request)
    query = queue_query(request)
    page = desk.paged(desk.queue_rows(loans, query), query)
    decided = loans.filter(state__in=(PledgeLoanState.APPROVED, PledgeLoanState.REJECTED, PledgeLoanState.WITHDRAWN,
                                      PledgeLoanState.SIGNED, PledgeLoanState.FILED)).order_by("-updated_at")[:20]
    return render(request, "frontend/bank/queue.html", {
        "nav": "bank", "page": page, "query": query, "decided": decided,
        "states": [(value, label) for value, label in PledgeLoanState.choices if value in REVIEW_STATES]})


@login_required
@require_GET
@shows_403_page
def queue_export(request: HttpRequest) -> HttpResponse:
    """The queue as filtered on the page, as an Excel workbook (one row per application, with its collateral)."""
    require_bank(request)
    loans = list(desk.queue_rows(bank_loans(request), queue_query(request)))
    return workbook_response(queue_workbook(loans, user=request.user), "pledge-queue")


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


def book_query(request: HttpRequest) -> desk.DeskQuery:
    return desk.DeskQuery.from_get(request.GET, BOOK_FILTERS, desk.BOOK_SORTS, "-updated")


@login_required
@require_GET
@shows_403_page
def loans(request: HttpRequest) -> HttpResponse:
    """The bank's loan book from approval on (staff: every bank's): outstanding principal, rate, maturity,
    next instalment and days overdue, filtered, searched, sorted and paged; defaulted ones offer the auction."""
    require_bank(request)
    query = book_query(request)
    rows = desk.book_rows(bank_loans(request), query)
    page = desk.paged(rows, query)
    defaulted = bank_loans(request).filter(state=PledgeLoanState.DEFAULTED).order_by("defaulted_at", "pk")
    return render(request, "frontend/bank/loans.html", {
        "nav": "bank", "page": page, "lines": desk.book_lines(page.object_list), "query": query,
        "states": PledgeLoanState.choices, "defaulted": defaulted,
        "book": book_by_right(bank_loans(request).exclude(state__in=REVIEW_STATES))})


@login_required
@require_GET
@shows_403_page
def loans_export(request: HttpRequest) -> HttpResponse:
    """The loan book as filtered and sorted on the page, every page of it."""
    require_bank(request)
    lines = desk.book_lines(desk.book_rows(bank_loans(request), book_query(request)))
    return workbook_response(desk.book_workbook(lines, with_bank=request.user.is_centre_staff), "pledge-loans")


def bank_alerts(request: HttpRequest):
    alerts = alerts_visible_to(request.user)
    if not request.user.is_centre_staff:
        alerts = alerts.filter(loan__bank_id=request.user.organisation_id)
    return alerts


def alert_query(request: HttpRequest) -> desk.DeskQuery:
    params = request.GET.copy()
    params.setdefault("status", "open")
    return desk.DeskQuery.from_get(params, ALERT_FILTERS, desk.ALERT_SORTS, "-raised")


@login_required
@require_GET
@shows_403_page
def monitoring(request: HttpRequest) -> HttpResponse:
    """Monitoring alerts of the bank's pledged loans by status (open by default), severity and kind, each
    linked to its loan, with the bank's acknowledgement."""
    require_bank(request)
    query = alert_query(request)
    alerts = bank_alerts(request)
    page = desk.paged(desk.alert_rows(alerts, query), query)
    labels = {"open": _("待处理"), "acknowledged": _("已确认"), "cleared": _("已解除")}
    tabs = [(status, labels[status],
             desk.alert_rows(alerts, desk.DeskQuery(filters={"status": status}, sort="-raised")).count())
            for status in desk.ALERT_STATUSES]
    return render(request, "frontend/bank/monitoring.html", {
        "nav": "monitoring", "page": page, "query": query, "status_tabs": tabs, "severities": AlertSeverity.choices,
        "kinds": PledgeAlertKind.choices, "may_acknowledge": not request.user.is_centre_staff})


@login_required
@require_GET
@shows_403_page
def monitoring_export(request: HttpRequest) -> HttpResponse:
    require_bank(request)
    return workbook_response(desk.alerts_workbook(desk.alert_rows(bank_alerts(request), alert_query(request))),
                             "pledge-alerts")


@login_required
@require_POST
@shows_403_page
def alert_acknowledge_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The loan's bank acknowledges an alert, with a note of what it does about it."""
    require_bank(request)
    alert = get_object_or_404(bank_alerts(request), pk=pk)
    outcome = call_service(alert_acknowledge, alert_id=alert.pk, actor=request.user,
                           note=request.POST.get("note", "").strip())
    flash_outcome(request, outcome, _("已确认预警：%(loan)s") % {"loan": alert.loan.number})
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    return redirect(back or "frontend:bank_monitoring")
