"""Trading-centre staff and registered marks: find a mark, see the marks that resemble it on similar goods,
and decide whether they are similar (with a reason; the transfer and pledge rules follow the decision)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from market.access import require_centre_staff
from market.models import Patent, PatentKind
from market.trademarks.services import mark_similarity_decide
from market.trademarks.similarity import similar_marks

from ..forms import ReasonForm
from .common import call_service, flash_errors, flash_outcome, shows_403_page


class SimilarityForm(ReasonForm):
    similar = forms.TypedChoiceField(label=gettext_lazy("判定"), coerce=lambda value: value == "yes",
                                     choices=(("yes", gettext_lazy("近似")), ("no", gettext_lazy("不近似"))))


def _marks():
    return Patent.objects.filter(kind=PatentKind.TRADEMARK).select_related("mark")


@login_required
@shows_403_page
def staff_marks(request: HttpRequest) -> HttpResponse:
    """Marks on the register by number or text."""
    require_centre_staff(request.user)
    q = request.GET.get("q", "").strip()
    marks = _marks().order_by("application_number")
    if q:
        marks = marks.filter(Q(application_number=q.strip("第号")) | Q(mark__mark_text__contains=q))
    return render(request, "frontend/staff/marks.html", {"nav": "marks", "q": q, "marks": marks[:100]})


@login_required
@shows_403_page
def staff_mark(request: HttpRequest, pk: int) -> HttpResponse:
    """One mark and the registered marks resembling it on similar goods, with staff's decisions."""
    require_centre_staff(request.user)
    right = get_object_or_404(_marks(), pk=pk)
    return render(request, "frontend/staff/mark.html", {
        "nav": "marks", "right": right, "similar": similar_marks(right), "form": SimilarityForm()})


@login_required
@require_POST
@shows_403_page
def staff_mark_decide(request: HttpRequest, pk: int, other: int) -> HttpResponse:
    require_centre_staff(request.user)
    get_object_or_404(_marks(), pk=pk)
    form = SimilarityForm(request.POST)
    if not form.is_valid():
        flash_errors(request, form.errors)
        return redirect("frontend:staff_mark", pk=pk)
    outcome = call_service(mark_similarity_decide, actor=request.user, mark_id=pk, other_id=other,
                           similar=form.cleaned_data["similar"], reason=form.cleaned_data["reason"])
    flash_outcome(request, outcome, _("判定已记录。"))
    return redirect("frontend:staff_mark", pk=pk)
