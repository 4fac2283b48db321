"""Securitisation pools (知识产权证券化): staff assemble, simulate, issue and distribute; investors, licensors and
licensees read a pool's tranches and period statements (Excel too)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from finance import pools as pool_services
from finance.models import PoolState
from finance.receivable_pledges import free_licences
from market.models import Document
from market.selectors import timeline
from market.services import ledger
from market.web.sheets import MONEY_FORMAT, Column, table_xlsx

from ..finance_forms import PoolForm, PoolLicencesForm, TranchesForm
from .bank import workbook_response
from .common import call_service, flash_outcome, require_staff, shows_403_page


@login_required
@require_GET
def pools(request: HttpRequest) -> HttpResponse:
    """The pools the user may see (staff: all, with the form to open one)."""
    rows = pool_services.pools_visible_to(request.user).prefetch_related("tranches__investor")
    return render(request, "frontend/pools/list.html", {
        "nav": "pools", "pools": rows, "form": PoolForm() if request.user.is_centre_staff else None})


@login_required
@require_POST
@shows_403_page
def pool_new(request: HttpRequest) -> HttpResponse:
    require_staff(request)
    form = PoolForm(request.POST)
    if form.is_valid():
        outcome = call_service(pool_services.pool_create, actor=request.user, **form.cleaned_data)
        if outcome.ok:
            return redirect("frontend:pool", outcome.result.pk)
        flash_outcome(request, outcome)
    else:
        for errors in form.errors.values():
            messages.error(request, errors[0])
    return redirect("frontend:pools")


def _visible(request: HttpRequest, pk: int):
    return get_object_or_404(pool_services.pools_visible_to(request.user), pk=pk)


@login_required
@require_GET
def pool(request: HttpRequest, pk: int) -> HttpResponse:
    """One pool: receivables, tranches, the simulation, each period's statement and the documents."""
    pool = _visible(request, pk)
    staff = request.user.is_centre_staff
    assembling = staff and pool.state == PoolState.ASSEMBLING
    tranches = list(pool.tranches.select_related("investor"))
    initial = {}
    for t in tranches:
        initial.update({f"name_{t.priority}": t.name, f"size_{t.priority}": t.size,
                        f"coupon_{t.priority}": t.coupon_percent, f"investor_{t.priority}": t.investor_id})
    periods = list(pool.distributions.order_by("sequence"))
    documents = list(Document.objects.for_deal(pool).latest_versions()) + [
        doc for period in periods for doc in Document.objects.for_deal(period).latest_versions()]
    return render(request, "frontend/pools/detail.html", {
        "nav": "pools", "pool": pool, "tranches": tranches,
        "receivables": pool.receivables.select_related("licence__patent", "licence__licensor", "licence__licensee"),
        "value": pool_services.pool_value(pool), "periods": periods, "documents": documents, "can_download": True,
        "simulation_current": pool_services.simulation_current(pool), "timeline": timeline(pool),
        "simulation_rows": [(t["name"], f"{t['expected_loss']:.2%}", f"{t['loss_probability']:.2%}")
                            for t in (pool.simulation or {}).get("tranches", [])],
        "cash": ledger.balance(pool_services.pool_account(pool)) if pool.state != PoolState.ASSEMBLING
        else None,
        "next_period": len(periods) + 1 if staff and pool.state == PoolState.ISSUED else None,
        "licences_form": PoolLicencesForm(licences=free_licences()) if assembling else None,
        "tranches_form": TranchesForm(initial=initial) if assembling else None, "assembling": assembling})


def _licences(pool, request):
    form = PoolLicencesForm(request.POST, licences=free_licences())
    if not form.is_valid():
        raise _Invalid(form)
    return pool_services.pool_add_licences(pool_id=pool.pk, actor=request.user,
                                           licence_ids=[lic.pk for lic in form.cleaned_data["licences"]])


def _tranches(pool, request):
    form = TranchesForm(request.POST)
    if not form.is_valid():
        raise _Invalid(form)
    return pool_services.pool_set_tranches(pool_id=pool.pk, actor=request.user, tranches=form.tranches())


class _Invalid(Exception):
    def __init__(self, form):
        self.form = form


ACTIONS = {
    "licences": (_licences, gettext_lazy("已加入许可。")),
    "remove": (lambda pool, request: pool_services.pool_remove_licence(
        pool_id=pool.pk, actor=request.user, licence_id=int(request.POST.get("licence") or 0)),
        gettext_lazy("已移出许可。")),
    "tranches": (_tranches, gettext_lazy("分层结构已保存。")),
    "simulate": (lambda pool, request: pool_services.pool_simulate(pool_id=pool.pk, actor=request.user),
                 gettext_lazy("模拟测算已完成。")),
    "issue": (lambda pool, request: pool_services.pool_issue(pool_id=pool.pk, actor=request.user),
              gettext_lazy("专项计划已发行。")),
    "distribute": (lambda pool, request: pool_services.pool_distribute(pool_id=pool.pk, actor=request.user),
                   gettext_lazy("本期收益已分配。")),
}


@login_required
@require_POST
@shows_403_page
def pool_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Staff's actions on a pool; each service checks the pool's state and the actor."""
    require_staff(request)
    pool = _visible(request, pk)
    if action not in ACTIONS:
        raise Http404
    call, done = ACTIONS[action]
    try:
        outcome = call_service(call, pool, request)
    except _Invalid as invalid:
        for errors in invalid.form.errors.values():
            messages.error(request, errors[0])
        return redirect("frontend:pool", pool.pk)
    flash_outcome(request, outcome, str(done))
    return redirect("frontend:pool", pool.pk)


@login_required
@require_GET
def pool_statements(request: HttpRequest, pk: int) -> HttpResponse:
    """Every period's distribution, one row per tranche, as an Excel workbook."""
    pool = _visible(request, pk)
    columns = [Column(_("期次"), 8), Column(_("分配日"), 12), Column(_("本期回收"), 14, MONEY_FORMAT),
               Column(_("管理费"), 12, MONEY_FORMAT), Column(_("档次"), 12), Column(_("投资者"), 26),
               Column(_("应付利息"), 14, MONEY_FORMAT), Column(_("实付利息"), 14, MONEY_FORMAT),
               Column(_("偿还本金"), 14, MONEY_FORMAT), Column(_("期末本金余额"), 14, MONEY_FORMAT),
               Column(_("损失"), 12, MONEY_FORMAT), Column(_("剩余收益"), 12, MONEY_FORMAT)]
    rows = [(p.sequence, p.distributed_at.date(), p.collected, p.fees_paid, t["name"], t["investor"],
             Decimal(t["coupon_due"]), Decimal(t["coupon_paid"]), Decimal(t["principal_paid"]),
             Decimal(t["balance_after"]), Decimal(t["loss"]), p.residual)
            for p in pool.distributions.order_by("sequence") for t in p.statement["tranches"]]
    return workbook_response(table_xlsx(_("收益分配"), columns, rows), f"pool-{pool.number}")
