"""Royalties: the arithmetic (pure, Decimal), the schedule of a granted licence, reports and payments.

Every payment goes through an escrow that is held, captured and released to the licensor at
once (the licensee's money reaches the licensor only through the ledger). A late report or
payment is reminded by a daily task, once per period and kind.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from market.licensing import locks as licence_locks
from market.licensing.models import (
    Licence,
    LicenceReminder,
    LicenceState,
    ReminderKind,
    ReportingPeriod,
    RoyaltyKind,
    RoyaltyMethod,
    RoyaltyPeriod,
)
from market.models import Encumbrance, Organisation, Patent, User
from market.money import ZERO, cny, format_cny
from market.rules import Reason, RuleViolation
from market.services import payments, proceeds
from market.services.errors import ActionForbidden, IdempotencyConflict
from market.services.transitions import apply_transition

logger = logging.getLogger(__name__)
RULE = "royalties"
MAX_AMOUNT = Decimal("1e13")


# -- arithmetic (pure) ---------------------------------------------------------------------------
def percentage_royalty(net_sales: Decimal, rate_percent: Decimal) -> Decimal:
    """Royalty on net sales at ``rate_percent`` %, rounded half-up to the cent.

    Example: sales ¥1,234,567.89 at 3.50 %: 1,234,567.89 × 0.035 = 43,209.87615 → ¥43,209.88.
    """
    return cny(Decimal(net_sales) * Decimal(rate_percent) / 100)


def per_unit_royalty(units: Decimal, unit_fee: Decimal) -> Decimal:
    """Royalty on ``units`` at ``unit_fee`` each. Example: 12,345 units at ¥2.75 = ¥33,948.75."""
    return cny(Decimal(units) * Decimal(unit_fee))


def year_end(start: dt.date) -> dt.date:
    """Last day of the licence year starting on ``start``."""
    return start + relativedelta(years=1) - dt.timedelta(days=1)


def prorated_annual_fee(annual_fee: Decimal, start: dt.date, end: dt.date) -> Decimal:
    """The yearly fee for the licence year beginning ``start``, cut at ``end`` when the licence ends first.

    A full year pays the whole fee; a shorter last year pays by days (both ends included).
    Example: ¥12,000.00 a year, last year 2025-01-01..2025-03-14 = 73 of 365 days:
    12,000 × 73 / 365 = ¥2,400.00.
    """
    full_end = year_end(start)
    if end >= full_end:
        return cny(annual_fee)
    days = (end - start).days + 1
    year_days = (full_end - start).days + 1
    return cny(Decimal(annual_fee) * days / year_days)


def period_bounds(start: dt.date, end: dt.date, months: int) -> list[tuple[dt.date, dt.date]]:
    """Consecutive periods of ``months`` from ``start``, the last one cut at ``end`` (inclusive dates)."""
    periods = []
    index = 0
    while True:
        first = start + relativedelta(months=months * index)
        if first > end:
            return periods
        last = min(start + relativedelta(months=months * (index + 1)) - dt.timedelta(days=1), end)
        periods.append((first, last))
        index += 1


@dataclass(frozen=True)
class PlannedPeriod:
    """One row of a licence's royalty schedule before it is stored."""

    sequence: int
    kind: str
    period_start: dt.date
    period_end: dt.date
    due_date: dt.date
    amount: Decimal | None


def royalty_schedule(terms, start: dt.date, end: dt.date, *, due_days: int | None = None) -> list[PlannedPeriod]:
    """The royalty schedule of a licence running ``start``..``end`` on ``terms`` (a RoyaltyTerms).

    Yearly lump sum: one fixed payment per licence year, due on its first day (the first is the
    take-up payment). Percentage / per-unit: the entry fee (if any) due on the first day
    (sequence 0), then one period every ``period_months``, reported and paid within
    ``ROYALTY_DUE_DAYS`` after it ends.
    """
    due_days = settings.MARKET["ROYALTY_DUE_DAYS"] if due_days is None else due_days
    if terms.royalty_method == RoyaltyMethod.ANNUAL:
        return [PlannedPeriod(i, RoyaltyKind.ANNUAL, s, e, s, prorated_annual_fee(terms.annual_fee, s, e))
                for i, (s, e) in enumerate(period_bounds(start, end, 12), start=1)]
    planned = []
    if terms.entry_fee:
        planned.append(PlannedPeriod(0, RoyaltyKind.ENTRY_FEE, start, start, start, cny(terms.entry_fee)))
    kind = RoyaltyKind.SALES if terms.royalty_method == RoyaltyMethod.PERCENTAGE else RoyaltyKind.UNITS
    for i, (s, e) in enumerate(period_bounds(start, end, terms.period_months), start=1):
        planned.append(PlannedPeriod(i, kind, s, e, e + dt.timedelta(days=due_days), None))
    return planned


