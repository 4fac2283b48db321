"""The bank's desk: its queue, loan book and alerts as tables a credit officer works through.

Each table reads its filters, search, sort and page from the query string (``DeskQuery``); the loan book
carries, per loan, the outstanding principal, the maturity, the next instalment and the days overdue as
SQL annotations, so that every column sorts in the database and a page costs a few queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from market.money import ZERO
from market.pledges.models import (
    ALERT_SEVERITY,
    REVIEW_STATES,
    AlertSeverity,
    Instalment,
    InstalmentStatus,
    PledgeAlert,
    PledgeAlertKind,
    PledgeLoan,
    PledgeLoanState,
)
from market.pledges.selectors import loans_by_right
from market.web.labels import pick_half, pick_language
from market.web.sheets import MONEY_FORMAT, Column, table_xlsx

PAGE_SIZE = 25
MONEY = DecimalField(max_digits=15, decimal_places=2)
UNPAID = (InstalmentStatus.SCHEDULED, InstalmentStatus.OVERDUE)

# Columns a table may be sorted by: the name in the query string → the field (descending with a leading "-").
QUEUE_SORTS = {"submitted": "created_at", "amount": "amount_requested", "term": "term_months",
               "applicant": "applicant__name", "number": "pk"}
BOOK_SORTS = {"number": "pk", "applicant": "applicant__name", "amount": "amount", "outstanding": "outstanding",
              "rate": "rate_percent", "maturity": "maturity", "next_due": "next_due_date",
              "overdue": "overdue_since", "updated": "updated_at"}
ALERT_SORTS = {"raised": "raised_at", "loan": "loan_id", "kind": "kind"}

ALERT_STATUSES = ("open", "acknowledged", "cleared")


@dataclass(frozen=True)
class DeskQuery:
    """What a desk table was asked for: search words, filters, the sort column and the page."""

    q: str = ""
    filters: Mapping[str, str] | None = None
    sort: str = ""
    page: str = "1"

    @classmethod
    def from_get(cls, params: Mapping[str, str], filters: tuple[str, ...], sorts: Mapping[str, str],
                 default_sort: str) -> DeskQuery:
        sort = params.get("sort", "")
        if sort.lstrip("-") not in sorts:
            sort = default_sort
        return cls(q=params.get("q", "").strip()[:100], filters={name: params.get(name, "") for name in filters},
                   sort=sort, page=params.get("page", "1"))

    def get(self, name: str) -> str:
        return (self.filters or {}).get(name, "")

    def order(self, sorts: Mapping[str, str]) -> list:
        """The ordering of the sort column (newest first without one), then the newest first among equals."""
        if self.sort.lstrip("-") not in sorts:
            return ["-pk"]
        field = sorts[self.sort.lstrip("-")]
        descending = self.sort.startswith("-")
        return [F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True), "-pk"]


def paged(rows: QuerySet, query: DeskQuery) -> Page:
    """One page of ``rows`` (the last one when the page asked for is past the end)."""
    return Paginator(rows, PAGE_SIZE).get_page(query.page)


def _search(loans: QuerySet[PledgeLoan], q: str) -> QuerySet[PledgeLoan]:
    """Loans whose number, applicant or pledged right's number or title holds ``q``."""
    if not q:
        return loans
    condition = (Q(applicant__name__icontains=q) | Q(patents__application_number__icontains=q)
                 | Q(patents__title__icontains=q))
    digits = q.upper().removeprefix("ZY")
    if digits.isdigit() and len(digits) >= 6:
        condition |= Q(pk=int(digits[-6:]))
    return loans.filter(pk__in=PledgeLoan.objects.filter(condition).values("pk"))


def queue_rows(loans: QuerySet[PledgeLoan], query: DeskQuery) -> QuerySet[PledgeLoan]:
    """Applications awaiting the bank's decision, filtered (state, right), searched and sorted."""
    rows = loans.filter(state__in=REVIEW_STATES)
    if query.get("state") in REVIEW_STATES:
        rows = rows.filter(state=query.get("state"))
    rows = _search(loans_by_right(rows, query.get("right")), query.q)
    return rows.prefetch_related("patents").order_by(*query.order(QUEUE_SORTS))


def with_book_columns(loans: QuerySet[PledgeLoan]) -> QuerySet[PledgeLoan]:
    """``loans`` annotated with the loan book's columns (None where a loan has no schedule yet)."""
    instalments = Instalment.objects.filter(loan=OuterRef("pk"))
    unpaid = instalments.filter(status__in=UNPAID).order_by("due_date", "number")
    repaid = (instalments.order_by().values("loan").annotate(total=Sum("paid_principal")).values("total"))
    return loans.annotate(
        repaid_principal=Coalesce(Subquery(repaid, output_field=MONEY), Value(ZERO, output_field=MONEY)),
        outstanding=Case(
            When(disbursed_on__isnull=False, amount__isnull=False,
                 then=ExpressionWrapper(F("amount") - F("repaid_principal") - F("written_off_principal"),
                                        output_field=MONEY)),
            default=Value(ZERO, output_field=MONEY), output_field=MONEY),
        maturity=Subquery(instalments.order_by("-due_date").values("due_date")[:1]),
        next_due_date=Subquery(unpaid.values("due_date")[:1]),
        next_due_principal=Subquery(unpaid.values("principal")[:1], output_field=MONEY),
        next_due_interest=Subquery(unpaid.values("interest")[:1], output_field=MONEY),
        next_due_paid=Subquery(unpaid.annotate(paid=F("paid_principal") + F("paid_interest")).values("paid")[:1],
                               output_field=MONEY),
        overdue_since=Subquery(instalments.filter(status=InstalmentStatus.OVERDUE)
                               .order_by("overdue_since").values("overdue_since")[:1]),
    )


