"""Auction pages: the public auction (live price by htmx polling, deposit, bid, pay) and staff administration."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from market.auctions import selectors, services
from market.auctions.models import Auction, AuctionState, DepositStatus
from market.models import Organisation, Patent
from market.money import cny
from market.rules.common import active_pledges
from market.selectors import timeline

from ..forms import MAX_PRICE, Form, IdempotentForm, PriceField, ReasonForm
from ..templatetags.frontend_tags import pick_language
from .common import Bound, Outcome, PageAction, PageActions, call_service, require_staff, shows_403_page

# The public page polls the live panel this often while bidding may change it.
POLL_SECONDS = 3
LIVE_STATES = (AuctionState.SCHEDULED, AuctionState.OPEN)
LOCAL_INPUT = "%Y-%m-%dT%H:%M"


# -- forms ---------------------------------------------------------------------------------------
class BidForm(Form):
    amount = PriceField(label=_("出价（元）"))


class WhenField(forms.DateTimeField):
    """A date and time typed in a datetime-local input (Beijing time)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT)

    def __init__(self, **kwargs):
        super().__init__(input_formats=[LOCAL_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"], **kwargs)


def money_field(label, **kwargs) -> forms.DecimalField:
    field = forms.DecimalField(label=label, max_digits=15, decimal_places=2, min_value=Decimal("0.01"),
                               max_value=MAX_PRICE, **kwargs)
    field.widget.attrs.update({"step": "0.01", "inputmode": "decimal"})
    return field


class AuctionForm(Form):
    """Staff open an auction of pledged patents (prefilled from a defaulted loan with ``?loan=``)."""

    loan = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("拍卖标的名称（留空按专利名称）"), required=False, max_length=300)
    patents = forms.ModelMultipleChoiceField(label=_("拍卖专利（须质押给质权人）"), queryset=Patent.objects.none(),
                                             widget=forms.CheckboxSelectMultiple)
    creditor = forms.ModelChoiceField(label=_("质权人（债权人）"), queryset=Organisation.objects.order_by("name"))
    debtor = forms.ModelChoiceField(label=_("出质人（专利权人）"), queryset=Organisation.objects.order_by("name"))
    claim_amount = money_field(_("被担保债权数额（元）"))
    reserve_price = money_field(_("保留价（元，留空为估值P10合计）"), required=False)
    increment = money_field(_("加价幅度（元）"))
    deposit = money_field(_("竞买保证金（元）"))
    starts_at = WhenField(label=_("开拍时间"))
    ends_at = WhenField(label=_("结束时间"))

    def __init__(self, *args, patents=None, **kwargs):
        super().__init__(*args, **kwargs)
        pledged = Patent.objects.filter(encumbrances__kind="pledge", encumbrances__released_at__isnull=True).distinct()
        self.fields["patents"].queryset = patents if patents is not None else pledged
        self.fields["patents"].label_from_instance = lambda p: f"{p.patent_number} {p.title}"


class RelistForm(Form):
    reserve_price = money_field(_("新保留价（元，须低于原保留价）"))
    starts_at = WhenField(label=_("开拍时间"))
    ends_at = WhenField(label=_("结束时间"))


# Each button or form of an auction page is a PageAction: its call gets the auction, the user and the form's data.
BIDDER_ACTIONS = PageActions("frontend:auction_act", [
    PageAction("deposit", _("缴纳保证金"), _("保证金已缴纳，可以出价。"), form_class=IdempotentForm,
               call=lambda deal, user, d: services.auction_deposit(auction_id=deal.pk, actor=user,
                                                                   idempotency_key=d["idempotency_key"])),
    PageAction("bid", _("出价"), _("出价成功。"), form_class=BidForm,
               call=lambda deal, user, d: services.auction_bid(auction_id=deal.pk, actor=user, amount=d["amount"])),
    PageAction("pay", _("支付成交价款"), _("成交价款已支付，待交易中心确认。"), form_class=IdempotentForm,
               call=lambda deal, user, d: services.auction_pay(auction_id=deal.pk, actor=user,
                                                               idempotency_key=d["idempotency_key"])),
])
STAFF_ACTIONS = PageActions("frontend:auction_staff_action", [
    PageAction("start", _("开拍"), _("已开始竞价。"),
               call=lambda deal, user, d: services.auction_start(auction_id=deal.pk, actor=user)),
    PageAction("close", _("落槌（结束竞价）"), _("竞价已结束。"),
               call=lambda deal, user, d: services.auction_close(auction_id=deal.pk, actor=user)),
    PageAction("confirm_payment", _("确认收款并结算"), _("已确认收款：价款已分配，专利权人已变更，质权已注销。"),
               call=lambda deal, user, d: services.auction_confirm_payment(auction_id=deal.pk, actor=user)),
    PageAction("forfeit", _("认定悔拍（保证金不予退还）"), _("已认定悔拍，保证金用于清偿担保债权。"), danger=True,
               call=lambda deal, user, d: services.auction_forfeit(auction_id=deal.pk, actor=user)),
    PageAction("offer_next", _("由次高出价人承受"), _("已通知次高出价人承受。"),
               call=lambda deal, user, d: services.auction_offer_next(auction_id=deal.pk, actor=user)),
    PageAction("fail", _("流拍"), _("已流拍。"), form_class=ReasonForm, danger=True,
               call=lambda deal, user, d: services.auction_fail(auction_id=deal.pk, actor=user, reason=d["reason"])),
    PageAction("cancel", _("撤拍"), _("已撤拍，保证金已退还。"), form_class=ReasonForm, danger=True,
               call=lambda deal, user, d: services.auction_cancel(auction_id=deal.pk, actor=user, reason=d["reason"])),
    PageAction("relist", _("降价重新挂拍"), _("已重新挂拍。"), form_class=RelistForm,
               call=lambda deal, user, d: services.auction_relist(auction_id=deal.pk, actor=user, **d)),
])


def state_label(state: str) -> str:
    return pick_language(dict(AuctionState.choices).get(state, state)) if state else "—"


# -- public pages --------------------------------------------------------------------------------
def live_context(request: HttpRequest, auction: Auction) -> dict:
    now = timezone.now()
    remaining = max(dt.timedelta(0), auction.ends_at - now)
    return {
        "auction": auction,
        "bids": selectors.bid_rows(auction, request.user, limit=10),
        "leading_paddle": auction.leading_bid.deposit.paddle_label if auction.leading_bid_id else None,
        "ended": auction.has_ended(now),
        "remaining": f"{remaining.days * 24 + remaining.seconds // 3600:02d}:{remaining.seconds // 60 % 60:02d}:"
                     f"{remaining.seconds % 60:02d}",
        "polling": auction.state in LIVE_STATES,
        "poll_seconds": POLL_SECONDS,
        "now": now,
    }


def public_auction(pk: int) -> Auction:
    return get_object_or_404(selectors.auctions_public().select_related("leading_bid__deposit"), pk=pk)


def render_auction(request: HttpRequest, auction: Auction, *, outcome: Outcome | None = None,
                   bound: Bound = None, status: int = 200) -> HttpResponse:
    panels = [BIDDER_ACTIONS.panel(auction.pk, name, bound=bound,
                                   form=BidForm(initial={"amount": auction.minimum_bid()}) if name == "bid" else None)
              for name in selectors.allowed_actions(auction, request.user) if name in BIDDER_ACTIONS]
    user = request.user
    context = {
        **live_context(request, auction),
        "patents": auction.patents.order_by("application_number"),
        "panels": panels,
        "next_step": selectors.auction_next_step(auction, user),
        "my_deposit": selectors.deposit_of(auction, user),
        "balance_due": services.balance_due(auction) if auction.state == AuctionState.AWAITING_PAYMENT else None,
        "documents": selectors.visible_documents(auction, user) if user.is_authenticated else [],
        "announcement": selectors.public_announcement(auction),
        "extension_minutes": settings.MARKET["AUCTION_EXTENSION_MINUTES"],
        "payment_days": settings.MARKET["AUCTION_PAYMENT_DAYS"],
        "signed_in": user.is_authenticated,
        "verified": bool(user.is_authenticated and user.organisation_id and user.organisation.verified),
        "reasons": outcome.reasons if outcome else [],
        "nav": "auctions",
    }
    return render(request, "frontend/auctions/detail.html", context, status=status)


@require_GET
def auction_list(request: HttpRequest) -> HttpResponse:
    """Every auction: running and upcoming first (public)."""
    return render(request, "frontend/auctions/list.html", {"auctions": selectors.auctions_public()[:100],
                                                           "nav": "auctions"})


@require_GET
def auction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_auction(request, public_auction(pk))


@require_GET
def auction_live(request: HttpRequest, pk: int) -> HttpResponse:
    """The live panel alone: htmx polls it every few seconds while the auction is scheduled or open."""
    auction = public_auction(pk)
    response = render(request, "frontend/auctions/_live.html", live_context(request, auction))
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def auction_announcement(request: HttpRequest, pk: int) -> FileResponse:
    """The issued announcement PDF, for everyone (it is a public notice)."""
    document = selectors.public_announcement(get_object_or_404(Auction, pk=pk))
    if document is None:
        raise Http404("no announcement yet")
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=f"{document.number}.pdf",
                        content_type="application/pdf")


