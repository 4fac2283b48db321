"""Licence-contract pages: the first offer from a licence listing, the contract page and its actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from market.licensing.models import LicenceContractState
from market.licensing.selectors import (
    contract_next_step,
    licence_contract_allowed_actions,
    licence_contracts_visible_to,
)
from market.licensing.services import licence_contracts as services
from market.models import DocumentKind, ListingMode
from market.selectors import timeline

from ..forms import IdempotentForm, ReasonForm
from ..licence_forms import LicenceTermsForm, RecordForm
from .common import (
    Bound,
    Outcome,
    PageAction,
    PageActions,
    call_service,
    contract_draft_response,
    errors_onto_form,
    shows_403_page,
)
from .licences import documents_of
from .public import visible_listing

ACTIONS = PageActions("frontend:licence_contract_action", [
    PageAction("counter", _("还价（提出新条件）"), _("已提出新的许可条件。"), form_class=LicenceTermsForm,
               call=lambda c, u, d: services.contract_counter(contract_id=c.pk, actor=u, **d)),  # message + terms
    PageAction("accept", _("接受对方条件"), _("已接受，许可条件达成一致。"),
               call=lambda c, u, d: services.contract_accept(contract_id=c.pk, actor=u)),
    PageAction("consent", _("出具同意"), _("已记录同意。"),
               call=lambda c, u, d: services.contract_consent(contract_id=c.pk, actor=u)),
    PageAction("sign", _("签署许可合同"), _("已签署实施许可合同。"),
               call=lambda c, u, d: services.contract_sign(contract_id=c.pk, actor=u)),
    PageAction("pay", _("支付首期许可使用费"), _("首期许可使用费已支付，合同生效。"), form_class=IdempotentForm,
               call=lambda c, u, d: services.contract_pay(contract_id=c.pk, actor=u,
                                                          idempotency_key=d["idempotency_key"])),
    PageAction("file_record", _("提交合同备案"), _("已提交专利实施许可合同备案。"),
               call=lambda c, u, d: services.contract_file_record(contract_id=c.pk, actor=u)),
    PageAction("record", _("准予备案"), _("已备案。"), form_class=RecordForm,
               call=lambda c, u, d: services.contract_record(contract_id=c.pk, actor=u,
                                                             record_number=d["record_number"])),
    PageAction("refuse_record", _("不予备案"), _("已不予备案。"), form_class=ReasonForm, danger=True,
               call=lambda c, u, d: services.contract_refuse_record(contract_id=c.pk, actor=u, reason=d["reason"])),
    PageAction("terminate", _("提前终止"), _("合同已提前终止。"), form_class=ReasonForm, danger=True,
               call=lambda c, u, d: services.contract_terminate(contract_id=c.pk, actor=u, reason=d["reason"])),
    PageAction("cancel", _("取消"), _("已取消。"), form_class=ReasonForm, danger=True,
               call=lambda c, u, d: services.contract_cancel(contract_id=c.pk, actor=u, reason=d["reason"])),
])


def visible_contract(request: HttpRequest, pk: int):
    return get_object_or_404(licence_contracts_visible_to(request.user), pk=pk)


def render_contract(request: HttpRequest, contract, *, outcome: Outcome | None = None,
                    bound: Bound = None, status: int = 200) -> HttpResponse:
    panels = ACTIONS.panels(contract.pk, licence_contract_allowed_actions(contract, request.user), bound=bound)
    context = {
        "contract": contract, "offers": contract.offers.select_related("organisation", "made_by"),
        "licence": getattr(contract, "licence", None), "panels": panels, "timeline": timeline(contract),
        "documents": documents_of(contract), "can_download": bool(contract.party_of(request.user.organisation)
                                                              or request.user.is_centre_staff),
        "reasons": outcome.reasons if outcome else [], "nav": "licences",
        "next_step": contract_next_step(contract, request.user.organisation),
        "draft_url": reverse("frontend:licence_contract_draft", args=[contract.pk])
        if licence_draft_readable(contract, request.user) else "",
    }
    return render(request, "frontend/licences/contract_detail.html", context, status=status)


@login_required
@require_GET
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_contract(request, visible_contract(request, pk))


def licence_draft_readable(contract, user) -> bool:
    """The parties (and staff) read the licence contract while it is being signed."""
    return contract.state == LicenceContractState.AGREED and bool(
        contract.party_of(user.organisation) or user.is_centre_staff)


@login_required
@require_GET
@shows_403_page
def contract_draft(request: HttpRequest, pk: int) -> HttpResponse:
    contract = visible_contract(request, pk)
    if not licence_draft_readable(contract, request.user):
        raise PermissionDenied("合同草稿仅在签署阶段供双方阅读 / The draft is for the parties, while signing")
    return contract_draft_response(contract, DocumentKind.LICENCE_CONTRACT, contract.number)


contract_action = ACTIONS.view(
    find=visible_contract, render_page=render_contract,
    success_url=lambda request, contract, result: reverse("frontend:licence_contract_detail", args=[contract.pk]))


@login_required
@require_http_methods(["GET", "POST"])
@shows_403_page
def contract_new(request: HttpRequest, listing_pk: int) -> HttpResponse:
    """The licensee's first offer on a published licence (or open-licence) listing opens the contract."""
    listing = visible_listing(request, listing_pk)
    if listing.mode not in (ListingMode.LICENCE, ListingMode.OPEN_LICENCE):
        raise Http404
    form = LicenceTermsForm(request.POST or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = call_service(services.contract_open, listing_id=listing.pk, actor=request.user,
                               patent_id=int(request.POST.get("patent_id") or 0) or None,
                               message=form.cleaned_data["message"], **form.terms())
        if outcome.ok:
            messages.success(request, _("报价已提交，许可合同洽谈已开始。"))
            return redirect("frontend:licence_contract_detail", pk=outcome.result.pk)
        errors_onto_form(form, outcome.errors)
    status = 200 if request.method == "GET" else (409 if outcome and outcome.reasons else 400)
    return render(request, "frontend/licences/contract_new.html",
                  {"listing": listing, "form": form, "patents": listing.patents.all(),
                   "reasons": outcome.reasons if outcome else [],
                   "nav": "search"}, status=status)