def initial_payment(terms, start: dt.date, end: dt.date) -> Decimal:
    """What is paid when the licence begins: the entry fee, or the first licence year's fee (0 if none)."""
    first = [p for p in royalty_schedule(terms, start, end) if p.due_date == start and p.amount]
    return first[0].amount if first else ZERO


def royalty_due(period: RoyaltyPeriod, quantity: Decimal) -> Decimal:
    """The amount a reported quantity (net sales in yuan, or units) owes under the period's licence."""
    licence = period.licence
    if period.kind == RoyaltyKind.SALES:
        return percentage_royalty(quantity, licence.royalty_rate)
    return per_unit_royalty(quantity, licence.unit_fee)


# -- terms validation ----------------------------------------------------------------------------
def _money(value, field: str, errors: dict, *, required: bool, positive: bool = True) -> Decimal | None:
    if value in (None, ""):
        if required:
            errors[field] = ["此项必填 / This field is required"]
        return None
    try:
        amount = cny(value)
    except (InvalidOperation, TypeError, ValueError):
        errors[field] = ["金额格式不正确 / Not a number"]
        return None
    if amount < ZERO or (positive and amount == ZERO) or amount >= MAX_AMOUNT:
        errors[field] = ["金额须大于0且在范围内 / The amount must be above 0 and in range" if positive else
                         "金额不能为负 / The amount cannot be negative"]
        return None
    return amount


def clean_royalty_terms(*, royalty_method: str, annual_fee=None, entry_fee=None, royalty_rate=None, unit_fee=None,
                        period_months=ReportingPeriod.QUARTER) -> dict:
    """Check royalty terms; returns the fields to store (those the method does not use are empty).

    Raises ValidationError with a bilingual message per field.
    """
    errors: dict[str, list[str]] = {}
    cleaned = {"royalty_method": royalty_method, "annual_fee": None, "entry_fee": None, "royalty_rate": None,
               "unit_fee": None, "period_months": ReportingPeriod.YEAR}
    if royalty_method == RoyaltyMethod.ANNUAL:
        cleaned["annual_fee"] = _money(annual_fee, "annual_fee", errors, required=True)
    elif royalty_method in (RoyaltyMethod.PERCENTAGE, RoyaltyMethod.PER_UNIT):
        cleaned["entry_fee"] = _money(entry_fee, "entry_fee", errors, required=False, positive=False) or None
        try:
            cleaned["period_months"] = ReportingPeriod(int(period_months))
        except (TypeError, ValueError):
            errors["period_months"] = ["结算周期须为3、6或12个月 / The period must be 3, 6 or 12 months"]
        if royalty_method == RoyaltyMethod.PERCENTAGE:
            try:
                rate = Decimal(str(royalty_rate)).quantize(Decimal("0.01"))
            except (InvalidOperation, TypeError, ValueError):
                rate = None
            if rate is None or not ZERO < rate <= 100:
                errors["royalty_rate"] = ["提成比例须在0到100之间 / The rate must be above 0 and at most 100 (%)"]
            cleaned["royalty_rate"] = rate
        else:
            cleaned["unit_fee"] = _money(unit_fee, "unit_fee", errors, required=True)
    else:
        errors["royalty_method"] = [f"不支持的支付方式 {royalty_method!r} / Unknown royalty method"]
    if errors:
        raise ValidationError(errors)
    return cleaned