auction_act = BIDDER_ACTIONS.view(
    find=lambda request, pk: public_auction(pk), render_page=render_auction,
    success_url=lambda request, auction, result: reverse("frontend:auction_detail", args=[auction.pk]))


# -- staff administration ------------------------------------------------------------------------
@login_required
@shows_403_page
def auction_admin(request: HttpRequest) -> HttpResponse:
    """Staff: every auction by state, and defaulted loans whose collateral is not in an auction yet."""
    require_staff(request)
    source = services.loan_source()
    loans = []
    if source is not None:
        busy = Auction.objects.filter(source_type__model=source.model._meta.model_name,
                                      state__in=[*LIVE_STATES, AuctionState.CLOSED, AuctionState.AWAITING_PAYMENT,
                                                 AuctionState.SETTLED]).values("source_id")
        loans = list(source.awaiting().exclude(pk__in=busy)[:50])
    return render(request, "frontend/auctions/admin_list.html", {
        "auctions": selectors.auctions_public()[:200], "loans": loans, "nav": "auctions"})


def create_initial(request: HttpRequest) -> tuple[dict, object, list[Patent] | None]:
    """The form's starting values: next full hour to a day later, and the loan's parties, patents and debt."""
    start = timezone.localtime().replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    initial: dict = {"starts_at": start, "ends_at": start + dt.timedelta(days=1)}
    loan, patents = None, None
    source = services.loan_source()
    loan_id = request.GET.get("loan") or request.POST.get("loan")
    if source is not None and loan_id and str(loan_id).isdigit():
        loan = get_object_or_404(source.model, pk=int(loan_id))
        prefill = source.prefill(loan)
        patents = prefill["patents"]
        initial.update({"loan": loan.pk, "creditor": prefill["creditor"], "debtor": prefill["debtor"],
                        "patents": patents, "claim_amount": prefill["claim_amount"]})
    return initial, loan, patents


