"""Risk-sharing pages: a bank enrols its approved loan in a scheme from the review; staff set up and see the
schemes; participants and banks see the loss shares paid."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from finance.models import RiskScheme
from finance.risk_sharing import loan_enrol, scheme_create, shares_visible_to
from market.web.sheets import MONEY_FORMAT, Column, table_xlsx

from ..finance_forms import SchemeForm
from .bank import workbook_response
from .common import call_service, errors_onto_form, flash_outcome, require_staff, shows_403_page
from .pledges import visible_loan


@login_required
@require_POST
@shows_403_page
def risk_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    """The loan's bank enrols it in a risk-sharing scheme (refused with each condition it fails)."""
    loan = visible_loan(request, pk)
    scheme = get_object_or_404(RiskScheme, pk=request.POST.get("scheme", "") if request.POST.get(
        "scheme", "").isdigit() else 0)
    outcome = call_service(loan_enrol, loan_id=loan.pk, scheme_id=scheme.pk, actor=request.user)
    flash_outcome(request, outcome, _("已纳入风险分担方案。"))
    return redirect("frontend:bank_review", loan.pk)


@login_required
@require_GET
@shows_403_page
def schemes(request: HttpRequest) -> HttpResponse:
    """Staff's view of the schemes: participants, shares, caps, loans enrolled and losses shared."""
    require_staff(request)
    rows = (RiskScheme.objects.prefetch_related("participants__organisation")
            .annotate(loans=Count("enrolments", distinct=True), shared=Sum("enrolments__shares__paid")))
    return render(request, "frontend/finance/schemes.html", {"nav": "schemes", "schemes": rows})


@login_required
@require_http_methods(["GET", "POST"])
@shows_403_page
def scheme_new(request: HttpRequest) -> HttpResponse:
    """Staff set up a risk-sharing scheme: eligibility, premium, participants with shares and caps."""
    require_staff(request)
    form = SchemeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            outcome = call_service(
                scheme_create, actor=request.user, name=data["name"], max_amount=data["max_amount"],
                max_rate_percent=data["max_rate_percent"], right_kinds=data["right_kinds"],
                industries=[i.strip() for i in data["industries"].replace("，", ",").split(",")],
                premium_rate=data["premium_rate"] / 100, holder_sizes=data["holder_sizes"],
                participants=[{**row, "share": row["share"] / 100 if row["share"] is not None else None}
                              for row in form.participants()])
            if outcome.ok:
                messages.success(request, _("风险分担方案已设立。"))
                return redirect("frontend:staff_risk_schemes")
            errors_onto_form(form, outcome.errors)
    return render(request, "frontend/finance/scheme_new.html", {"nav": "schemes", "form": form}, status=status)


@login_required
@require_GET
def risk_shares(request: HttpRequest) -> HttpResponse:
    """A participant's claims and payments (the bank: what its loans received); staff all. Excel too."""
    rows = shares_visible_to(request.user).order_by("-enrolment__split_at", "pk")[:1000]
    if request.GET.get("format") == "xlsx":
        columns = [Column(_("贷款编号"), 16), Column(_("贷款银行"), 24), Column(_("方案"), 28), Column(_("参与方"), 28),
                   Column(_("年度"), 8), Column(_("损失"), 14, MONEY_FORMAT), Column(_("按比例应分担"), 14, MONEY_FORMAT),
                   Column(_("实际赔付"), 14, MONEY_FORMAT), Column(_("分担时间"), 17)]
        return workbook_response(table_xlsx(_("风险分担赔付"), columns, [
            (s.enrolment.loan.number, s.enrolment.loan.bank.name, s.enrolment.scheme.name,
             s.participant.organisation.name if s.participant else _("贷款银行"), s.year, s.enrolment.loss, s.due,
             s.paid, s.enrolment.split_at) for s in rows]), "risk-shares")
    return render(request, "frontend/finance/shares.html", {"nav": "risk_shares", "rows": rows})