# -- granting and paying ---------------------------------------------------------------------------
def licence_grant(*, patent: Patent, licensor: Organisation, licensee: Organisation, kind: str, terms,
                  start_date: dt.date, end_date: dt.date, territory: str, scope: str, actor: User,
                  note: str, **source) -> Licence:
    """Create the licence, its register entry (encumbrance) and its royalty schedule.

    Runs inside the caller's transaction, after the caller checked the rules. ``source`` holds
    ``declaration=`` or ``contract=`` and the take-up's fields.
    """
    encumbrance = Encumbrance.objects.create(
        patent=patent, kind=kind, beneficiary=licensee, start_date=start_date, end_date=end_date,
        territory=territory, note=note[:500])
    royalty_fields = {name: getattr(terms, name) for name in ("royalty_method", "annual_fee", "entry_fee",
                                                              "royalty_rate", "unit_fee", "period_months")}
    licence = Licence.objects.create(
        patent=patent, licensor=licensor, licensee=licensee, kind=kind, territory=territory, scope=scope,
        start_date=start_date, end_date=end_date, encumbrance=encumbrance, granted_by=actor, **royalty_fields,
        **source)
    RoyaltyPeriod.objects.bulk_create(
        RoyaltyPeriod(licence=licence, sequence=p.sequence, kind=p.kind, period_start=p.period_start,
                      period_end=p.period_end, due_date=p.due_date, amount_due=p.amount)
        for p in royalty_schedule(licence, start_date, end_date))
    return licence


def _escrow_key(period: RoyaltyPeriod, step: str) -> str:
    return f"royalty:{period.pk}:{step}"


def pay_period_locked(period: RoyaltyPeriod, *, licence: Licence, actor: User, idempotency_key: str) -> bool:
    """Pay ``period`` (locked, with its licence) through escrow: hold, capture, release to the licensor.

    Runs inside the caller's transaction. Returns False when ``idempotency_key`` already paid it
    (a replay moves nothing); a paid period asked again with a new key is refused.
    """
    if period.paid_at is not None:
        if period.escrow_id and payments.is_replay(organisation=licence.licensee, key=idempotency_key, kind="hold",
                                                   escrow=period.escrow):
            return False
        raise RuleViolation(Reason("already_paid", RULE, "该期许可使用费已支付 / This royalty has been paid"))
    if not period.payable:
        raise RuleViolation(Reason("nothing_due", RULE, "该期没有应付的许可使用费 / Nothing is due for this period"))
    escrow, moved = payments.escrow_hold(payer=licence.licensee, payee=licence.licensor, amount=period.amount_due,
                                         reference=f"{licence.number}-{period.sequence:02d}",
                                         idempotency_key=idempotency_key, actor=actor)
    if not moved:  # the key paid another period earlier
        raise IdempotencyConflict(
            "该幂等键已用于另一笔不同的支付请求 / This idempotency key was already used for a different payment request")
    payments.escrow_capture(escrow_id=escrow.pk, idempotency_key=_escrow_key(period, "capture"), actor=actor)
    escrow = proceeds.release_proceeds(escrow_id=escrow.pk, patents=[licence.patent], actor=actor,
                                       idempotency_key=_escrow_key(period, "release"), receivable=licence)
    period.escrow = escrow
    period.paid_at = timezone.now()
    period.save(update_fields=["escrow", "paid_at"])
    return True


def _licensee_period(period_id: int, actor: User) -> tuple[Licence, RoyaltyPeriod]:
    """Lock the period's licence, then the period; only the licensee acts on its royalties."""
    licence_id = RoyaltyPeriod.objects.values_list("licence_id", flat=True).get(pk=period_id)
    licence = licence_locks.licence(licence_id)
    if licence.party_of(actor.organisation) != "licensee":
        raise ActionForbidden("只有被许可方可以报告和支付许可使用费 / Only the licensee reports and pays royalties")
    return licence, licence_locks.royalty_period(period_id)


