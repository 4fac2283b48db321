"""Receivable pledges (应收账款质押): the licensor applies, the bank reviews the royalties' value and registers
or declines; pledgor, bank, the licensees and staff read the pledge, its collections and its certificate."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from finance import receivable_pledges as rp
from finance.models import ReceivablePledgeState
from market.access import member_of
from market.selectors import timeline
from market.web.sheets import MONEY_FORMAT, Column, table_xlsx

from ..finance_forms import ReceivablePledgeForm
from ..forms import IdempotentForm, ReasonForm
from .bank import workbook_response
from .common import call_service, errors_onto_form, flash_errors, flash_outcome, shows_403_page
from .licences import documents_of

S = ReceivablePledgeState


@login_required
@require_GET
def receivable_pledges(request: HttpRequest) -> HttpResponse:
    """The pledges the user's organisation made, took (bank) or pays (licensee); staff see all. Excel too."""
    qs = rp.pledges_visible_to(request.user).prefetch_related("collections")
    state = request.GET.get("state", "")
    if state in S.values:
        qs = qs.filter(state=state)
    rows = [(p, rp.collected(p), rp.outstanding(p)) for p in qs[:500]]
    if request.GET.get("format") == "xlsx":
        columns = [Column(_("编号"), 14), Column(_("出质人"), 28), Column(_("质权银行"), 24), Column(_("状态"), 12),
                   Column(_("融资金额"), 14, MONEY_FORMAT), Column(_("被担保债权"), 14, MONEY_FORMAT),
                   Column(_("已回收"), 14, MONEY_FORMAT), Column(_("待清偿"), 14, MONEY_FORMAT),
                   Column(_("登记编号"), 22), Column(_("期限至"), 12)]
        return workbook_response(table_xlsx(_("应收账款质押"), columns, [
            (p.number, p.pledgor.name, p.bank.name, p.get_state_display(), p.amount, p.secured_amount, got, left,
             p.registration_number, p.end_date) for p, got, left in rows]), "receivable-pledges")
    org = member_of(request.user)
    return render(request, "frontend/receivables/list.html", {
        "nav": "receivable_pledges", "rows": rows, "state": state, "states": S.choices,
        "can_apply": org is not None and not org.is_bank and not org.is_staff_org})


@login_required
@require_http_methods(["GET", "POST"])
@shows_403_page
def receivable_pledge_new(request: HttpRequest) -> HttpResponse:
    """The licensor chooses licences whose royalties it pledges, the bank and the loan's terms."""
    org = member_of(request.user)
    if org is None:
        raise Http404
    licences = rp.pledgeable_licences(org)
    form = ReceivablePledgeForm(request.POST or None, licences=licences)
    status, reasons = 200, []
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            outcome = call_service(rp.receivable_pledge_apply, actor=request.user, bank_id=data["bank"].pk,
                                   licence_ids=[lic.pk for lic in data["licences"]], amount=data["amount"],
                                   rate_percent=data["rate_percent"], end_date=data["end_date"])
            if outcome.ok:
                messages.success(request, _("应收账款质押申请已提交，等待银行审查。"))
                return redirect("frontend:receivable_pledge", outcome.result.pk)
            errors_onto_form(form, outcome.errors)
            reasons = outcome.reasons
            status = 409 if outcome.reasons else 400
    return render(request, "frontend/receivables/new.html", {"nav": "receivable_pledges", "form": form,
                                                              "reasons": reasons, "has_licences": licences.exists()},
                  status=status)


def _visible(request: HttpRequest, pk: int):
    return get_object_or_404(rp.pledges_visible_to(request.user), pk=pk)


@login_required
@require_GET
def receivable_pledge(request: HttpRequest, pk: int) -> HttpResponse:
    """One pledge: parties, terms, the registry's record, each licence's value, collections, documents."""
    pledge = _visible(request, pk)
    org = member_of(request.user)
    is_bank = org is not None and org.pk == pledge.bank_id and org.is_bank
    is_pledgor = org is not None and org.pk == pledge.pledgor_id
    values, total = rp.pledge_value(pledge)
    return render(request, "frontend/receivables/detail.html", {
        "nav": "receivable_pledges", "pledge": pledge, "values": values, "total_value": total,
        "collected": rp.collected(pledge), "outstanding": rp.outstanding(pledge),
        "collections": pledge.collections.order_by("-pk"), "documents": documents_of(pledge),
        "timeline": timeline(pledge), "can_download": is_bank or is_pledgor or request.user.is_centre_staff,
        "can_decide": is_bank and pledge.state == S.APPLIED, "can_withdraw": is_pledgor and pledge.state == S.APPLIED,
        "can_repay": is_pledgor and pledge.state == S.REGISTERED, "decline_form": ReasonForm(),
        "repay_form": IdempotentForm()})


ACTIONS = {
    "register": (lambda pledge, request: rp.receivable_pledge_register(pledge_id=pledge.pk, actor=request.user),
                 None, gettext_lazy("已批准并登记，融资款已发放。")),
    "decline": (lambda pledge, request, data: rp.receivable_pledge_decline(pledge_id=pledge.pk, actor=request.user,
                                                                           reason=data["reason"]),
                ReasonForm, gettext_lazy("已拒绝该申请。")),
    "withdraw": (lambda pledge, request: rp.receivable_pledge_withdraw(pledge_id=pledge.pk, actor=request.user),
                 None, gettext_lazy("申请已撤回。")),
    "repay": (lambda pledge, request, data: rp.receivable_pledge_repay(
        pledge_id=pledge.pk, actor=request.user, idempotency_key=data["idempotency_key"]),
        IdempotentForm, gettext_lazy("已清偿，质押登记已注销。")),
}


@login_required
@require_POST
@shows_403_page
def receivable_pledge_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One action on the pledge: each service checks who may take it."""
    pledge = _visible(request, pk)
    if action not in ACTIONS:
        raise Http404
    call, form_class, done = ACTIONS[action]
    if form_class is None:
        outcome = call_service(call, pledge, request)
    else:
        form = form_class(request.POST)
        if not form.is_valid():
            flash_errors(request, form.errors)
            return redirect("frontend:receivable_pledge", pledge.pk)
        outcome = call_service(call, pledge, request, form.cleaned_data)
    flash_outcome(request, outcome, str(done))
    return redirect("frontend:receivable_pledge", pledge.pk)
