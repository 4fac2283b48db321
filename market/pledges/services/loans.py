"""The pledge loan once registered: disbursement, the repayment schedule, repayments, overdue instalments,
default, partial release, and what the auction of defaulted collateral calls back.

Money moves only through the ledger (``market.services.ledger.post``), one payment command per
movement, each with an idempotency key: a replayed disbursement or repayment moves nothing twice.
Each loan has two principal accounts: the bank's ``loan_receivable`` (what the borrower still owes)
and its mirror, the borrower's ``loan_payable``; interest is the bank's income when paid. The money
itself goes between the parties' external accounts (the simulated provider).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone

from market.extensions import SecuredDebt
from market.models import AccountKind, LedgerAccount, LedgerEntry, Organisation, OrganisationKind, TransitionLog, User
from market.money import ZERO, cny, format_cny
from market.pledges import locks as pledge_locks
from market.pledges.models import (
    Instalment,
    InstalmentStatus,
    LoanRepayment,
    PledgeFiling,
    PledgeFilingKind,
    PledgeFilingState,
    PledgeLoan,
    PledgeLoanPatent,
    PledgeLoanState,
    ProceedsDeposit,
    RepaymentPlan,
)
from market.providers import provider
from market.rules import Reason, RuleViolation
from market.services import ledger
from market.services.errors import state_refusal
from market.services.payments import claim_command, is_replay
from market.services.transitions import apply_transition

from . import registry
from .common import loan_notify, money, require_party
from .monitoring import alert_raise, alerts_clear_paid

RULE = "pledge_loan"
DAYS_IN_YEAR = Decimal(360)


# -- the schedule (pure) -------------------------------------------------------------------------
@dataclass(frozen=True)
class ScheduleRow:
    number: int
    due_date: dt.date
    days: int
    principal: Decimal
    interest: Decimal

    @property
    def amount(self) -> Decimal:
        return self.principal + self.interest


def repayment_schedule(*, principal: Decimal, rate_percent: Decimal, plan: str, start_date: dt.date,
                       term_months: int, disbursed_on: dt.date) -> list[ScheduleRow]:
    """Monthly instalments due on the contract's monthly dates (``start_date`` + k months, k = 1..term).

    Interest is simple interest on actual days / 360 (ACT/360, the convention of Chinese bank loans:
    daily rate = yearly rate / 360) on the principal outstanding during the period; the first period
    runs from the disbursement date. Each amount is rounded half-up to the fen.
    Bullet: interest only, the whole principal with the last instalment. Equal principal (等额本金,
    chosen over the annuity because each month's principal and interest can be checked by hand):
    principal / term each month, rounded to the fen, the last instalment takes what is left.
    Example: ¥120,000.00 at 3.6% over 3 months disbursed 2026-01-15, equal principal: 40,000.00 each;
    interest 120,000 × 3.6% × 31/360 = 372.00, 80,000 × 3.6% × 28/360 = 224.00, 40,000 × 3.6% × 31/360 = 124.00.
    """
    rate = Decimal(rate_percent) / 100
    outstanding = cny(principal)
    # the principal paid in each instalment but the last (which takes what is left)
    part = ZERO if plan == RepaymentPlan.BULLET else cny(outstanding / term_months)
    previous = disbursed_on
    rows = []
    for number in range(1, term_months + 1):
        due = start_date + relativedelta(months=number)
        days = (due - previous).days
        interest = cny(outstanding * rate * days / DAYS_IN_YEAR)
        paid = outstanding if number == term_months else part
        rows.append(ScheduleRow(number, due, days, paid, interest))
        outstanding -= paid
        previous = due
    return rows


def loans_defaulted_for_auction() -> QuerySet[PledgeLoan]:
    """Defaulted loans whose collateral the trading centre may auction (again, after a failed auction)."""
    return (PledgeLoan.objects.filter(state=PledgeLoanState.DEFAULTED).select_related("applicant", "bank")
            .prefetch_related("patents").order_by("defaulted_at", "pk"))


def loan_account(loan, kind: str) -> LedgerAccount:
    """A pledge loan's principal account: the bank's ``loan_receivable`` or the borrower's ``loan_payable``."""
    organisation_id = loan.bank_id if kind == AccountKind.LOAN_RECEIVABLE else loan.applicant_id
    account, _ = LedgerAccount.objects.get_or_create(
        code=f"loan:{loan.pk}:{kind}", defaults={"kind": kind, "organisation_id": organisation_id})
    return account


# -- disbursement --------------------------------------------------------------------------------
def _key_kind(action: str, loan: PledgeLoan) -> str:
    return f"loan_{action}:{loan.pk}"


def loan_disburse(*, loan_id: int, actor: User, idempotency_key: str) -> PledgeLoan:
    """The bank pays the approved amount to the borrower once the pledge is registered; the schedule starts.

    A replay with the same key returns the loan and moves nothing.
    """
    with transaction.atomic():
        loan = pledge_locks.pledge_loan(loan_id)
        require_party(loan, actor, "bank")
        kind = _key_kind("disburse", loan)
        if loan.state != PledgeLoanState.REGISTERED:
            if is_replay(organisation=loan.bank, key=idempotency_key, kind=kind, escrow=None):
                return loan
            raise state_refusal(loan, "放款")
        contract = loan.contract()
        today = timezone.localdate()
        first_due = contract.start_date + relativedelta(months=1)
        if today >= first_due:
            raise RuleViolation(Reason("disbursement_too_late", RULE,
                                       f"合同约定的首期还款日 {first_due:%Y-%m-%d} 已到，请重新签订合同 / "
                                       f"The first instalment date {first_due:%Y-%m-%d} has passed"))
        command, _ = claim_command(organisation=loan.bank, key=idempotency_key, kind=kind, actor=actor,
                                   amount=loan.amount)
        provider.payout(payee_code=loan.applicant.credit_code, amount=loan.amount, reference=loan.number)
        ledger.post(command=command, memo=f"放款 {loan.number}", legs=[
            (ledger.external_account(loan.bank), -loan.amount),
            (ledger.external_account(loan.applicant), loan.amount),
            (loan_account(loan, AccountKind.LOAN_RECEIVABLE), loan.amount),
            (loan_account(loan, AccountKind.LOAN_PAYABLE), -loan.amount),
        ])
        rows = repayment_schedule(principal=loan.amount, rate_percent=loan.rate_percent, plan=loan.repayment_plan,
                                  start_date=contract.start_date, term_months=loan.term, disbursed_on=today)
        Instalment.objects.bulk_create(Instalment(loan=loan, number=r.number, due_date=r.due_date, days=r.days,
                                                  principal=r.principal, interest=r.interest) for r in rows)
        log = apply_transition(loan, "disburse", actor=actor, label="放款", on=today, command=command,
                               reason=f"放款 {format_cny(loan.amount)}，共 {len(rows)} 期，"
                                      f"末期 {rows[-1].due_date:%Y-%m-%d}")
        loan_notify(loan, event=f"log:{log.pk}", title="贷款已发放", body=f"放款 {format_cny(loan.amount)}",
                    to=[loan.applicant])
    return loan


# -- repayments ----------------------------------------------------------------------------------
def _open_instalments(loan: PledgeLoan) -> list[Instalment]:
    return list(loan.instalments.exclude(status__in=(InstalmentStatus.PAID, InstalmentStatus.CLOSED))
                .select_for_update().order_by("number"))


def _allocate(instalments: list[Instalment], amount: Decimal) -> tuple[Decimal, Decimal, list[Instalment]]:
    """Apply ``amount`` to the instalments in order, each one's interest before its principal."""
    left, principal, interest, touched = amount, ZERO, ZERO, []
    for instalment in instalments:
        if left <= ZERO:
            break
        pay_interest = min(left, instalment.interest - instalment.paid_interest)
        left -= pay_interest
        pay_principal = min(left, instalment.principal - instalment.paid_principal)
        left -= pay_principal
        instalment.paid_interest += pay_interest
        instalment.paid_principal += pay_principal
        interest, principal = interest + pay_interest, principal + pay_principal
        if instalment.outstanding == ZERO:
            instalment.status, instalment.paid_at = InstalmentStatus.PAID, timezone.now()
        touched.append(instalment)
    return principal, interest, touched


def loan_repay(*, loan_id: int, actor: User, amount, idempotency_key: str) -> LoanRepayment:
    """The borrower repays: applied to the earliest open instalments, interest first; the last repayment
    closes the loan and files the release (注销) of the pledge. A replayed key returns the first repayment.

    Early repayment pays the scheduled amounts as they stand (no interest rebate).
    """
    amount = money(amount, "amount")
    with transaction.atomic():
        loan = pledge_locks.pledge_loan(loan_id)
        require_party(loan, actor, "applicant")
        command, is_new = claim_command(organisation=loan.applicant, key=idempotency_key,
                                        kind=_key_kind("repay", loan), actor=actor, amount=amount)
        if not is_new:
            return command.pledge_repayment
        if loan.state != PledgeLoanState.DISBURSED:
            raise state_refusal(loan, "还款")
        instalments = _open_instalments(loan)
        due = sum((i.outstanding for i in instalments), ZERO)
        if amount > due:
            raise ValidationError({"amount": [f"还款金额超过未还金额 {format_cny(due)} / More than the "
                                              f"{format_cny(due)} still owed"]})
        principal, interest, touched = _allocate(instalments, amount)
        Instalment.objects.bulk_update(touched, ["paid_interest", "paid_principal", "status", "paid_at"])
        provider.charge(payer_code=loan.applicant.credit_code, amount=amount, reference=loan.number)
        return _book_repayment(loan, command, paid_from=ledger.external_account(loan.applicant), amount=amount,
                               principal=principal, interest=interest, actor=actor, memo=f"还款 {loan.number}",
                               transition="repay", reason=f"还款 {format_cny(amount)}（本金 {format_cny(principal)}，"
                                                          f"利息 {format_cny(interest)}）")


def _book_repayment(loan: PledgeLoan, command, *, paid_from: LedgerAccount, amount: Decimal, principal: Decimal,
                    interest: Decimal, actor: User | None, memo: str, transition: str, reason: str,
                    proceeds_of: str = "") -> LoanRepayment:
    """Book a repayment already applied to the schedule: the money from ``paid_from`` to the bank and its
    principal part off the loan's principal accounts, the repayment and its log row; clear the alerts it
    settles, and close the loan when nothing is left owing."""
    legs = [(paid_from, -amount), (ledger.external_account(loan.bank), amount)]
    if principal:
        legs += [(loan_account(loan, AccountKind.LOAN_RECEIVABLE), -principal),
                 (loan_account(loan, AccountKind.LOAN_PAYABLE), principal)]
    ledger.post(command=command, memo=memo, legs=legs)
    repayment = LoanRepayment.objects.create(loan=loan, command=command, amount=amount, principal=principal,
                                             interest=interest, proceeds_of=proceeds_of, paid_by=actor)
    TransitionLog.record(loan, transition=transition, from_state=loan.state, to_state=loan.state, actor=actor,
                         reason=reason)
    alerts_clear_paid(loan)
    if all(i.status == InstalmentStatus.PAID for i in loan.instalments.all()):
        _close_repaid(loan, actor)
    return repayment


def _close_repaid(loan: PledgeLoan, actor: User) -> None:
    log = apply_transition(loan, "repay_in_full", actor=actor, label="结清",
                           reason="贷款本息已全部结清，提交质押注销登记 / Repaid in full: release filed")
    for deposit in loan.deposits.filter(closed_at__isnull=True):
        _close_deposit(deposit, actor)  # nothing is owed any more: it goes back to the borrower
    patents = list(loan.pledged_patents())
    if patents:
        registry.pledge_release_file(loan=loan, patents=patents, actor=actor,
                                     reason="主债权已全部清偿 / The secured debt is repaid")
    loan_notify(loan, event=f"log:{log.pk}", title="贷款已结清，质押注销登记已提交", to=[loan.applicant, loan.bank])


# -- proceeds of transferring or licensing the collateral (Civil Code art. 444) ---------------------
def _prepay(instalments: list[Instalment], amount: Decimal, rate_percent: Decimal,
            today: dt.date) -> tuple[Decimal, Decimal, list[Instalment]]:
    """Apply ``amount`` to what is due by ``today`` (interest, then principal), then to the principal still to
    come; the interest of the periods to come is recomputed on the principal left (ACT/360)."""
    due = [i for i in instalments if i.due_date <= today]
    later = [i for i in instalments if i.due_date > today]
    principal, interest, touched = _allocate(due, amount)
    left = amount - principal - interest
    for instalment in later:
        part = min(left, instalment.principal - instalment.paid_principal)
        instalment.paid_principal += part
        principal, left = principal + part, left - part
    rate = Decimal(rate_percent) / 100
    for index, instalment in enumerate(later):
        owed = sum((i.principal - i.paid_principal for i in later[index:]), ZERO)
        instalment.interest = max(instalment.paid_interest, cny(owed * rate * instalment.days / DAYS_IN_YEAR))
        if instalment.outstanding == ZERO:
            instalment.status, instalment.paid_at = InstalmentStatus.PAID, timezone.now()
    return principal, interest, touched + later


def loan_apply_proceeds(*, loan_id: int, amount, actor: User | None, key: str, source: str) -> LoanRepayment | None:
    """The pledgee received ``amount`` of the proceeds ``source`` (an escrow's reference) on the loan's proceeds
    account: it repays the loan early (what is due first, then principal; the schedule recomputed). Repaid in
    full → the loan closes and the release (注销) is filed. Runs in the caller's transaction; a replayed
    ``key`` applies nothing twice."""
    amount = cny(amount)
    loan = pledge_locks.pledge_loan(loan_id)
    command, is_new = claim_command(organisation=loan.bank, key=key, kind=_key_kind("proceeds", loan), actor=actor,
                                    amount=amount)
    if not is_new:
        return getattr(command, "pledge_repayment", None)
    if loan.state != PledgeLoanState.DISBURSED:
        raise state_refusal(loan, "以价款清偿")
    instalments = _open_instalments(loan)
    principal, interest, touched = _prepay(instalments, amount, loan.rate_percent, timezone.localdate())
    Instalment.objects.bulk_update(touched, ["paid_interest", "paid_principal", "interest", "status", "paid_at"])
    return _book_repayment(
        loan, command, paid_from=loan_account(loan, AccountKind.LOAN_PROCEEDS), amount=amount, principal=principal,
        interest=interest, actor=actor, memo=f"价款抵偿 {loan.number}（{source}）", transition="repay_from_proceeds",
        proceeds_of=source, reason=f"质押专利的转让或许可价款 {format_cny(amount)}（{source}）提前清偿（本金 "
                                   f"{format_cny(principal)}，利息 {format_cny(interest)}），民法典第444条 / Proceeds of "
                                   f"the pledged patent repay the loan (Civil Code art. 444)")


def loan_deposit_proceeds(*, loan_id: int, amount, actor: User | None, key: str, source: str) -> ProceedsDeposit:
    """The pledgee agreed to have ``amount`` of the proceeds ``source`` deposited (提存) rather than repay the loan
    early: it stays on the loan's proceeds account until the last instalment's due date
    (``loans_close_due_deposits``). Runs in the caller's transaction; a replayed ``key`` deposits nothing twice."""
    loan = pledge_locks.pledge_loan(loan_id)
    earlier = ProceedsDeposit.objects.filter(key=key).first()
    if earlier is not None:
        return earlier
    held_until = loan.final_due_date()
    deposit = ProceedsDeposit.objects.create(loan=loan, key=key, amount=cny(amount), proceeds_of=source,
                                             held_until=held_until)
    TransitionLog.record(loan, transition="deposit_proceeds", from_state=loan.state, to_state=loan.state, actor=actor,
                         reason=f"质押专利的价款 {format_cny(deposit.amount)}（{source}）提存至 {held_until:%Y-%m-%d}，"
                                f"届时清偿"
                                f"债务，民法典第444条 / Proceeds deposited until the debt falls due (Civil Code art. 444)")
    return deposit


def _close_deposit(deposit: ProceedsDeposit, actor: User | None) -> None:
    """A deposit falls due or its loan was repaid: it repays what the loan still owes, the rest goes back to the
    borrower through the ledger."""
    deposit.closed_at = timezone.now()  # first: repaying the loan in full closes its open deposits
    deposit.save(update_fields=["closed_at"])
    loan = PledgeLoan.objects.get(pk=deposit.loan_id)
    owed = loan.outstanding_debt() if loan.state == PledgeLoanState.DISBURSED else ZERO
    applied = min(owed, deposit.amount)
    if applied > ZERO:
        loan_apply_proceeds(loan_id=loan.pk, amount=applied, actor=actor, key=f"{deposit.key}:apply",
                            source=deposit.proceeds_of)
    back = deposit.amount - applied
    if back > ZERO:
        command, is_new = claim_command(organisation=loan.bank, key=f"{deposit.key}:return",
                                        kind=_key_kind("deposit_return", loan), actor=actor, amount=back)
        if is_new:
            provider.payout(payee_code=loan.applicant.credit_code, amount=back, reference=loan.number)
            ledger.post(command=command, memo=f"提存款返还 {loan.number}", legs=[
                (loan_account(loan, AccountKind.LOAN_PROCEEDS), -back), (ledger.external_account(loan.applicant), back)])
    TransitionLog.record(loan, transition="deposit_closed", from_state=loan.state, to_state=loan.state, actor=actor,
                         reason=f"提存款 {format_cny(deposit.amount)}：清偿 {format_cny(applied)}，返还借款人 "
                                f"{format_cny(back)} / Deposit closed")


def loans_close_due_deposits(*, today: dt.date | None = None) -> int:
    """Daily: deposits whose debt fell due repay it (the rest goes back to the borrower)."""
    today = today or timezone.localdate()
    count = 0
    for deposit_id in ProceedsDeposit.objects.filter(closed_at__isnull=True, held_until__lte=today).values_list(
            "pk", flat=True):
        with transaction.atomic():
            deposit = ProceedsDeposit.objects.select_for_update().select_related("loan").get(pk=deposit_id)
            if deposit.closed_at is None:
                pledge_locks.pledge_loan(deposit.loan_id)
                _close_deposit(deposit, actor=None)
                count += 1
    return count


def secured_debt(pledge) -> SecuredDebt | None:
    """The pledge loan a registered pledge secures (market/services/proceeds.py): what it claims today (a loan
    not disbursed yet claims nothing), its proceeds account, and how the money repays it."""
    link = (PledgeLoanPatent.objects.filter(encumbrance=pledge, released_at__isnull=True)
            .select_related("loan").first())
    if link is None:
        return None
    loan = link.loan
    owed = loan.outstanding_debt() if loan.state == PledgeLoanState.DISBURSED else ZERO
    return SecuredDebt(key=f"pledgeloan:{loan.pk}", label=loan.number, amount=owed,
                       account=loan_account(loan, AccountKind.LOAN_PROCEEDS),
                       apply=partial(loan_apply_proceeds, loan_id=loan.pk), due_on=loan.final_due_date(),
                       deposit=partial(loan_deposit_proceeds, loan_id=loan.pk))


# -- overdue, default, partial release ------------------------------------------------------------
def loans_mark_overdue(*, today: dt.date | None = None) -> int:
    """Daily: instalments past their due date and not paid become overdue (alert and notification once)."""
    today = today or timezone.localdate()
    late = Instalment.objects.filter(status=InstalmentStatus.SCHEDULED, due_date__lt=today,
                                     loan__state=PledgeLoanState.DISBURSED)
    count = 0
    for instalment_id in late.values_list("pk", flat=True):
        with transaction.atomic():
            instalment = Instalment.objects.select_for_update().select_related("loan").get(pk=instalment_id)
            if instalment.status != InstalmentStatus.SCHEDULED:
                continue
            instalment.status = InstalmentStatus.OVERDUE
            instalment.overdue_since = instalment.due_date + dt.timedelta(days=1)
            instalment.save(update_fields=["status", "overdue_since"])
            loan = instalment.loan
            alert_raise(loan=loan, kind="instalment_overdue", key=f"loan:{loan.pk}:instalment:{instalment.pk}:overdue",
                        message=f"第{instalment.number}期（应还日 {instalment.due_date:%Y-%m-%d}）尚欠 "
                                f"{format_cny(instalment.outstanding)} / Instalment {instalment.number} is overdue",
                        notify_applicant=True)
            count += 1
    return count


def loan_declare_default(*, loan_id: int, actor: User, reason: str) -> PledgeLoan:
    """The bank declares default once an instalment is overdue past the grace period (a setting)."""
    if not (reason or "").strip():
        raise ValidationError({"reason": ["请填写违约说明 / Describe the default"]})
    grace = settings.MARKET["PLEDGE_DEFAULT_GRACE_DAYS"]
    with transaction.atomic():
        loan = pledge_locks.pledge_loan(loan_id)
        require_party(loan, actor, "bank")
        if loan.state != PledgeLoanState.DISBURSED:
            raise state_refusal(loan, "宣布违约")
        today = timezone.localdate()
        earliest = (loan.instalments.exclude(status__in=(InstalmentStatus.PAID, InstalmentStatus.CLOSED))
                    .filter(due_date__lt=today).order_by("due_date").first())
        if earliest is None or (today - earliest.due_date).days <= grace:
            since = f"逾期自 {earliest.due_date + dt.timedelta(days=1):%Y-%m-%d} 起" if earliest else "没有逾期的还款"
            raise RuleViolation(Reason("grace_period_running", RULE,
                                       f"宽限期（{grace}天）未满，不能宣布违约：{since} / The {grace}-day grace period "
                                       f"after an overdue instalment has not passed"))
        log = apply_transition(loan, "declare_default", actor=actor, label="宣布违约", note=reason.strip(),
                               reason=f"宣布违约：{reason.strip()}（第{earliest.number}期逾期超过{grace}天）")
        staff = Organisation.objects.acting_as(OrganisationKind.TRADING_CENTRE)
        loan_notify(loan, event=f"log:{log.pk}", title="贷款已宣布违约，质押专利待拍卖处置", body=reason.strip(),
                    to=[loan.applicant, loan.bank, *staff])
    return loan


def loan_release_patent(*, loan_id: int, actor: User, patent_id) -> PledgeFiling:
    """The bank agrees to release one patent of a package before repayment: its release (注销) is filed."""
    with transaction.atomic():
        loan = pledge_locks.pledge_loan(loan_id)
        require_party(loan, actor, "bank")
        if loan.state not in (PledgeLoanState.REGISTERED, PledgeLoanState.DISBURSED):
            raise state_refusal(loan, "部分解除质押")
        pledged = list(loan.pledged_patents())
        patent = next((p for p in pledged if str(p.pk) == str(patent_id)), None)
        if patent is None:
            raise ValidationError({"patent_id": ["该专利不在本笔质押中或已注销 / Not pledged in this loan"]})
        if len(pledged) < 2:
            raise RuleViolation(Reason("last_pledged_patent", RULE,
                                       "不能解除最后一件质押专利；债务清偿后整体注销 / The last patent is released "
                                       "only on repayment"))
        if PledgeFiling.objects.filter(loan=loan, kind=PledgeFilingKind.RELEASE, state=PledgeFilingState.FILED,
                                       patents=patent).exists():
            raise RuleViolation(Reason("release_pending", RULE, "该专利的注销登记正在审查 / Release already filed"))
        filing = registry.pledge_release_file(loan=loan, patents=[patent], actor=actor,
                                     reason="质权人同意部分解除质押 / The pledgee agrees to release this patent")
        TransitionLog.record(loan, transition="release_patent", from_state=loan.state, to_state=loan.state,
                             actor=actor, reason=f"质权人同意解除 {patent.application_number} 的质押，已提交注销登记")
    return filing


# -- the auction of defaulted collateral (called by market.auctions.services) ------------------
def _recover(loan: PledgeLoan, amount: Decimal, actor: User | None, key: str) -> tuple[Decimal, Decimal]:
    """Apply money the bank received from the disposal (moved by the auction through the ledger) to the
    loan's open instalments, interest first; the principal part leaves the loan's principal accounts."""
    instalments = _open_instalments(loan)
    owed = sum((i.outstanding for i in instalments), ZERO)
    principal, interest, touched = _allocate(instalments, min(cny(amount), owed))
    Instalment.objects.bulk_update(touched, ["paid_interest", "paid_principal", "status", "paid_at"])
    if principal > ZERO:
        command, is_new = claim_command(organisation=loan.bank, key=key, kind=_key_kind("recover", loan),
                                        actor=actor, amount=principal)
        if is_new:
            ledger.post(command=command, memo=f"处置所得受偿 {loan.number}", legs=[
                (loan_account(loan, AccountKind.LOAN_RECEIVABLE), -principal),
                (loan_account(loan, AccountKind.LOAN_PAYABLE), principal)])
    return principal, interest


def loan_auction_settled(*, loan_id: int, proceeds_to_creditor, actor: User | None) -> PledgeLoan:
    """The auction settled: the creditor's proceeds are applied to the debt (interest first), the principal
    still unpaid is written off (the bank keeps an unsecured claim for the shortfall), the open instalments
    are closed and the loan's pledges released. The auction service moves the money itself. Safe to call twice.
    """
    proceeds = cny(proceeds_to_creditor)
    with transaction.atomic():
        loan = pledge_locks.pledge_loan(loan_id)
        if loan.state == PledgeLoanState.SETTLED:
            return loan
        if loan.state != PledgeLoanState.DEFAULTED:
            raise state_refusal(loan, "拍卖结案")
        claim = loan.outstanding_debt()
        _recover(loan, proceeds, actor, key=f"pledge-loan:{loan.pk}:recover:settled")
        written_off = loan.outstanding_principal()
        if written_off > ZERO:
            command, _ = claim_command(organisation=loan.bank, key=f"pledge-loan:{loan.pk}:write-off",
                                       kind=_key_kind("write_off", loan), actor=actor, amount=written_off)
            ledger.post(command=command, memo=f"拍卖处置结案核销 {loan.number}", legs=[
                (loan_account(loan, AccountKind.LOAN_RECEIVABLE), -written_off),
                (loan_account(loan, AccountKind.LOAN_PAYABLE), written_off)])
        loan.instalments.exclude(status=InstalmentStatus.PAID).update(status=InstalmentStatus.CLOSED)
        now = timezone.now()
        for link in loan.pledgeloanpatent_set.filter(released_at__isnull=True).select_related("encumbrance"):
            if link.encumbrance and link.encumbrance.released_at is None:
                link.encumbrance.released_at = now
                link.encumbrance.note = (link.encumbrance.note + " 拍卖处置后注销").strip()
                link.encumbrance.save(update_fields=["released_at", "note"])
            link.released_at = now
            link.save(update_fields=["released_at"])
        shortfall = max(ZERO, claim - proceeds)
        log = apply_transition(loan, "settle", actor=actor, label="拍卖结案", proceeds=proceeds,
                               written_off=written_off,
                               reason=f"质押专利拍卖成交，质权人受偿 {format_cny(proceeds)}（债权 {format_cny(claim)}"
                                      + (f"，差额 {format_cny(shortfall)}转为无担保债权" if shortfall else "") + "），质押注销")
        loan_notify(loan, event=f"log:{log.pk}", title="质押专利拍卖成交，贷款结案",
                    body=f"质权人受偿 {format_cny(proceeds)}", to=[loan.applicant, loan.bank])
    return loan


def loan_auction_failed(*, loan_id: int, actor: User | None, proceeds_to_creditor=ZERO) -> PledgeLoan:
    """No sale: the loan stays defaulted and the collateral can be relisted. Deposits a defaulting winner
    forfeited to the creditor (``proceeds_to_creditor``) are applied to the debt."""
    recovered = cny(proceeds_to_creditor)
    with transaction.atomic():
        loan = pledge_locks.pledge_loan(loan_id)
        if loan.state != PledgeLoanState.DEFAULTED:
            raise state_refusal(loan, "记录流拍")
        failures = TransitionLog.for_object(loan).filter(transition="auction_failed").count()
        note = ""
        if recovered > ZERO:
            principal, interest = _recover(loan, recovered, actor, key=f"pledge-loan:{loan.pk}:recover:failed-{failures + 1}")
            note = (f"；没收的竞买保证金 {format_cny(recovered)}已抵偿债务（本金 {format_cny(principal)}，"
                    f"利息 {format_cny(interest)}）")
        log = TransitionLog.record(loan, transition="auction_failed", from_state=loan.state, to_state=loan.state,
                                   actor=actor, reason=f"拍卖流拍，可降低保留价重新拍卖{note} / The auction failed: relist")
        loan_notify(loan, event=f"log:{log.pk}", title="质押专利拍卖流拍", to=[loan.bank])
    return loan


# -- ledger consistency ----------------------------------------------------------------------------
def _balance(code: str) -> Decimal:
    return cny(LedgerEntry.objects.filter(account__code=code).aggregate(total=Sum("amount"))["total"])


def loan_ledger_problems() -> list[str]:
    """Each disbursed loan agrees with its schedule: the receivable equals the principal the schedule still
    asks for, the payable mirrors it, the schedule's principal is the loan's, proceeds paid to the bank were
    applied to it, and its state says what the schedule says (owing → disbursed, nothing owed → closed)."""
    problems = []
    for loan in PledgeLoan.objects.filter(disbursement_command__isnull=False).prefetch_related("instalments"):
        receivable = _balance(f"loan:{loan.pk}:{AccountKind.LOAN_RECEIVABLE}")
        payable = _balance(f"loan:{loan.pk}:{AccountKind.LOAN_PAYABLE}")
        unapplied = _balance(f"loan:{loan.pk}:{AccountKind.LOAN_PROCEEDS}")
        instalments = loan.instalments.all()
        expected = sum((i.principal - i.paid_principal for i in instalments if i.status != InstalmentStatus.CLOSED),
                       ZERO)
        scheduled = sum((i.principal for i in instalments), ZERO)
        if receivable != expected:
            problems.append(f"loan {loan.number} ({loan.state}): receivable is {receivable}, expected {expected}")
        if receivable + payable != ZERO:
            problems.append(f"loan {loan.number}: receivable {receivable} and payable {payable} do not mirror")
        if scheduled != loan.amount:
            problems.append(f"loan {loan.number}: the schedule's principal is {scheduled}, the loan's {loan.amount}")
        deposited = cny(loan.deposits.filter(closed_at__isnull=True).aggregate(total=Sum("amount"))["total"])
        if unapplied != deposited:
            problems.append(f"loan {loan.number}: {unapplied - deposited} paid to the bank from proceeds was not "
                            f"applied")
        if loan.state == PledgeLoanState.DISBURSED and expected == ZERO:
            problems.append(f"loan {loan.number}: disbursed with nothing owed")
        if loan.state == PledgeLoanState.REPAID and expected != ZERO:
            problems.append(f"loan {loan.number}: repaid with {expected} still owed")
    return problems
