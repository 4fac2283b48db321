"""Licence royalties as collateral (应收账款质押): a licensor pledges the royalties of chosen licences to a bank.

- The licensor applies to a verified bank with the licences (each its own, in force, with royalties still to
  come, not pledged or sold already), the amount, the yearly rate and the term.
- The bank reviews the receivable's value (finance/receivables.py) and approves: in one transaction the
  pledge is registered in the (simulated) unified registry of movable-property security — registration
  number, public notice, term (Civil Code art. 445: the pledge exists from registration) — the amount is
  lent through the ledger and the registration certificate is issued; after commit the licensees are
  notified to pay the bank (Civil Code art. 546 by analogy: a debtor notified pays the new creditor).
- From then on each royalty of those licences is paid to the bank (market/services/proceeds.py, in the order
  of registration beside the patents' own pledges) until the secured amount — the loan with its simple
  interest to the term's end — is covered; the pledge is then discharged and the royalties go back to the
  licensor. The licensor may also pay what is left itself.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from market.access import member_of, require_member
from market.extensions import RoyaltyClaim, SecuredDebt, providers
from market.licensing.models import Licence, LicenceState
from market.models import DocumentKind, Organisation, OrganisationKind, TransitionLog, User
from market.money import ZERO, cny, format_cny
from market.rules import Reason, RuleViolation
from market.services import ledger
from market.services.documents import document_request
from market.services.errors import ActionForbidden
from market.services.payments import claim_command
from market.services.transitions import apply_transition

from .models import (
    PoolState,
    ReceivableCollection,
    ReceivablePledge,
    ReceivablePledgeState,
)
from .receivables import ReceivableValue, licence_receivable

RULE = "receivable_pledge"
S = ReceivablePledgeState
MAX_AMOUNT = Decimal("1e12")
MAX_RATE = Decimal("36")  # a yearly rate above this is not a loan a court protects (verify: judicial cap)
TAKEN_STATES = (S.APPLIED, S.REGISTERED)


def _reason(code: str, message: str, rule: str = RULE) -> Reason:
    return Reason(code, rule, message)


# -- which licences may be pledged ------------------------------------------------------------------
def receivable_taken(licence: Licence, *, rule: str = RULE, except_pledge: int | None = None,
                     except_pool: int | None = None) -> Reason | None:
    """Why the royalties of ``licence`` cannot be pledged or sold now: already pledged (applied or registered)
    or in a pool not closed (None: they are free)."""
    pledged = licence.receivable_pledges.filter(state__in=TAKEN_STATES).exclude(pk=except_pledge).first()
    if pledged is not None:
        return _reason("receivable_taken", f"许可 {licence.number} 的许可使用费已出质（{pledged.number}） / The "
                                           f"royalties of licence {licence.number} are pledged already", rule)
    if licence.pool_receivables.exclude(pool__state=PoolState.CLOSED).exclude(pool_id=except_pool).exists():
        return _reason("receivable_taken", f"许可 {licence.number} 的许可使用费已转让给证券化专项计划 / The "
                                           f"royalties of licence {licence.number} were sold to a pool", rule)
    return None


def receivable_blockers(licence: Licence, organisation: Organisation | None, *, rule: str = RULE,
                        except_pledge: int | None = None, except_pool: int | None = None) -> list[Reason]:
    """Every reason ``organisation`` (None: the licensor, whoever it is) cannot pledge or sell the royalties of
    ``licence`` now."""
    reasons = []
    if organisation is not None and licence.licensor_id != organisation.pk:
        reasons.append(_reason("not_licensor", f"许可 {licence.number} 不是贵方授予的许可 / Licence {licence.number} "
                                               f"was not granted by your organisation", rule))
    if licence.state != LicenceState.ACTIVE:
        reasons.append(_reason("licence_not_in_force", f"许可 {licence.number} 已终止 / Licence {licence.number} "
                                                       f"is no longer in force", rule))
    elif not licence.periods.filter(paid_at__isnull=True, cancelled_at__isnull=True,
                                    due_date__gte=timezone.localdate()).exclude(amount_due=0).exists():
        reasons.append(_reason("no_future_royalties", f"许可 {licence.number} 没有待收的许可使用费 / Licence "
                                                      f"{licence.number} has no royalties still to come", rule))
    taken = receivable_taken(licence, rule=rule, except_pledge=except_pledge, except_pool=except_pool)
    if taken is not None:
        reasons.append(taken)
    return reasons


def free_licences() -> QuerySet[Licence]:
    """Licences in force whose royalties are neither pledged nor in a pool (the services check each again)."""
    taken = Q(receivable_pledges__state__in=TAKEN_STATES) | Q(pool_receivables__pool__state__in=(
        PoolState.ASSEMBLING, PoolState.ISSUED))
    return (Licence.objects.filter(state=LicenceState.ACTIVE).exclude(taken)
            .select_related("patent", "licensee").order_by("-created_at"))


def pledgeable_licences(organisation: Organisation) -> QuerySet[Licence]:
    """The licences whose royalties ``organisation`` may pledge now (its own, free)."""
    return free_licences().filter(licensor=organisation)


# -- the flow ---------------------------------------------------------------------------------------
def _clean(*, amount, rate_percent, end_date) -> tuple[Decimal, Decimal, dt.date]:
    errors: dict[str, list[str]] = {}
    try:
        amount = cny(amount)
        if not ZERO < amount < MAX_AMOUNT:
            raise ValueError
    except (InvalidOperation, TypeError, ValueError):
        errors["amount"] = ["融资金额须为大于0的金额 / The amount must be above 0"]
    try:
        rate_percent = Decimal(str(rate_percent)).quantize(Decimal("0.001"))
        if not ZERO < rate_percent <= MAX_RATE:
            raise ValueError
    except (InvalidOperation, TypeError, ValueError):
        errors["rate_percent"] = [f"年利率须大于0且不超过{MAX_RATE}% / The rate must be above 0 and at most "
                                  f"{MAX_RATE}%"]
    if not isinstance(end_date, dt.date) or end_date <= timezone.localdate():
        errors["end_date"] = ["质押期限须晚于今天 / The term must end after today"]
    if errors:
        raise ValidationError(errors)
    return amount, rate_percent, end_date


def secured_amount(amount: Decimal, rate_percent: Decimal, *, start: dt.date, end: dt.date) -> Decimal:
    """The debt the royalties secure: the loan with its simple interest from ``start`` to ``end``.

    Example: ¥100,000 at 4.35 % for 365 days: 100,000 × (1 + 0.0435) = ¥104,350.00.
    """
    return cny(amount * (1 + rate_percent / 100 * Decimal((end - start).days) / 365))


def receivable_pledge_apply(*, actor: User, bank_id: int, licence_ids: list[int], amount, rate_percent,
                            end_date) -> ReceivablePledge:
    """The licensor applies to a verified bank to pledge the royalties of ``licence_ids``."""
    org = require_member(actor)
    amount, rate_percent, end_date = _clean(amount=amount, rate_percent=rate_percent, end_date=end_date)
    bank = Organisation.objects.filter(pk=bank_id).first()
    if bank is None or not bank.acts_as(OrganisationKind.BANK):
        raise ValidationError({"bank": ["请选择一家经认证的银行 / Choose a verified bank"]})
    if not licence_ids:
        raise ValidationError({"licences": ["请至少选择一项许可 / Choose at least one licence"]})
    with transaction.atomic():
        licences = list(Licence.objects.select_for_update().filter(pk__in=licence_ids).order_by("pk"))
        if len(licences) != len(set(licence_ids)):
            raise ValidationError({"licences": ["所选许可不存在 / A chosen licence does not exist"]})
        reasons = [r for licence in licences for r in receivable_blockers(licence, org)]
        if reasons:
            raise RuleViolation(reasons)
        pledge = ReceivablePledge.objects.create(pledgor=org, bank=bank, amount=amount, rate_percent=rate_percent,
                                                 end_date=end_date, created_by=actor)
        pledge.licences.set(licences)
        TransitionLog.record(pledge, transition="apply", from_state="", to_state=pledge.state, actor=actor,
                             reason=f"申请以 {len(licences)} 项许可的许可使用费出质，融资 {format_cny(amount)} / Applied to "
                                    f"pledge the royalties of {len(licences)} licence(s) for {format_cny(amount)}")
        transaction.on_commit(lambda: providers.notify(
            key=f"receivable-pledge:{pledge.pk}:applied", kind="receivable_pledge", organisations=[bank],
            title=f"应收账款质押申请：{org.name} {format_cny(amount)} / Receivable pledge application",
            url=reverse("frontend:receivable_pledge", args=[pledge.pk])))
    return pledge


def _pledge_for(actor: User, pledge_id: int, side: str) -> ReceivablePledge:
    """The pledge (locked) when ``actor`` is its ``side`` (bank: a verified one); refused otherwise."""
    org = member_of(actor)
    pledge = ReceivablePledge.objects.select_for_update().select_related("pledgor", "bank").get(pk=pledge_id)
    if side == "bank" and (org is None or pledge.bank_id != org.pk or not org.is_bank):
        raise ActionForbidden("只有质权银行可以执行此操作 / Only the pledgee bank may do this")
    if side == "pledgor" and (org is None or pledge.pledgor_id != org.pk):
        raise ActionForbidden("只有出质人可以执行此操作 / Only the pledgor may do this")
    return pledge


def registration_number(pledge: ReceivablePledge, on: dt.date) -> str:
    """The (simulated) registry's number: the date and the pledge's id, 20 digits."""
    return f"{on:%Y%m%d}{pledge.pk:012d}"


def _notice(pledge: ReceivablePledge, secured: Decimal, number: str) -> str:
    licences = "；".join(f"{lic.number}（{lic.patent.title}，被许可人 {lic.licensee.name}）"
                        for lic in pledge.licences.select_related("patent", "licensee").order_by("pk"))
    return (f"登记编号 {number}：出质人 {pledge.pledgor.name}（{pledge.pledgor.credit_code}）"
            f"以下列专利实施许可项下现有及将有的许可使用费应收账款出质给质权人 "
            f"{pledge.bank.name}（{pledge.bank.credit_code}），担保债权数额 {format_cny(secured)}，"
            f"登记期限至 {pledge.end_date:%Y-%m-%d}：{licences}。")


def receivable_pledge_register(*, pledge_id: int, actor: User) -> ReceivablePledge:
    """The bank approves: registered, the amount lent through the ledger, the certificate issued; the
    licensees are notified after commit."""
    with transaction.atomic():
        pledge = _pledge_for(actor, pledge_id, "bank")
        licences = list(pledge.licences.select_for_update().order_by("pk"))
        reasons = [r for lic in licences for r in receivable_blockers(lic, pledge.pledgor, except_pledge=pledge.pk)]
        if reasons:
            raise RuleViolation(reasons)
        today = timezone.localdate()
        if pledge.end_date <= today:
            raise RuleViolation(_reason("term_over", "质押期限已届满，请出质人重新申请 / The term has ended: the "
                                                     "pledgor applies again"))
        secured = secured_amount(pledge.amount, pledge.rate_percent, start=today, end=pledge.end_date)
        number = registration_number(pledge, today)
        apply_transition(pledge, "register", actor=actor, secured_amount=secured, registration_number=number,
                         notice=_notice(pledge, secured, number),
                         reason=f"登记编号 {number}，担保债权 {format_cny(secured)}，期限至 {pledge.end_date:%Y-%m-%d} / "
                                f"Registered as {number}, securing {format_cny(secured)} until "
                                f"{pledge.end_date:%Y-%m-%d}")
        command, _ = claim_command(organisation=pledge.bank, actor=actor, amount=pledge.amount,
                                   key=f"receivable-pledge:{pledge.pk}:lend", kind="receivable_loan")
        ledger.post(command=command, memo=f"应收账款质押融资放款 {pledge.number}", legs=[
            (ledger.external_account(pledge.bank), -pledge.amount),
            (ledger.external_account(pledge.pledgor), pledge.amount)])
        document_request(deal=pledge, kind=DocumentKind.RECEIVABLE_PLEDGE)
        url = reverse("frontend:receivable_pledge", args=[pledge.pk])
        licensees = {lic.licensee for lic in licences}
        transaction.on_commit(lambda: (
            providers.notify(key=f"receivable-pledge:{pledge.pk}:registered", kind="receivable_pledge",
                             organisations=[pledge.pledgor], url=url,
                             title=f"应收账款质押已登记：{number} / Receivable pledge registered"),
            providers.notify(key=f"receivable-pledge:{pledge.pk}:notice", kind="receivable_pledge",
                             organisations=licensees, url=reverse("frontend:my_licences"),
                             title=f"许可使用费已出质：此后向 {pledge.bank.name} 支付，至 {format_cny(secured)} 清偿为止 / "
                                   f"The royalties you owe are pledged: they are paid to the bank until the debt "
                                   f"is covered",
                             body=pledge.notice)))
    return pledge


def receivable_pledge_decline(*, pledge_id: int, actor: User, reason: str) -> ReceivablePledge:
    """The bank declines an application, with its reason."""
    if not (reason or "").strip():
        raise ValidationError({"reason": ["请说明拒绝理由 / Give the reason"]})
    with transaction.atomic():
        pledge = _pledge_for(actor, pledge_id, "bank")
        apply_transition(pledge, "decline", actor=actor, reason=reason.strip(), decision_reason=reason.strip())
        transaction.on_commit(lambda: providers.notify(
            key=f"receivable-pledge:{pledge.pk}:declined", kind="receivable_pledge", organisations=[pledge.pledgor],
            title=f"银行拒绝了应收账款质押申请 {pledge.number} / The bank declined", body=reason.strip(),
            url=reverse("frontend:receivable_pledge", args=[pledge.pk])))
    return pledge


def receivable_pledge_withdraw(*, pledge_id: int, actor: User) -> ReceivablePledge:
    """The pledgor withdraws its application before the bank decides."""
    with transaction.atomic():
        pledge = _pledge_for(actor, pledge_id, "pledgor")
        apply_transition(pledge, "withdraw", actor=actor, reason="出质人撤回申请 / Withdrawn by the pledgor")
    return pledge


def collected(pledge: ReceivablePledge) -> Decimal:
    return cny(pledge.collections.aggregate(total=Sum("amount"))["total"] or ZERO)


def outstanding(pledge: ReceivablePledge) -> Decimal:
    """What the royalties still secure (0 before registration and once discharged)."""
    if pledge.state != S.REGISTERED:
        return ZERO
    return max(ZERO, pledge.secured_amount - collected(pledge))


def _apply(pledge: ReceivablePledge, *, amount: Decimal, key: str, source: str, actor: User | None) -> None:
    """Record money applied to the secured amount (locked pledge, caller's transaction); discharge it once
    covered. A replayed key records nothing."""
    if ReceivableCollection.objects.filter(key=key).exists():
        return
    ReceivableCollection.objects.create(pledge=pledge, key=key, source=source, amount=cny(amount))
    left = outstanding(pledge)
    if left == ZERO:
        apply_transition(pledge, "discharge", actor=actor,
                         reason=f"担保债权 {format_cny(pledge.secured_amount)} 已清偿，注销登记 "
                                f"{pledge.registration_number} / The secured {format_cny(pledge.secured_amount)} "
                                f"is paid: registration {pledge.registration_number} discharged")
        licensees = {lic.licensee for lic in pledge.licences.select_related("licensee")}
        transaction.on_commit(lambda: providers.notify(
            key=f"receivable-pledge:{pledge.pk}:discharged", kind="receivable_pledge",
            organisations=[pledge.pledgor, pledge.bank, *licensees],
            title=f"应收账款质押 {pledge.registration_number} 已注销：许可使用费恢复向许可方支付 / Receivable pledge "
                  f"discharged: royalties are paid to the licensor again",
            url=reverse("frontend:receivable_pledge", args=[pledge.pk])))


def royalty_collect(*, pledge_id: int, amount: Decimal, key: str, source: str, actor: User | None) -> None:
    """A royalty paid to the bank (by the escrow of market/services/proceeds.py) applied to the pledge."""
    pledge = ReceivablePledge.objects.select_for_update().get(pk=pledge_id)
    _apply(pledge, amount=amount, key=key, source=source, actor=actor)


def receivable_pledge_repay(*, pledge_id: int, actor: User, idempotency_key: str) -> ReceivablePledge:
    """The pledgor pays the bank what the royalties have not covered yet; the pledge is discharged."""
    with transaction.atomic():
        pledge = _pledge_for(actor, pledge_id, "pledgor")
        left = outstanding(pledge)
        if left == ZERO:
            raise RuleViolation(_reason("nothing_owed", "该质押没有待清偿的债权 / Nothing is owed on this pledge"))
        command, new = claim_command(organisation=pledge.pledgor, actor=actor, amount=left, key=idempotency_key,
                                     kind="receivable_repay")
        if new:
            ledger.post(command=command, memo=f"应收账款质押融资还款 {pledge.number}", legs=[
                (ledger.external_account(pledge.pledgor), -left), (ledger.external_account(pledge.bank), left)])
            _apply(pledge, amount=left, key=f"receivable-pledge:{pledge.pk}:repay:{command.pk}",
                   source="出质人还款 / Paid by the pledgor", actor=actor)
    return pledge


# -- how the core reads it ----------------------------------------------------------------------------
def royalty_claims(licence: Licence) -> list[RoyaltyClaim]:
    """The registered pledges of ``licence``'s royalties that still secure something."""
    claims = []
    pledges = (ReceivablePledge.objects.filter(licences=licence, state=S.REGISTERED).select_related("bank")
               .select_for_update(of=("self",)).order_by("pk"))  # two licences' royalties paid at once wait here
    for pledge in pledges:
        left = outstanding(pledge)
        if left > ZERO:
            claims.append(RoyaltyClaim(pledge.registered_at, pledge.bank, SecuredDebt(
                key=f"receivable-pledge:{pledge.pk}", label=f"应收账款质押 {pledge.registration_number}", amount=left,
                account=ledger.external_account(pledge.bank),
                apply=lambda amount, actor, key, source, pk=pledge.pk: royalty_collect(
                    pledge_id=pk, amount=amount, key=key, source=source, actor=actor))))
    return claims


def pledge_value(pledge: ReceivablePledge, *, on: dt.date | None = None) -> tuple[list[tuple[Licence,
                                                                                      ReceivableValue]], Decimal]:
    """Each pledged licence with the value of its royalties still to come, and their total present value."""
    on = on or timezone.localdate()
    rows = [(lic, licence_receivable(lic, on=on))
            for lic in pledge.licences.select_related("patent", "licensee").prefetch_related("periods").order_by("pk")]
    return rows, cny(sum((value.present_value for _, value in rows), ZERO))


def receivable_ledger_problems() -> list[str]:
    """A pledge never collects more than it secures."""
    problems = []
    for pledge in ReceivablePledge.objects.filter(state__in=(S.REGISTERED, S.DISCHARGED)):
        total = collected(pledge)
        if total > pledge.secured_amount:
            problems.append(f"receivable pledge {pledge.number} collected {total} above its secured "
                            f"{pledge.secured_amount}")
    return problems


def pledges_visible_to(user: User) -> QuerySet[ReceivablePledge]:
    """Pledgor, bank and staff; the pledged licences' licensees once it is registered (they must know whom to
    pay; an application is none of their business)."""
    qs = ReceivablePledge.objects.select_related("pledgor", "bank")
    org = member_of(user)
    if org is None:
        return qs.none()
    if org.is_staff_org:
        return qs
    return qs.filter(Q(pledgor=org) | Q(bank=org)
                     | Q(licences__licensee=org, state__in=(S.REGISTERED, S.DISCHARGED))).distinct()

