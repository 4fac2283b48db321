"""Matching pages: the staff matching workspace, demands (their organisation and staff), proposal actions,
and 我的订阅 (saved searches and notifications). Logic stays in matching.services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from market.models import TransitionLog
from matching.forms import DealLinkForm, DemandForm, NoteForm, ProposeForm, SaveSearchForm
from matching.matcher import match_demand
from matching.models import Demand, DemandState, MatchProposal, ProposalState, SavedSearch
from matching.selectors import (
    demands_visible_to,
    open_demands,
    proposal_actions,
    proposal_conversion,
    proposals_visible_to,
    saved_searches_of,
)
from matching.services import demands as demand_services
from matching.services import proposals as proposal_services
from matching.services.subscriptions import saved_search_create, saved_search_delete, saved_search_url
from notifications.models import Notification
from notifications.services import notifications_mark_read
from search.schema import VALUE_FACETS, facet_label

from ..forms import OfferForm
from ..templatetags.frontend_tags import pick_language
from .common import Outcome, call_service, flash_errors, is_htmx, require_staff, shows_403_page

DEMANDS_PER_PAGE = 5
TOP_MATCHES = 3
DEMAND_MATCHES = 10
FOLLOW_UPS = 30
NOTIFICATIONS_SHOWN = 50


def _next_or(request: HttpRequest, fallback: str) -> HttpResponse:
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return redirect(next_url)
    return redirect(fallback)


# -- matches and proposals as the pages show them ------------------------------------------------
def ranked_matches(demand: Demand, limit: int, *, staff: bool) -> list[dict]:
    """The demand's matches, each marked when already proposed, with a propose form for staff."""
    proposed = set(demand.proposals.values_list("listing_id", flat=True))
    return [{"match": match, "proposed": match.listing_id in proposed,
             "form": ProposeForm(initial={"listing_id": match.listing_id}, auto_id=f"propose-{match.listing_id}-%s")
             if staff else None}
            for match in match_demand(demand, limit=limit)]


def proposal_panel(proposal: MatchProposal, user) -> dict:
    """A proposal with the actions the user may take and the form each needs."""
    def ids(action: str) -> str:  # several proposals' forms share a page: keep element ids unique
        return f"proposal-{proposal.pk}-{action}-%s"

    def offer_form() -> OfferForm:
        form = OfferForm(initial={"price": proposal.listing.asking_price}, auto_id=ids("start_deal"))
        form.fields["message"].widget.attrs["placeholder"] = form.fields["message"].label
        return form

    builders = {"accept": lambda: NoteForm(auto_id=ids("accept")), "reject": lambda: NoteForm(auto_id=ids("reject")),
                "deal_started": lambda: DealLinkForm(proposal=proposal, auto_id=ids("deal_started")),
                "start_deal": offer_form}
    actions = proposal_actions(proposal, user)
    return {"proposal": proposal, "actions": actions,
            "forms": {name: builders[name]() if name in builders else None for name in actions}}


# -- the staff workspace ---------------------------------------------------------------------------
@login_required
@shows_403_page
def matching_workspace(request: HttpRequest) -> HttpResponse:
    """Open demands with their top matches (propose in one click), proposals to follow up, conversion."""
    require_staff(request)
    page = Paginator(open_demands(), DEMANDS_PER_PAGE).get_page(request.GET.get("page"))
    follow_ups = (proposals_visible_to(request.user)
                  .filter(state__in=[ProposalState.PROPOSED, ProposalState.ACCEPTED, ProposalState.DEAL_STARTED])
                  .order_by("updated_at", "pk")[:FOLLOW_UPS])
    context = {
        "nav": "matching",
        "page": page,
        "demands": [{"demand": demand, "matches": ranked_matches(demand, TOP_MATCHES, staff=True)} for demand in page],
        "follow_ups": [proposal_panel(proposal, request.user) for proposal in follow_ups],
        "conversion": proposal_conversion(),
    }
    return render(request, "frontend/matching/workspace.html", context)


# -- demands ---------------------------------------------------------------------------------------
@login_required
def demand_list(request: HttpRequest) -> HttpResponse:
    """My organisation's demands and the proposals of its listings; staff: every demand, by state."""
    user = request.user
    demands = demands_visible_to(user).annotate(proposal_count=Count("proposals")).order_by("-created_at", "-pk")
    state = request.GET.get("state", "")
    if state in DemandState.values:
        demands = demands.filter(state=state)
    incoming = []
    if user.organisation_id and not user.is_centre_staff:
        incoming = proposals_visible_to(user).filter(listing__organisation_id=user.organisation_id)[:FOLLOW_UPS]
    context = {"nav": "demands", "page": Paginator(demands, 20).get_page(request.GET.get("page")), "state": state,
               "states": DemandState.choices, "incoming": incoming, "has_organisation": bool(user.organisation_id)}
    return render(request, "frontend/matching/demands.html", context)


