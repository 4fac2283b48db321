"""A royalty-backed securitisation pool (知识产权证券化), from assembly to its last distribution.

- Staff create a pool (its periods, months a period, the servicer's fee a period), add licences whose
  royalties it will buy (in force, with royalties to come, not pledged or sold already), and split it into
  tranches — senior, mezzanine, subordinated: size, yearly coupon, priority, investor; their sizes add up to
  at most the receivables' present value.
- Before issue, a seeded Monte Carlo (finance/simulation.py) of the pool's receivables gives each tranche's
  expected loss and probability of any loss; a pool is issued only with a simulation of its current
  composition.
- Issue, in one transaction through the ledger: each investor pays its tranche into the pool's account,
  which pays each licensor the price of its receivables (the tranches' total split by present value); the
  issue statement is issued; after commit licensees, licensors and investors are notified (the licensees
  pay the pool from then on: Civil Code art. 546, a debtor notified of the sale pays the buyer).
- Each royalty of a pooled licence is paid into the pool's account (market/services/proceeds.py); each period
  staff run the distribution: the account's royalties through the waterfall (finance/waterfall.py) — the
  servicer's fee, coupons, principal by priority, the residual to the subordinated tranche's investor —
  each payment through the ledger, the period's statement issued as a document; the last period writes off
  what is unpaid as each tranche's loss and closes the pool.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal, InvalidOperation

import numpy as np
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from market.access import member_of
from market.extensions import RoyaltyClaim, SecuredDebt, providers
from market.licensing.models import Licence
from market.models import AccountKind, DocumentKind, LedgerAccount, Organisation, User
from market.money import ZERO, cny, format_cny, split
from market.rules import Reason, RuleViolation
from market.services import ledger
from market.services.documents import document_request
from market.services.errors import ActionForbidden
from market.services.payments import claim_command
from market.services.transitions import apply_transition

from . import simulation, waterfall
from .models import PoolCollection, PoolPeriod, PoolReceivable, PoolState, PoolTranche, SecuritisationPool
from .receivable_pledges import receivable_blockers
from .receivables import licence_dues, licence_receivable, licensee_default_rate

RULE = "pool"
ALL = Decimal("1e13")  # a pool takes every royalty of its licences: no cap
MAX_AMOUNT = Decimal("1e13")
SIMULATION_PATHS = 10_000
SIMULATION_SEED = 20260601


def _staff(actor: User) -> None:
    if not actor.is_centre_staff:
        raise ActionForbidden("只有交易中心工作人员可以执行此操作 / Only trading-centre staff may do this")


def _money(value, field: str, errors: dict, *, allow_zero: bool = False) -> Decimal | None:
    try:
        amount = cny(value)
        if amount < ZERO or (amount == ZERO and not allow_zero) or amount >= MAX_AMOUNT:
            raise ValueError
        return amount
    except (InvalidOperation, TypeError, ValueError):
        errors[field] = ["须为大于0的金额 / Must be an amount above 0" if not allow_zero else
                         "须为不小于0的金额 / Must be an amount of at least 0"]
        return None


def _locked(pool_id: int, actor: User, *states: str) -> SecuritisationPool:
    _staff(actor)
    pool = SecuritisationPool.objects.select_for_update().get(pk=pool_id)
    if states and pool.state not in states:
        raise RuleViolation(_reason("wrong_state", f"专项计划当前状态（{pool.get_state_display()}）不能执行此操作 / "
                                                            f"The pool's state ({pool.state}) does not allow this"))
    return pool


def _reason(code: str, message: str) -> Reason:
    return Reason(code, RULE, message)


# -- assembly -----------------------------------------------------------------------------------------
def pool_create(*, actor: User, name: str, periods, period_months=3, fee_per_period) -> SecuritisationPool:
    """Staff open a pool; the trading centre (the actor's organisation) services it."""
    _staff(actor)
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = ["请填写专项计划名称 / Give the pool a name"]
    try:
        periods = int(periods)
        if not 1 <= periods <= 80:
            raise ValueError
    except (TypeError, ValueError):
        errors["periods"] = ["期数须为1至80 / Between 1 and 80 periods"]
    try:
        period_months = int(period_months)
        if period_months not in (1, 3, 6, 12):
            raise ValueError
    except (TypeError, ValueError):
        errors["period_months"] = ["每期须为1、3、6或12个月 / A period is 1, 3, 6 or 12 months"]
    fee = _money(fee_per_period, "fee_per_period", errors, allow_zero=True)
    if errors:
        raise ValidationError(errors)
    return SecuritisationPool.objects.create(name=name.strip()[:200], servicer=actor.organisation, periods=periods,
                                             period_months=period_months, fee_per_period=fee, created_by=actor)


def pool_add_licences(*, pool_id: int, actor: User, licence_ids: list[int]) -> SecuritisationPool:
    """Add licences whose royalties the pool will buy, each valued now (refused with each one's reasons)."""
    with transaction.atomic():
        pool = _locked(pool_id, actor, PoolState.ASSEMBLING)
        licences = list(Licence.objects.select_for_update().filter(pk__in=licence_ids).order_by("pk"))
        if not licences or len(licences) != len(set(licence_ids)):
            raise ValidationError({"licences": ["请选择存在的许可 / Choose existing licences"]})
        fresh = [lic for lic in licences if not pool.receivables.filter(licence=lic).exists()]
        reasons = [r for lic in fresh for r in receivable_blockers(lic, None, rule=RULE)]
        if reasons:
            raise RuleViolation(reasons)
        today = timezone.localdate()
        for lic in fresh:
            value = licence_receivable(lic, on=today)
            PoolReceivable.objects.create(pool=pool, licence=lic, expected=value.expected,
                                          present_value=value.present_value)
        pool.simulation = None
        pool.save(update_fields=["simulation"])
    return pool


def pool_remove_licence(*, pool_id: int, actor: User, licence_id: int) -> SecuritisationPool:
    with transaction.atomic():
        pool = _locked(pool_id, actor, PoolState.ASSEMBLING)
        pool.receivables.filter(licence_id=licence_id).delete()
        pool.simulation = None
        pool.save(update_fields=["simulation"])
    return pool


def pool_value(pool: SecuritisationPool) -> Decimal:
    return cny(pool.receivables.aggregate(total=Sum("present_value"))["total"] or ZERO)


def pool_set_tranches(*, pool_id: int, actor: User, tranches: list[dict]) -> SecuritisationPool:
    """Replace the pool's tranches (priority by their order: the first is paid first, the last is the
    subordinated tranche); their total may not exceed the receivables' present value."""
    errors: dict[str, list[str]] = {}
    rows = []
    for index, row in enumerate(tranches, start=1):
        size = _money(row.get("size"), f"tranches.{index}.size", errors)
        try:
            coupon = Decimal(str(row.get("coupon_percent"))).quantize(Decimal("0.001"))
            if not ZERO <= coupon <= 36:
                raise ValueError
        except (InvalidOperation, TypeError, ValueError):
            errors[f"tranches.{index}.coupon_percent"] = ["票面利率须在0至36之间 / A coupon between 0 and 36 %"]
            coupon = None
        investor = Organisation.objects.filter(pk=row.get("investor"), verified=True).first() \
            if str(row.get("investor", "")).isdigit() else None
        if investor is None:
            errors[f"tranches.{index}.investor"] = ["请选择经认证的投资机构 / Choose a verified investor"]
        name = (row.get("name") or "").strip()
        if not name:
            errors[f"tranches.{index}.name"] = ["请填写档次名称 / Name the tranche"]
        rows.append((index, name[:40], size, coupon, investor))
    if not tranches:
        errors["tranches"] = ["至少设置一个档次 / Set at least one tranche"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        pool = _locked(pool_id, actor, PoolState.ASSEMBLING)
        total, value = sum((r[2] for r in rows), ZERO), pool_value(pool)
        if total > value:
            raise RuleViolation(_reason(
                "tranches_above_value", f"各档次合计 {format_cny(total)} 超过入池资产现值 {format_cny(value)} / The "
                                        f"tranches add up to more than the receivables are worth"))
        pool.tranches.all().delete()
        PoolTranche.objects.bulk_create(
            PoolTranche(pool=pool, priority=index, name=name, size=size, balance=size, coupon_percent=coupon,
                        investor=investor) for index, name, size, coupon, investor in rows)
        pool.simulation = None
        pool.save(update_fields=["simulation"])
    return pool


# -- the pre-issue simulation -------------------------------------------------------------------------
def _composition(pool: SecuritisationPool) -> str:
    """A fingerprint of what the simulation depends on: receivables, tranches, fee, periods."""
    parts = [list(pool.receivables.order_by("licence_id").values_list("licence_id", "expected")),
             list(pool.tranches.values_list("priority", "size", "coupon_percent")),
             str(pool.fee_per_period), pool.periods, pool.period_months]
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:16]


def simulation_inputs(pool: SecuritisationPool, *, on: dt.date) -> simulation.Pool:
    """The pool's receivables as the simulation reads them: each licence's expected royalties from ``on`` to
    its last due within the pool's periods, spread evenly over those periods; each licensee's default rate
    (finance/receivables.py) turned into a chance a period."""
    periods, months = pool.periods, pool.period_months
    bounds = [on + relativedelta(months=months * k) for k in range(periods + 1)]
    expected, ends, licensee_index, rates = [], [], [], {}
    for receivable in pool.receivables.select_related("licence").prefetch_related("licence__periods"):
        lic = receivable.licence
        dues = [d for d in licence_dues(lic, on=on) if d.due_date < bounds[-1]]
        if not dues:
            continue
        end = max(k for k in range(1, periods + 1) for d in dues if bounds[k - 1] <= d.due_date < bounds[k])
        expected.append(float(sum((d.expected for d in dues), ZERO)) / end)
        ends.append(end)
        yearly = licensee_default_rate(lic.periods.all(), on=on)
        if lic.licensee_id not in rates:
            rates[lic.licensee_id] = (len(rates), 1 - (1 - yearly) ** (months / 12))
        licensee_index.append(rates[lic.licensee_id][0])
    return simulation.Pool(expected=np.array(expected), ends=np.array(ends, dtype=np.int32),
                           licensee=np.array(licensee_index, dtype=np.int32),
                           default_rate=np.array([rate for _, rate in sorted(rates.values())]),
                           profile=np.ones(periods))


def pool_simulate(*, pool_id: int, actor: User, paths: int = SIMULATION_PATHS,
                  seed: int = SIMULATION_SEED) -> SecuritisationPool:
    """Run the seeded pre-issue simulation of the pool as it is composed now and keep its figures."""
    with transaction.atomic():
        pool = _locked(pool_id, actor, PoolState.ASSEMBLING)
        tranches = list(pool.tranches.all())
        if not tranches or not pool.receivables.exists():
            raise RuleViolation(_reason("incomplete", "请先加入许可并设置档次 / Add licences and set the "
                                                               "tranches first"))
        inputs = simulation_inputs(pool, on=timezone.localdate())
        structure = simulation.Structure(
            sizes=np.array([float(t.size) for t in tranches]),
            coupon_rates=np.array([float(t.coupon_percent) / 100 for t in tranches]),
            fee_per_period=float(pool.fee_per_period), periods_per_year=12 // pool.period_months)
        risks = simulation.simulate(inputs, structure, paths=paths, seed=seed) if len(inputs.expected) else [
            simulation.TrancheRisk(1.0, 1.0) for _ in tranches]
        pool.simulation = {
            "composition": _composition(pool), "paths": paths, "seed": seed, "ran_at": timezone.now().isoformat(),
            "tranches": [{"name": t.name, "expected_loss": round(r.expected_loss, 6),
                          "loss_probability": round(r.loss_probability, 6)} for t, r in zip(tranches, risks,
                                                                                            strict=True)]}
        pool.save(update_fields=["simulation"])
    return pool


def simulation_current(pool: SecuritisationPool) -> bool:
    return bool(pool.simulation) and pool.simulation.get("composition") == _composition(pool)


# -- issue ----------------------------------------------------------------------------------------------
def pool_account(pool: SecuritisationPool) -> LedgerAccount:
    account, _ = LedgerAccount.objects.get_or_create(code=f"pool:{pool.pk}:cash",
                                                     defaults={"kind": AccountKind.POOL_CASH})
    return account


def pool_issue(*, pool_id: int, actor: User) -> SecuritisationPool:
    """Issue the pool: investors pay in, licensors are paid for their receivables, the licensees pay the pool
    from now on."""
    with transaction.atomic():
        pool = _locked(pool_id, actor, PoolState.ASSEMBLING)
        if not simulation_current(pool):
            raise RuleViolation(_reason("simulation_missing", "发行前须按当前组成完成模拟测算 / Run the "
                                                                       "simulation of the pool as it is now first"))
        receivables = list(pool.receivables.select_related("licence__licensor", "licence__licensee")
                           .select_for_update(of=("self",)))
        reasons = [r for rec in receivables
                   for r in receivable_blockers(rec.licence, None, rule=RULE, except_pool=pool.pk)]
        if reasons:
            raise RuleViolation(reasons)
        tranches = list(pool.tranches.select_related("investor"))
        total = sum((t.size for t in tranches), ZERO)
        account = pool_account(pool)
        for tranche in tranches:
            command, _ = claim_command(organisation=tranche.investor, actor=actor, amount=tranche.size,
                                       key=f"pool:{pool.pk}:subscribe:{tranche.pk}", kind="pool_subscribe")
            ledger.post(command=command, memo=f"认购 {pool.number} {tranche.name}", legs=[
                (ledger.external_account(tranche.investor), -tranche.size), (account, tranche.size)])
        prices = split(total, [rec.present_value for rec in receivables])
        for receivable, price in zip(receivables, prices, strict=True):
            receivable.price = price
            receivable.save(update_fields=["price"])
            licensor = receivable.licence.licensor
            command, _ = claim_command(organisation=licensor, actor=actor, amount=price,
                                       key=f"pool:{pool.pk}:buy:{receivable.pk}", kind="pool_purchase")
            ledger.post(command=command, memo=f"{pool.number} 购买 {receivable.licence.number} 许可使用费", legs=[
                (account, -price), (ledger.external_account(licensor), price)])
        apply_transition(pool, "issue", actor=actor, size=total,
                         reason=f"发行 {format_cny(total)}，入池许可 {len(receivables)} 项 / Issued {format_cny(total)} "
                                f"on {len(receivables)} licence(s)")
        document_request(deal=pool, kind=DocumentKind.POOL_ISSUE)
        licences_url = reverse("frontend:my_licences")
        licensees = {rec.licence.licensee for rec in receivables}
        licensors = {rec.licence.licensor for rec in receivables}
        transaction.on_commit(lambda: (
            providers.notify(key=f"pool:{pool.pk}:notice", kind="pool", organisations=licensees, url=licences_url,
                             title=f"许可使用费已转让给“{pool.name}”：此后向专项计划账户支付 / The royalties you owe "
                                   f"were sold to a securitisation pool: pay the pool from now on"),
            providers.notify(key=f"pool:{pool.pk}:sold", kind="pool", organisations=licensors, url=licences_url,
                             title=f"许可使用费已转让给“{pool.name}”，价款已支付 / Your royalties were sold to a "
                                   f"securitisation pool and paid for"),
            providers.notify(key=f"pool:{pool.pk}:issued", kind="pool", organisations={t.investor for t in tranches},
                             url=reverse("frontend:pool", args=[pool.pk]),
                             title=f"证券化专项计划“{pool.name}”已发行 / The securitisation pool was issued")))
    return pool


# -- collections and distributions --------------------------------------------------------------------
def pool_collect(*, pool_id: int, amount: Decimal, key: str, source: str) -> None:
    """A royalty paid into the pool's account (by the escrow, market/services/proceeds.py); a replay records
    nothing."""
    if not PoolCollection.objects.filter(key=key).exists():
        PoolCollection.objects.create(pool_id=pool_id, key=key, source=source, amount=cny(amount))


def royalty_claims(licence: Licence) -> list[RoyaltyClaim]:
    """An issued pool takes every royalty of its licences."""
    claims = []
    for receivable in licence.pool_receivables.filter(pool__state=PoolState.ISSUED).select_related("pool__servicer"):
        pool = receivable.pool
        claims.append(RoyaltyClaim(pool.issued_at, pool.servicer, SecuredDebt(
            key=f"pool:{pool.pk}", label=pool.name, amount=ALL, account=pool_account(pool),
            apply=lambda amount, actor, key, source, pk=pool.pk: pool_collect(pool_id=pk, amount=amount, key=key,
                                                                              source=source))))
    return claims


def _states(tranches: list[PoolTranche]) -> list[waterfall.TrancheState]:
    return [waterfall.TrancheState(waterfall.Tranche(t.name, t.size, t.coupon_percent / 100, t.priority),
                                   t.balance, t.coupon_owed) for t in tranches]


def pool_distribute(*, pool_id: int, actor: User) -> PoolPeriod:
    """Distribute the next period: the royalties collected since the last one through the waterfall."""
    with transaction.atomic():
        pool = _locked(pool_id, actor, PoolState.ISSUED)
        sequence = pool.distributions.count() + 1
        account = pool_account(pool)
        cash = ledger.balance(account)
        tranches = list(pool.tranches.select_related("investor").select_for_update(of=("self",)))
        last = sequence == pool.periods
        statement, after = waterfall.distribute(sequence, cash, _states(tranches),
                                                fees_due=pool.fees_owed + pool.fee_per_period,
                                                periods_per_year=12 // pool.period_months, last=last)
        payouts: dict[int, list] = {pool.servicer_id: [pool.servicer, statement.fees_paid]}
        for tranche, payment in zip(tranches, statement.payments, strict=True):
            payouts.setdefault(tranche.investor_id, [tranche.investor, ZERO])[1] += \
                payment.coupon_paid + payment.principal_paid
        payouts[tranches[-1].investor_id][1] += statement.residual  # the subordinated tranche's residual interest
        if cash > ZERO:
            command, _ = claim_command(organisation=pool.servicer, actor=actor, amount=cash,
                                       key=f"pool:{pool.pk}:period:{sequence}", kind="pool_distribution")
            ledger.post(command=command, memo=f"{pool.number} 第{sequence}期收益分配", legs=[
                (account, -cash), *[(ledger.external_account(org), amount) for org, amount in payouts.values()
                                    if amount > ZERO]])
        for tranche, state, payment in zip(tranches, after, statement.payments, strict=True):
            tranche.balance, tranche.coupon_owed = state.balance, state.coupon_owed
            tranche.loss += payment.loss
            tranche.save(update_fields=["balance", "coupon_owed", "loss"])
        pool.fees_owed = statement.fees_due - statement.fees_paid
        pool.save(update_fields=["fees_owed"])
        period = PoolPeriod.objects.create(
            pool=pool, sequence=sequence, collected=cash, fees_paid=statement.fees_paid, residual=statement.residual,
            distributed_by=actor, statement={
                "fees_due": str(statement.fees_due),
                "tranches": [{"name": p.name, "investor": t.investor.name, "coupon_due": str(p.coupon_due),
                              "coupon_paid": str(p.coupon_paid), "principal_paid": str(p.principal_paid),
                              "balance_after": str(p.balance_after), "loss": str(p.loss)}
                             for t, p in zip(tranches, statement.payments, strict=True)]})
        pool.collections.filter(period__isnull=True).update(period=period)
        if last:
            apply_transition(pool, "close", actor=actor, reason=f"第{sequence}期分配后到期结清 / Closed after period {sequence}")
        document_request(deal=period, kind=DocumentKind.POOL_DISTRIBUTION)
        investors = {t.investor for t in tranches}
        transaction.on_commit(lambda: providers.notify(
            key=f"pool:{pool.pk}:period:{sequence}", kind="pool", organisations=investors,
            url=reverse("frontend:pool", args=[pool.pk]),
            title=f"“{pool.name}”第{sequence}期收益分配：回收 {format_cny(cash)} / Period {sequence} distributed"))
    return period


# -- who sees what ---------------------------------------------------------------------------------------
def pools_visible_to(user: User) -> QuerySet[SecuritisationPool]:
    """Staff see every pool, an investor the pools it holds a tranche of. Licensors and licensees are told of
    the sale (notified) but do not read the pool: it shows every licence's royalties and every party."""
    org = member_of(user)
    qs = SecuritisationPool.objects.select_related("servicer")
    if org is None:
        return qs.none()
    if org.is_staff_org:
        return qs
    return qs.filter(tranches__investor=org).distinct()


def pool_ledger_problems() -> list[str]:
    """A pool's account holds exactly the royalties collected and not yet distributed."""
    problems = []
    for pool in SecuritisationPool.objects.exclude(state=PoolState.ASSEMBLING):
        pending = cny(pool.collections.filter(period__isnull=True).aggregate(t=Sum("amount"))["t"] or ZERO)
        cash = ledger.balance(pool_account(pool))
        if cash != pending:
            problems.append(f"pool {pool.number}: account {cash}, undistributed collections {pending}")
    return problems