def royalty_report(*, period_id: int, actor: User, quantity) -> RoyaltyPeriod:
    """The licensee reports a period's net sales (yuan) or units; the royalty due is computed.

    A period can be reported once it has ended; reporting the same figure again changes nothing.
    """
    try:
        quantity = Decimal(str(quantity)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValidationError({"quantity": ["数额格式不正确 / Not a number"]}) from exc
    if quantity < 0 or quantity >= MAX_AMOUNT:
        raise ValidationError({"quantity": ["数额不能为负且须在范围内 / The figure cannot be negative"]})
    with transaction.atomic():
        licence, period = _licensee_period(period_id, actor)
        if not period.needs_report:
            raise RuleViolation(Reason("no_report_needed", RULE,
                                       "固定许可费无需报告 / A fixed fee needs no report"))
        if period.kind == RoyaltyKind.UNITS and quantity != quantity.to_integral_value():
            raise ValidationError({"quantity": ["件数须为整数 / Units must be a whole number"]})
        if period.reported_at is not None:
            if period.reported_quantity == quantity:
                return period
            raise RuleViolation(Reason("already_reported", RULE,
                                       "该期已报告，如需更正请联系许可方 / This period was reported already"))
        if period.period_end >= timezone.localdate():
            raise RuleViolation(Reason("period_not_over", RULE,
                                       f"结算期至 {period.period_end:%Y-%m-%d} 结束后方可报告 / "
                                       f"Report after the period ends on {period.period_end:%Y-%m-%d}"))
        period.reported_quantity = quantity
        period.reported_at = timezone.now()
        period.reported_by = actor
        period.amount_due = royalty_due(period, quantity)
        period.save(update_fields=["reported_quantity", "reported_at", "reported_by", "amount_due"])
    return period


def royalty_pay(*, period_id: int, actor: User, idempotency_key: str) -> RoyaltyPeriod:
    """The licensee pays a period's royalty through escrow to the licensor; a replayed key pays once."""
    with transaction.atomic():
        licence, period = _licensee_period(period_id, actor)
        if period.needs_report and period.reported_at is None:
            raise RuleViolation(Reason("not_reported", RULE, "请先报告该期销售额或件数 / Report the period first"))
        pay_period_locked(period, licence=licence, actor=actor, idempotency_key=idempotency_key)
    return period


def licence_end(licence: Licence, *, transition: str, actor: User | None, reason: str) -> None:
    """End a locked licence (expire / terminate): its register entry is released, its future dues cancelled."""
    kwargs = {"end_reason": reason} if transition == "terminate" else {}
    apply_transition(licence, transition, actor=actor, reason=reason, **kwargs)
    now = timezone.now()
    Encumbrance.objects.filter(pk=licence.encumbrance_id, released_at__isnull=True).update(released_at=now)
    # dues of periods that had not started are cancelled; started ones remain owed
    licence.periods.filter(paid_at__isnull=True, period_start__gt=timezone.localdate()).update(cancelled_at=now)


# -- reminders -------------------------------------------------------------------------------------
def reminder_send(*, kind: str, organisation: Organisation, message: str, **subject) -> LicenceReminder | None:
    """Record a reminder once (per contract or period, and kind) and mail the organisation's users after commit.

    Returns None when that reminder was sent before. Runs inside the caller's transaction.
    """
    try:
        with transaction.atomic():
            reminder = LicenceReminder.objects.create(kind=kind, organisation=organisation, message=message,
                                                      **subject)
    except IntegrityError:
        return None
    recipients = list(organisation.users.exclude(email="").values_list("email", flat=True))
    if recipients:
        subject_line = f"[浙江知识产权交易平台] {ReminderKind(kind).label.split(' ')[0]}"
        transaction.on_commit(lambda: send_mail(subject_line, message, None, recipients, fail_silently=True),
                              robust=True)
    return reminder


def royalties_remind_late(*, today: dt.date | None = None) -> int:
    """Daily: remind the licensee of each period past its due date (report or payment), once per period."""
    today = today or timezone.localdate()
    sent = 0
    late = (RoyaltyPeriod.objects.filter(due_date__lt=today, paid_at__isnull=True, cancelled_at__isnull=True,
                                         licence__state=LicenceState.ACTIVE)
            .exclude(amount_due=0).select_related("licence__licensee", "licence__patent"))
    for period in late:
        licence = period.licence
        if period.needs_report and period.reported_at is None:
            kind = ReminderKind.REPORT_LATE
            what = f"{period.period_start:%Y-%m-%d}至{period.period_end:%Y-%m-%d}的销售额或件数报告"
        else:
            kind = ReminderKind.PAYMENT_LATE
            what = f"第{period.sequence}期许可使用费 {format_cny(period.amount_due)}"
        message = (f"许可 {licence.number}（{licence.patent.title}）：{what}已于 {period.due_date:%Y-%m-%d} 到期，"
                   f"请尽快办理。/ Licence {licence.number}: due on {period.due_date:%Y-%m-%d}, now late.")
        with transaction.atomic():
            if reminder_send(kind=kind, organisation=licence.licensee, message=message, period=period):
                sent += 1
    return sent