@login_required
@shows_403_page
def demand_create(request: HttpRequest) -> HttpResponse:
    """Post a demand: for one's own organisation, or (staff) on a company's behalf."""
    if request.user.organisation_id is None:
        raise PermissionDenied(_("请使用机构账户登录 / Sign in with an organisation account"))
    form = DemandForm(request.POST or None, staff=request.user.is_centre_staff)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            outcome = call_service(demand_services.demand_create, actor=request.user, **form.service_arguments())
            if outcome.ok:
                messages.success(request, _("需求已发布：%(title)s") % {"title": outcome.result.title})
                return redirect("frontend:demand_detail", pk=outcome.result.pk)
            for name, field_messages in outcome.errors.items():
                form.add_error(name if name in form.fields else None, field_messages)
    return render(request, "frontend/matching/demand_form.html", {"nav": "demands", "form": form}, status=status)


def render_demand(request: HttpRequest, demand: Demand, *, outcome: Outcome | None = None,
                  status: int = 200) -> HttpResponse:
    staff = request.user.is_centre_staff
    proposals = proposals_visible_to(request.user).filter(demand=demand)
    context = {
        "nav": "matching" if staff else "demands",
        "demand": demand,
        "matches": ranked_matches(demand, DEMAND_MATCHES, staff=staff and demand.state == DemandState.OPEN)
        if demand.is_active else [],
        "proposals": [proposal_panel(proposal, request.user) for proposal in proposals],
        "timeline": TransitionLog.for_object(demand).select_related("actor", "organisation"),
        "note_form": NoteForm(),
        "reasons": outcome.reasons if outcome else [],
    }
    return render(request, "frontend/matching/demand_detail.html", context, status=status)


def visible_demand(request: HttpRequest, pk: int) -> Demand:
    """The demand if the user's organisation posted it, or staff; 404 otherwise."""
    return get_object_or_404(demands_visible_to(request.user), pk=pk)


@login_required
def demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_demand(request, visible_demand(request, pk))


DEMAND_ACTIONS: dict[str, tuple[Callable, str]] = {
    "withdraw": (demand_services.demand_withdraw, gettext_lazy("需求已撤回。")),
    "close": (demand_services.demand_close, gettext_lazy("需求已关闭。")),
    "reopen": (demand_services.demand_reopen, gettext_lazy("需求已重新征集。")),
}


@login_required
@require_POST
@shows_403_page
def demand_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    demand = visible_demand(request, pk)
    if action not in DEMAND_ACTIONS:
        raise Http404("unknown action")
    service, done = DEMAND_ACTIONS[action]
    form = NoteForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    outcome = call_service(service, demand_id=demand.pk, actor=request.user, reason=reason)
    if not outcome.ok:
        return render_demand(request, visible_demand(request, pk), outcome=outcome, status=409)
    messages.success(request, done)
    return redirect("frontend:demand_detail", pk=demand.pk)


