"""The valuation pages: the agency's desk (the requests addressed to it and its signed valuations), one
request (value and sign off, or decline), one valuation (results, score, advice, report), and ordering a
formal valuation (a bank from its review, a holder from its portfolio)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from market.models import Document, DocumentState, Patent
from market.pledges.selectors import loans_visible_to
from market.pledges.services.applications import pledge_valuation_order
from market.selectors import timeline
from market.web.labels import pick_half
from valuation.inputs import ValuationInputError
from valuation.models import Valuation, ValuationRequestState
from valuation.requests import (
    requests_visible_to,
    valuation_request_complete,
    valuation_request_create,
    valuation_request_decline,
)
from valuation.selectors import sees_pledge_advice, valuations_visible_to
from valuation.services import valuation_report_request

from ..valuation_forms import DeclineForm, OrderForm, ValuationForm
from .common import call_service, flash_errors, flash_outcome, shows_403_page

R = ValuationRequestState


def require_agency_or_staff(request: HttpRequest) -> None:
    org = request.user.organisation
    if not (request.user.is_centre_staff or (org is not None and org.is_valuation_agency)):
        raise PermissionDenied("只有评估机构和交易中心工作人员可以访问 / Valuation agencies and trading-centre staff only")


@login_required
@require_GET
@shows_403_page
def desk(request: HttpRequest) -> HttpResponse:
    """The agency's desk: requests waiting for it, those it closed, and the valuations it signed off."""
    require_agency_or_staff(request)
    requests = requests_visible_to(request.user)
    signed = valuations_visible_to(request.user).filter(signed_off_at__isnull=False)
    if not request.user.is_centre_staff:
        signed = signed.filter(signed_off_organisation_id=request.user.organisation_id)
    return render(request, "frontend/valuations/desk.html", {
        "nav": "valuations", "waiting": requests.filter(state=R.REQUESTED).order_by("created_at", "pk"),
        "closed": requests.exclude(state=R.REQUESTED).order_by("-decided_at", "-pk")[:50],
        "signed": signed.order_by("-signed_off_at", "-pk")[:50]})


def render_request(request: HttpRequest, order, *, form: ValuationForm | None = None,
                   decline_form: DeclineForm | None = None, status: int = 200) -> HttpResponse:
    agency_acts = order.state == R.REQUESTED and order.agency_id == request.user.organisation_id
    history = valuations_visible_to(request.user).filter(patent=order.patent).order_by("-created_at", "-pk")[:20]
    return render(request, "frontend/valuations/request.html", {
        "nav": "valuations", "order": order, "patent": order.patent, "agency_acts": agency_acts,
        "form": form or (ValuationForm() if agency_acts else None),
        "decline_form": decline_form or (DeclineForm() if agency_acts else None),
        "history": history, "timeline": timeline(order), "machine": "valuation_request"}, status=status)


def visible_request(request: HttpRequest, pk: int):
    return get_object_or_404(requests_visible_to(request.user), pk=pk)


@login_required
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_request(request, visible_request(request, pk))


def _field_errors(errors: dict) -> dict[str, list[str]]:
    """The module's nested field errors ({"income": {"revenue": [...]}}) by the form's field names."""
    flat: dict[str, list[str]] = {}
    for key, value in errors.items():
        for name, messages_of_field in (_field_errors(value).items() if isinstance(value, dict) else [(key, value)]):
            flat.setdefault(name, []).extend(messages_of_field)
    return flat


@login_required
@require_POST
@shows_403_page
def request_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """The agency values the right with its inputs and signs the valuation off."""
    order = visible_request(request, pk)
    form = ValuationForm(request.POST)
    if not form.is_valid():
        return render_request(request, order, form=form, status=400)
    try:
        outcome = call_service(valuation_request_complete, actor=request.user, request_id=order.pk, inputs=form.inputs())
    except ValuationInputError as exc:
        for name, messages_of_field in _field_errors(exc.errors).items():
            for message in messages_of_field:
                form.add_error(name if name in form.fields else None, pick_half(message))
        return render_request(request, order, form=form, status=400)
    if not outcome.ok:
        flash_outcome(request, outcome)
        return render_request(request, visible_request(request, pk), form=form, status=409 if outcome.reasons else 400)
    messages.success(request, _("评估已完成并签署：%(number)s") % {"number": outcome.result.valuation.number})
    return redirect("frontend:valuation_detail", outcome.result.valuation_id)


@login_required
@require_POST
@shows_403_page
def request_decline(request: HttpRequest, pk: int) -> HttpResponse:
    order = visible_request(request, pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return render_request(request, order, decline_form=form, status=400)
    outcome = call_service(valuation_request_decline, actor=request.user, request_id=order.pk,
                           reason=form.cleaned_data["reason"])
    flash_outcome(request, outcome, _("已谢绝该评估委托。"))
    return redirect("frontend:valuation_request", order.pk)


@login_required
@require_POST
@shows_403_page
def request_create(request: HttpRequest) -> HttpResponse:
    """Order a formal valuation (from a bank's review or a holder's portfolio); back to where it was ordered."""
    form = OrderForm(request.POST)
    if not form.is_valid():
        flash_errors(request, form.errors)
        return redirect("frontend:my_patents")
    data = form.cleaned_data
    get_object_or_404(Patent, pk=data["patent_id"])
    if data.get("loan_id"):
        get_object_or_404(loans_visible_to(request.user), pk=data["loan_id"])
        outcome = call_service(pledge_valuation_order, loan_id=data["loan_id"], actor=request.user,
                               patent_id=data["patent_id"], agency_id=data["agency"].pk, note=data["note"])
    else:
        outcome = call_service(valuation_request_create, actor=request.user, patent_id=data["patent_id"],
                               agency_id=data["agency"].pk, purpose=data["purpose"], note=data["note"])
    if not outcome.ok:
        flash_outcome(request, outcome)
        return redirect("frontend:bank_review", data["loan_id"]) if data.get("loan_id") else redirect(
            "frontend:my_patents")
    messages.success(request, _("已委托%(agency)s评估，委托号 %(number)s。") % {
        "agency": data["agency"].name, "number": outcome.result.number})
    return redirect("frontend:valuation_request", outcome.result.pk)


def valuation_documents(valuation: Valuation) -> list[Document]:
    return list(Document.objects.filter(deal_type=ContentType.objects.get_for_model(Valuation), deal_id=valuation.pk)
                .latest_versions().order_by("requested_at", "pk"))


@login_required
@require_GET
def valuation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One valuation: the range of the headline method, the score, the advice (banks, staff), the report."""
    valuation = get_object_or_404(valuations_visible_to(request.user), pk=pk)
    documents = valuation_documents(valuation)
    return render(request, "frontend/valuations/valuation.html", {
        "nav": "valuations", "valuation": valuation, "patent": valuation.patent,
        "headline": valuation.results["methods"][valuation.method], "show_pledge": sees_pledge_advice(request.user),
        "documents": documents, "can_download": True,
        "documents_pending": any(d.state == DocumentState.PENDING for d in documents)})


@login_required
@require_POST
def valuation_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue the valuation's numbered report (rendered by the worker; the page lists it)."""
    valuation = get_object_or_404(valuations_visible_to(request.user), pk=pk)
    valuation_report_request(valuation_id=valuation.pk)
    messages.success(request, _("评估报告正在生成。"))
    return redirect("frontend:valuation_detail", valuation.pk)