@login_required
@require_http_methods(["GET", "POST"])
@shows_403_page
def auction_create(request: HttpRequest) -> HttpResponse:
    """Staff open an auction; ``?loan=<id>`` starts from a defaulted loan (bank, holder, patents, debt)."""
    require_staff(request)
    initial, loan, loan_patents = create_initial(request)
    default_reserve = None
    outcome = None
    status = 200
    if request.method == "POST":
        form = AuctionForm(request.POST, patents=Patent.objects.filter(pk__in=[p.pk for p in loan_patents])
                           if loan_patents is not None else None)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("loan")
            terms = {**data, "patents": list(data["patents"])}
            if loan is not None:
                outcome = call_service(services.auction_open_for_loan, loan_id=loan.pk, actor=request.user, **terms)
            else:
                outcome = call_service(services.auction_open, source=None, actor=request.user, **terms)
            if outcome.ok:
                messages.success(request, _("拍卖已创建，拍卖公告生成中。"))
                return redirect("frontend:auction_manage", pk=outcome.result.pk)
            for field, errors in outcome.errors.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
            status = 409 if outcome.reasons else 400
        else:
            status = 400
    else:
        if loan_patents:
            default_reserve = services.default_reserve(loan_patents)
            reserve = default_reserve[0]
            initial.update({name: cny(reserve * Decimal(settings.MARKET[setting])) or None for name, setting in (
                ("deposit", "AUCTION_DEFAULT_DEPOSIT_RATIO"), ("increment", "AUCTION_DEFAULT_INCREMENT_RATIO"))})
        form = AuctionForm(initial=initial, patents=Patent.objects.filter(pk__in=[p.pk for p in loan_patents])
                           if loan_patents is not None else None)
    return render(request, "frontend/auctions/create.html", {
        "form": form, "loan": loan, "default_reserve": default_reserve,
        "reasons": outcome.reasons if outcome else [], "nav": "auctions"}, status=status)


def render_manage(request: HttpRequest, auction: Auction, *, outcome: Outcome | None = None,
                  bound: Bound = None, status: int = 200) -> HttpResponse:
    panels = STAFF_ACTIONS.panels(auction.pk, selectors.allowed_actions(auction, request.user), bound=bound)
    deposits = auction.deposits.select_related("organisation", "escrow").order_by("paddle")
    context = {
        **live_context(request, auction),
        "bids": selectors.bid_rows(auction, request.user),
        "patents": auction.patents.order_by("application_number"),
        "pledges": [p for patent in auction.patents.all() for p in active_pledges(patent)],
        "deposits": deposits, "held": DepositStatus.HELD,
        "next_bid": services.next_bid(auction) if auction.state == AuctionState.CLOSED else None,
        "balance_due": services.balance_due(auction) if auction.state == AuctionState.AWAITING_PAYMENT else None,
        "timeline": [{"row": row, "from": state_label(row.from_state), "to": state_label(row.to_state)}
                     for row in timeline(auction)],
        "documents": selectors.visible_documents(auction, request.user),
        "relisted_as": Auction.objects.filter(relisted_from=auction).first(),
        "panels": panels, "reasons": outcome.reasons if outcome else [], "nav": "auctions",
        "next_step": selectors.auction_next_step(auction, request.user),
    }
    return render(request, "frontend/auctions/manage.html", context, status=status)


def managed_auction(request: HttpRequest, pk: int) -> Auction:
    """The auction staff administer (refused to anyone else)."""
    require_staff(request)
    return public_auction(pk)


@login_required
@require_GET
@shows_403_page
def auction_manage(request: HttpRequest, pk: int) -> HttpResponse:
    return render_manage(request, managed_auction(request, pk))


def relisted_or_same(request: HttpRequest, auction: Auction, result: object) -> str:
    """Staff stay on the auction they acted on, or go to the new one a relisting made."""
    target = result if isinstance(result, Auction) else auction
    return reverse("frontend:auction_manage", args=[target.pk])


auction_staff_action = STAFF_ACTIONS.view(find=managed_auction, render_page=render_manage, success_url=relisted_or_same)