@login_required
@require_POST
@shows_403_page
def demand_propose(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff propose one of the demand's matches; both organisations are notified."""
    require_staff(request)
    demand = visible_demand(request, pk)
    form = ProposeForm(request.POST)
    if not form.is_valid():
        flash_errors(request, form.errors)
        return _next_or(request, demand_url(demand))
    outcome = call_service(proposal_services.proposal_create, demand_id=demand.pk, actor=request.user,
                           listing_id=form.cleaned_data["listing_id"], note=form.cleaned_data["note"])
    if not outcome.ok:
        flash_errors(request, outcome.errors)
        return render_demand(request, visible_demand(request, pk), outcome=outcome,
                             status=409 if outcome.reasons else 400)
    messages.success(request, _("已推荐“%(listing)s”，双方将收到通知。") % {"listing": outcome.result.listing.title})
    return _next_or(request, demand_url(demand))


def demand_url(demand: Demand) -> str:
    return reverse("frontend:demand_detail", args=[demand.pk])


# -- proposal actions ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProposalAction:
    form: Callable[..., forms.Form | None]
    call: Callable
    done: str


PROPOSAL_ACTIONS = {
    "accept": ProposalAction(
        lambda data, proposal: NoteForm(data),
        lambda p, user, d: proposal_services.proposal_accept(proposal_id=p.pk, actor=user, reason=d["reason"]),
        gettext_lazy("已标记为已接受。")),
    "reject": ProposalAction(
        lambda data, proposal: NoteForm(data),
        lambda p, user, d: proposal_services.proposal_reject(proposal_id=p.pk, actor=user, reason=d["reason"]),
        gettext_lazy("已标记为未采纳。")),
    "deal_started": ProposalAction(
        lambda data, proposal: DealLinkForm(data, proposal=proposal),
        lambda p, user, d: proposal_services.proposal_mark_deal_started(
            proposal_id=p.pk, actor=user, deal_id=d["deal"].pk if d["deal"] else None),
        gettext_lazy("已标记为已发起交易。")),
    "deal_closed": ProposalAction(
        lambda data, proposal: None,
        lambda p, user, d: proposal_services.proposal_mark_deal_closed(proposal_id=p.pk, actor=user),
        gettext_lazy("已标记为已成交。")),
    "start_deal": ProposalAction(
        lambda data, proposal: OfferForm(data),
        lambda p, user, d: proposal_services.proposal_start_deal(proposal_id=p.pk, actor=user, price=d["price"],
                                                                 message=d["message"]),
        gettext_lazy("报价已提交，交易已创建。")),
}


@login_required
@require_POST
@shows_403_page
def proposal_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One outcome (staff) or the demand organisation's first offer; refusals re-render the demand page."""
    proposal = get_object_or_404(proposals_visible_to(request.user), pk=pk)
    if action not in PROPOSAL_ACTIONS:
        raise Http404("unknown action")
    spec = PROPOSAL_ACTIONS[action]
    form = spec.form(request.POST, proposal)
    if form is not None and not form.is_valid():
        flash_errors(request, form.errors)
        return _next_or(request, demand_url(proposal.demand))
    outcome = call_service(spec.call, p=proposal, user=request.user, d=form.cleaned_data if form else {})
    if not outcome.ok:
        flash_errors(request, outcome.errors)
        return render_demand(request, visible_demand(request, proposal.demand_id), outcome=outcome,
                             status=409 if outcome.reasons else 400)
    messages.success(request, spec.done)
    if action == "start_deal":
        return redirect("frontend:deal_detail", pk=outcome.result.deal_id)
    return _next_or(request, demand_url(proposal.demand))


# -- 我的订阅: saved searches and notifications ----------------------------------------------------
PARAM_TITLES = {"q": gettext_lazy("关键词"), "mode": gettext_lazy("交易方式"), "kind": gettext_lazy("专利类型"),
                "industry": gettext_lazy("产业"), "city": gettext_lazy("地市"), "legal_status": gettext_lazy("法律状态"),
                "ipc_prefix": "IPC", "price_min": gettext_lazy("最低价"), "price_max": gettext_lazy("最高价"),
                "remaining_years_min": gettext_lazy("剩余保护期不少于（年）")}


def conditions(params: dict[str, list[str]]) -> list[str]:
    """A saved search's conditions as the page lists them: “交易方式：转让、许可”."""
    rows = []
    for name, values in params.items():
        shown = [pick_language(facet_label(name, v)) if name in VALUE_FACETS else v for v in values]
        rows.append(f"{PARAM_TITLES.get(name, name)}：{'、'.join(shown)}")
    return rows or [_("全部新挂牌")]


@login_required
def subscriptions(request: HttpRequest) -> HttpResponse:
    """我的订阅: saved searches (each a link to its results) and the notifications received."""
    saved = [{"saved": s, "url": saved_search_url(s), "conditions": conditions(s.params)}
             for s in saved_searches_of(request.user)]
    notifications = Notification.objects.filter(recipient=request.user)
    context = {"nav": "subscriptions", "saved_searches": saved,
               "notifications": notifications[:NOTIFICATIONS_SHOWN],
               "unread": notifications.filter(read_at__isnull=True).count()}
    return render(request, "frontend/matching/subscriptions.html", context)


@login_required
@require_POST
def saved_search_save(request: HttpRequest) -> HttpResponse:
    """The search page's 保存搜索. With htmx the form sends the address bar's query (``current_query``): htmx may
    have changed the filters since the page was rendered."""
    form = SaveSearchForm(request.POST)
    form.is_valid()
    query = request.POST.get("current_query") or form.cleaned_data.get("query", "")
    outcome = call_service(saved_search_create, actor=request.user, name=form.cleaned_data.get("name", ""),
                           params=QueryDict(query.lstrip("?")))
    if is_htmx(request):
        context = {"saved": outcome.result, "errors": [m for ms in outcome.errors.values() for m in ms]}
        # 200 either way: htmx swaps only successful responses, and the errors must show in place.
        return render(request, "frontend/matching/_save_search_done.html", context)
    if not outcome.ok:
        flash_errors(request, outcome.errors)
        return redirect(f"{reverse('frontend:search')}?{query}")
    messages.success(request, _("已保存搜索“%(name)s”，有新挂牌时每日推送。") % {"name": outcome.result.name})
    return redirect("frontend:subscriptions")


@login_required
@require_POST
def saved_search_remove(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        saved_search_delete(saved_search_id=pk, actor=request.user)
    except SavedSearch.DoesNotExist:
        raise Http404("no such saved search") from None
    messages.success(request, _("已删除订阅。"))
    return redirect("frontend:subscriptions")


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    notifications_mark_read(user=request.user)
    return redirect("frontend:subscriptions")
