"""Deal pages: open a deal with an offer, the deal page, its actions and its documents."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from market.models import Document, DocumentKind, DocumentState
from market.selectors import timeline
from market.transfers import services
from market.transfers.models import DealState, TransferDeal
from market.transfers.selectors import deal_allowed_actions, deal_next_step, deal_pending_consents, deals_visible_to

from ..forms import (
    ConsentForm,
    ConsentRequestForm,
    FileRegistrationForm,
    IdempotentForm,
    ObjectionForm,
    OfferForm,
    ReasonForm,
    RegisterForm,
)
from .common import (
    Bound,
    Outcome,
    PageAction,
    PageActions,
    Panel,
    call_service,
    contract_draft_response,
    flash_errors,
    shows_403_page,
)
from .public import render_listing, visible_listing

# What a consent panel says the organisation consents as.
CONSENT_NOTES = {"co_owner": _("作为共有人，同意转让"), "pledgee": _("作为质权人，同意转让")}
# Consents of co-owners and pledgees are collected until the change is registered.
CONSENT_STATES = (DealState.NEGOTIATING, DealState.AGREED, DealState.PUBLICISED, DealState.SIGNED, DealState.PAID,
                  DealState.FILED)


ACTIONS = PageActions("frontend:deal_action", [
    PageAction("counter", _("还价"), _("已提交还价。"), form_class=OfferForm,
               call=lambda deal, user, d: services.deal_counter(deal_id=deal.pk, actor=user, price=d["price"],
                                                                message=d["message"])),
    PageAction("accept", _("接受报价"), _("已接受报价，价格达成一致。"),
               call=lambda deal, user, d: services.deal_accept(deal_id=deal.pk, actor=user)),
    PageAction("sign", _("签署合同"), _("已签署转让合同。"),
               call=lambda deal, user, d: services.deal_sign(deal_id=deal.pk, actor=user)),
    PageAction("pay", _("支付价款至托管账户"), _("价款已付至托管账户。"), form_class=IdempotentForm,
               call=lambda deal, user, d: services.deal_pay(deal_id=deal.pk, actor=user,
                                                            idempotency_key=d["idempotency_key"])),
    PageAction("file_registration", _("提交著录项目变更登记"), _("已提交著录项目变更登记。"),
               form_class=FileRegistrationForm,
               call=lambda deal, user, d: services.deal_file_registration(
                   deal_id=deal.pk, actor=user, export_registration_number=d.get("export_registration_number", ""))),
    PageAction("pay_registration_fee", _("缴纳变更登记费"), _("已缴纳变更登记费。"), form_class=IdempotentForm,
               call=lambda deal, user, d: services.deal_pay_registration_fee(
                   deal_id=deal.pk, actor=user, idempotency_key=d["idempotency_key"])),
    PageAction("consent", _("出具同意"), _("已记录同意。"), form_class=ConsentForm,
               call=lambda deal, user, d: services.deal_consent(deal_id=deal.pk, actor=user,
                                                                patent_id=d["patent_id"],
                                                                deposit_proceeds=d.get("deposit_proceeds", False))),
    PageAction("consent_request", _("请求共有人、质权人同意"), _("已请求同意，对方将收到通知。"), form_class=ConsentRequestForm,
               call=lambda deal, user, d: services.deal_consent_request(deal_id=deal.pk, actor=user,
                                                                        message=d["message"])),
    PageAction("object", _("提出异议"), _("异议已提交。"), form_class=ObjectionForm,
               call=lambda deal, user, d: services.deal_object(deal_id=deal.pk, actor=user, text=d["text"])),
    PageAction("register", _("登记变更"), _("著录项目变更已登记。"), form_class=RegisterForm,
               call=lambda deal, user, d: services.deal_register(
                   deal_id=deal.pk, actor=user, registration_number=d["registration_number"])),
    PageAction("refuse_registration", _("不予登记"), _("已不予登记，交易取消并退款。"), form_class=ReasonForm,
               danger=True,
               call=lambda deal, user, d: services.deal_refuse_registration(deal_id=deal.pk, actor=user,
                                                                            reason=d["reason"])),
    PageAction("release", _("鉴证并放款"), _("已鉴证，托管价款已放款，交易完成。"), form_class=IdempotentForm,
               call=lambda deal, user, d: services.deal_release(deal_id=deal.pk, actor=user,
                                                                idempotency_key=d["idempotency_key"])),
    PageAction("cancel", _("取消交易"), _("交易已取消。"), form_class=ReasonForm, danger=True,
               call=lambda deal, user, d: services.deal_cancel(deal_id=deal.pk, actor=user, reason=d["reason"])),
])


def progress_steps(deal: TransferDeal) -> list[dict]:
    """The steps of the progress bar, each marked done / current / todo (publicity only when required)."""
    steps = [(DealState.NEGOTIATING, _("议价")), (DealState.AGREED, _("达成一致"))]
    if deal.publicity_required:
        steps.append((DealState.PUBLICISED, _("公示")))
    steps += [(DealState.SIGNED, _("签署")), (DealState.PAID, _("托管付款")), (DealState.FILED, _("提交变更登记")),
              (DealState.REGISTERED, _("已登记")), (DealState.CLOSED, _("完成"))]
    reached = deal.state
    if deal.state == DealState.CANCELLED:
        cancel = timeline(deal).filter(to_state=DealState.CANCELLED).last()
        reached = cancel.from_state if cancel else DealState.NEGOTIATING
    order = [state for state, _label in steps]
    index = order.index(reached) if reached in order else 0
    closed = deal.state == DealState.CLOSED
    return [{"label": label, "status": "done" if i < index or (closed and i == index) else
             "current" if i == index else "todo"} for i, (_state, label) in enumerate(steps)]


def pending_consents(deal: TransferDeal) -> list[dict]:
    """Consents still relevant: until the change is registered (afterwards the holders have changed)."""
    return deal_pending_consents(deal) if deal.state in CONSENT_STATES else []


def consent_form(item: dict) -> ConsentForm:
    """The consent form for one pending consent: only a pledgee chooses a deposit (提存) of the price."""
    form = ConsentForm(initial={"patent_id": item["patent"].pk})
    if item["capacity"] != "pledgee":
        form.fields.pop("deposit_proceeds")
    return form


def action_panels(deal: TransferDeal, user, consents: list[dict], bound: Bound = None) -> list[Panel]:
    """The actions offered to ``user`` now, each with a fresh form (or the bound one that failed)."""
    panels = []
    for name in deal_allowed_actions(deal, user):
        if name == "consent":  # one button per patent awaiting this organisation's consent
            panels += [ACTIONS.panel(deal.pk, name, form=consent_form(item), note=CONSENT_NOTES[item["capacity"]],
                                     subject=item["patent"].patent_number)
                       for item in consents if item["organisation_id"] == user.organisation_id and not item["given"]]
            continue
        panel = ACTIONS.panel(deal.pk, name, bound=bound)
        if name == "file_registration" and not deal.export_registration_required:
            panel.form.fields.pop("export_registration_number", None)  # only a transfer abroad needs it
        panels.append(panel)
    return panels


def deal_documents(deal: TransferDeal) -> list[Document]:
    return list(Document.objects.for_deal(deal).latest_versions().select_related("patent")
                .order_by("requested_at", "pk"))


def visible_deal(request: HttpRequest, pk: int) -> TransferDeal:
    """The deal if the user is a party, a consenting co-owner or pledgee, or staff; 404 otherwise."""
    return get_object_or_404(deals_visible_to(request.user), pk=pk)


def documents_context(request: HttpRequest, deal: TransferDeal) -> dict:
    """The documents part: the list, whether to keep polling, and whether this user may download."""
    documents = deal_documents(deal)
    return {
        "documents": documents,
        "documents_pending": any(d.state == DocumentState.PENDING for d in documents),
        # co-owners and pledgees follow the deal but only the parties and staff get the files
        "can_download": bool(deal.party_of(request.user.organisation) or request.user.is_centre_staff),
    }


def render_deal(request: HttpRequest, deal: TransferDeal, *, outcome: Outcome | None = None,
                bound: Bound = None, status: int = 200) -> HttpResponse:
    consents = pending_consents(deal)
    context = {
        "deal": deal,
        "steps": progress_steps(deal),
        "next_step": deal_next_step(deal, request.user.organisation),
        "draft_url": reverse("frontend:deal_contract_draft", args=[deal.pk]) if draft_readable(deal, request.user)
        else "",
        "offers": deal.offers.select_related("organisation", "made_by"),
        "timeline": timeline(deal),
        "consents": consents,
        "patents": deal.patents.all(),
        "escrow": deal.escrow,
        "panels": action_panels(deal, request.user, consents, bound),
        **documents_context(request, deal),
        "objections": deal.objections.all(),
        "reasons": outcome.reasons if outcome else [],
        "nav": "workspace",
    }
    return render(request, "frontend/deals/deal_detail.html", context, status=status)


@login_required
@require_GET
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_deal(request, visible_deal(request, pk))


def draft_readable(deal: TransferDeal, user) -> bool:
    """The parties (and staff) read the contract while it is being signed."""
    return deal.state in (DealState.AGREED, DealState.PUBLICISED) and bool(
        deal.party_of(user.organisation) or user.is_centre_staff
        or deal.transferors.filter(organisation_id=user.organisation_id).exists())


@login_required
@require_GET
@shows_403_page
def deal_contract_draft(request: HttpRequest, pk: int) -> HttpResponse:
    deal = visible_deal(request, pk)
    if not draft_readable(deal, request.user):
        raise PermissionDenied("合同草稿仅在签署阶段供双方阅读 / The draft is for the parties, while signing")
    return contract_draft_response(deal, DocumentKind.TRANSFER_CONTRACT, deal.number)


@login_required
@require_GET
def deal_documents_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """The documents list alone: htmx polls it every 2 s while a document is still rendering."""
    deal = visible_deal(request, pk)
    return render(request, "frontend/deals/_documents.html", {"deal": deal, **documents_context(request, deal)})


deal_action = ACTIONS.view(find=visible_deal, render_page=render_deal,
                           success_url=lambda request, deal, result: reverse("frontend:deal_detail", args=[deal.pk]))


@login_required
@require_POST
@shows_403_page
def listing_offer(request: HttpRequest, pk: int) -> HttpResponse:
    """“我要报价”: the first offer opens a deal on a published transfer listing."""
    listing = visible_listing(request, pk)
    form = OfferForm(request.POST)
    if not form.is_valid():
        return render_listing(request, listing, offer_form=form, status=400)
    outcome = call_service(services.deal_open, listing_id=listing.pk, actor=request.user,
                           price=form.cleaned_data["price"], message=form.cleaned_data["message"])
    if not outcome.ok:
        flash_errors(request, outcome.errors)
        return render_listing(request, listing, offer_form=form, outcome=outcome,
                              status=409 if outcome.reasons else 400)
    messages.success(request, _("报价已提交，交易已创建。"))
    return redirect("frontend:deal_detail", pk=outcome.result.pk)