def book_rows(loans: QuerySet[PledgeLoan], query: DeskQuery) -> QuerySet[PledgeLoan]:
    """The loan book from approval on: filtered (state, right, overdue only), searched, sorted, annotated."""
    rows = loans.exclude(state__in=REVIEW_STATES)
    if query.get("state") in PledgeLoanState.values:
        rows = rows.filter(state=query.get("state"))
    rows = with_book_columns(_search(loans_by_right(rows, query.get("right")), query.q))
    if query.get("overdue"):
        rows = rows.filter(overdue_since__isnull=False)
    return rows.select_related("applicant", "bank").order_by(*query.order(BOOK_SORTS))


@dataclass(frozen=True)
class BookLine:
    """One loan of the book with what its columns show."""

    loan: PledgeLoan
    outstanding: Decimal
    maturity: dt.date | None
    next_due_date: dt.date | None
    next_due_amount: Decimal | None
    days_overdue: int


def book_lines(loans, on: dt.date | None = None) -> list[BookLine]:
    """The annotated loans of ``book_rows`` (a page or all) as lines, with the days overdue on ``on``."""
    on = on or timezone.localdate()
    lines = []
    for loan in loans:
        due = None
        if loan.next_due_date is not None:
            due = loan.next_due_principal + loan.next_due_interest - (loan.next_due_paid or ZERO)
        lines.append(BookLine(loan=loan, outstanding=loan.outstanding, maturity=loan.maturity,
                              next_due_date=loan.next_due_date, next_due_amount=due,
                              days_overdue=(on - loan.overdue_since).days if loan.overdue_since else 0))
    return lines


def alert_rows(alerts: QuerySet[PledgeAlert], query: DeskQuery) -> QuerySet[PledgeAlert]:
    """Alerts filtered by status (open, acknowledged, cleared), severity and kind, searched and sorted."""
    status = query.get("status")
    if status == "open":
        alerts = alerts.filter(cleared_at__isnull=True, acknowledged_at__isnull=True)
    elif status == "acknowledged":
        alerts = alerts.filter(cleared_at__isnull=True, acknowledged_at__isnull=False)
    elif status == "cleared":
        alerts = alerts.filter(cleared_at__isnull=False)
    severity = query.get("severity")
    if severity in AlertSeverity.values:
        alerts = alerts.filter(kind__in=[kind for kind, level in ALERT_SEVERITY.items() if level == severity])
    if query.get("kind") in PledgeAlertKind.values:
        alerts = alerts.filter(kind=query.get("kind"))
    if query.q:
        alerts = alerts.filter(loan__in=_search(PledgeLoan.objects.all(), query.q).values("pk"))
    return alerts.select_related("loan", "loan__applicant", "patent", "acknowledged_by").order_by(
        *query.order(ALERT_SORTS))


def book_workbook(lines: list[BookLine], *, with_bank: bool) -> bytes:
    """The loan book as it is filtered and sorted on the page, every page of it."""
    columns = [Column(_("贷款编号"), 16), Column(_("出质人"), 28)] + ([Column(_("银行"), 24)] if with_bank else []) + [
        Column(_("状态"), 12), Column(_("批准金额"), 14, MONEY_FORMAT), Column(_("未偿本金"), 14, MONEY_FORMAT),
        Column(_("年利率(%)"), 10, "0.000"), Column(_("到期日"), 12), Column(_("下期应还日"), 12),
        Column(_("下期应还金额"), 14, MONEY_FORMAT), Column(_("逾期天数"), 10)]
    rows = [(line.loan.number, line.loan.applicant.name) + ((line.loan.bank.name,) if with_bank else ()) + (
        pick_language(line.loan.get_state_display()), line.loan.amount, line.outstanding, line.loan.rate_percent,
        line.maturity, line.next_due_date, line.next_due_amount, line.days_overdue) for line in lines]
    return table_xlsx(_("质押贷款台账"), columns, rows)


def alerts_workbook(alerts) -> bytes:
    """The alerts as they are filtered on the monitoring page, with their acknowledgement."""
    columns = [Column(_("发生时间"), 17), Column(_("级别"), 8), Column(_("类型"), 22), Column(_("贷款编号"), 16),
               Column(_("出质人"), 28), Column(_("专利/商标号"), 18), Column(_("说明"), 50, wrap=True),
               Column(_("确认时间"), 17), Column(_("处理说明"), 30, wrap=True), Column(_("解除时间"), 17)]

    def moment(value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    rows = [(moment(a.raised_at), pick_language(a.get_severity_display()), pick_language(a.get_kind_display()),
             a.loan.number, a.loan.applicant.name, a.patent.application_number if a.patent else "",
             pick_half(a.message), moment(a.acknowledged_at), a.acknowledgement_note, moment(a.cleared_at))
            for a in alerts]
    return table_xlsx(_("贷后预警"), columns, rows)
