"""Risk-sharing pages: a bank enrols its approved loan in a scheme from the review; staff see the schemes."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from finance.models import RiskScheme
from finance.risk_sharing import loan_enrol

from .common import call_service, flash_outcome, require_staff, shows_403_page
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
