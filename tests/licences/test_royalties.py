"""Royalties: the arithmetic (hand-computed), reports and payments through the ledger, late reminders once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from market.licensing.models import LicenceReminder, ReminderKind, RoyaltyKind, RoyaltyMethod
from market.licensing.selectors import late_royalties_of_licensor
from market.licensing.services import open_licences, royalties
from market.rules import RuleViolation
from market.services.errors import ActionForbidden
from market.services.ledger import external_account, ledger_problems

from .conftest import PER_UNIT, PERCENTAGE, declare


def test_percentage_royalty_rounds_half_up_to_the_cent():
    """1,234,567.89 × 3.50 % = 43,209.87615 → 43,209.88; 1,000.10 × 2.5 % = 25.0025 → 25.00;
    333.33 × 1.5 % = 4.99995 → 5.00."""
    assert royalties.percentage_royalty(Decimal("1234567.89"), Decimal("3.50")) == Decimal("43209.88")
    assert royalties.percentage_royalty(Decimal("1000.10"), Decimal("2.5")) == Decimal("25.00")
    assert royalties.percentage_royalty(Decimal("333.33"), Decimal("1.5")) == Decimal("5.00")
    assert royalties.percentage_royalty(Decimal("0"), Decimal("3.50")) == Decimal("0.00")


def test_per_unit_royalty():
    """12,345 units × ¥2.75 = ¥33,948.75; 3 units × ¥0.335 = 1.005 → ¥1.01 (half up)."""
    assert royalties.per_unit_royalty(Decimal("12345"), Decimal("2.75")) == Decimal("33948.75")
    assert royalties.per_unit_royalty(Decimal("3"), Decimal("0.335")) == Decimal("1.01")


def test_a_short_last_licence_year_pays_by_days():
    """¥12,000 a year; 2025-01-01..2025-03-14 is 73 of 365 days: 12,000 × 73 / 365 = ¥2,400.00.
    In a leap year 2028-01-01..2028-01-31 is 31 of 366 days: 12,000 × 31 / 366 = 1,016.3934… → ¥1,016.39."""
    fee = Decimal("12000.00")
    assert royalties.prorated_annual_fee(fee, dt.date(2025, 1, 1), dt.date(2025, 3, 14)) == Decimal("2400.00")
    assert royalties.prorated_annual_fee(fee, dt.date(2028, 1, 1), dt.date(2028, 1, 31)) == Decimal("1016.39")
    assert royalties.prorated_annual_fee(fee, dt.date(2025, 1, 1), dt.date(2025, 12, 31)) == fee


def test_periods_follow_the_calendar_without_gaps():
    assert royalties.period_bounds(dt.date(2026, 1, 31), dt.date(2026, 9, 15), 3) == [
        (dt.date(2026, 1, 31), dt.date(2026, 4, 29)), (dt.date(2026, 4, 30), dt.date(2026, 7, 30)),
        (dt.date(2026, 7, 31), dt.date(2026, 9, 15))]


def test_schedule_of_a_percentage_licence(settings):
    settings.MARKET = {**settings.MARKET, "ROYALTY_DUE_DAYS": 30}

    class Terms:
        royalty_method, entry_fee, royalty_rate, period_months, annual_fee, unit_fee = (
            RoyaltyMethod.PERCENTAGE, Decimal("50000"), Decimal("3.5"), 6, None, None)

    planned = royalties.royalty_schedule(Terms, dt.date(2026, 1, 5), dt.date(2027, 1, 4))
    assert [(p.sequence, p.kind, p.period_start, p.period_end, p.due_date, p.amount) for p in planned] == [
        (0, RoyaltyKind.ENTRY_FEE, dt.date(2026, 1, 5), dt.date(2026, 1, 5), dt.date(2026, 1, 5), Decimal("50000.00")),
        (1, RoyaltyKind.SALES, dt.date(2026, 1, 5), dt.date(2026, 7, 4), dt.date(2026, 8, 3), None),
        (2, RoyaltyKind.SALES, dt.date(2026, 7, 5), dt.date(2027, 1, 4), dt.date(2027, 2, 3), None),
    ]


@pytest.fixture
def percentage_licence(holder, staff, patent, buyer, clock):
    """Taken on 2026-01-05: entry fee ¥50,000 paid; quarter 1 is 2026-01-05..2026-04-04, due 2026-05-04."""
    clock(dt.date(2026, 1, 5))
    declaration = declare(holder, staff, patent, terms=PERCENTAGE)
    return open_licences.open_licence_take_up(declaration_id=declaration.pk, actor=buyer, idempotency_key="t",
                                              notice_confirmed=True)


def quarter(licence, sequence=1):
    return licence.periods.get(sequence=sequence)


def test_report_then_pay_a_quarter_through_the_ledger(percentage_licence, holder, buyer, clock):
    period = quarter(percentage_licence)
    assert (period.period_end, period.due_date) == (dt.date(2026, 4, 4), dt.date(2026, 5, 4))
    with pytest.raises(RuleViolation) as early:
        royalties.royalty_report(period_id=period.pk, actor=buyer, quantity="1000")
    assert early.value.reasons[0].code == "period_not_over"
    clock(dt.date(2026, 4, 10))
    with pytest.raises(RuleViolation) as unreported:
        royalties.royalty_pay(period_id=period.pk, actor=buyer, idempotency_key="q1")
    assert unreported.value.reasons[0].code == "not_reported"
    reported = royalties.royalty_report(period_id=period.pk, actor=buyer, quantity="1234567.89")
    assert reported.amount_due == Decimal("43209.88")
    with pytest.raises(ActionForbidden):
        royalties.royalty_pay(period_id=period.pk, actor=holder, idempotency_key="q1")
    paid = royalties.royalty_pay(period_id=period.pk, actor=buyer, idempotency_key="q1")
    assert paid.escrow.state == "released" and paid.status == "paid"
    # entry fee 50,000 + quarter 43,209.88
    assert external_account(holder.organisation).balance() == Decimal("93209.88")
    assert external_account(buyer.organisation).balance() == Decimal("-93209.88")
    # a replay moves nothing; a new key for a paid period is refused
    assert royalties.royalty_pay(period_id=period.pk, actor=buyer, idempotency_key="q1").escrow == paid.escrow
    with pytest.raises(RuleViolation) as twice:
        royalties.royalty_pay(period_id=period.pk, actor=buyer, idempotency_key="q1-again")
    assert twice.value.reasons[0].code == "already_paid"
    assert ledger_problems() == []


def test_a_report_is_final(percentage_licence, buyer, clock):
    clock(dt.date(2026, 4, 10))
    period = quarter(percentage_licence)
    royalties.royalty_report(period_id=period.pk, actor=buyer, quantity="1000.10")
    again = royalties.royalty_report(period_id=period.pk, actor=buyer, quantity="1000.10")
    assert again.amount_due == Decimal("35.00")  # 1,000.10 × 3.5 % = 35.0035
    with pytest.raises(RuleViolation) as changed:
        royalties.royalty_report(period_id=period.pk, actor=buyer, quantity="2000")
    assert changed.value.reasons[0].code == "already_reported"
    with pytest.raises(RuleViolation) as fixed:
        royalties.royalty_report(period_id=quarter(percentage_licence, 0).pk, actor=buyer, quantity="1")
    assert fixed.value.reasons[0].code == "no_report_needed"


def test_a_quarter_without_sales_owes_nothing(percentage_licence, buyer, clock):
    clock(dt.date(2026, 4, 10))
    period = royalties.royalty_report(period_id=quarter(percentage_licence).pk, actor=buyer, quantity="0")
    assert (period.amount_due, period.status) == (Decimal("0.00"), "settled")
    with pytest.raises(RuleViolation) as nothing:
        royalties.royalty_pay(period_id=period.pk, actor=buyer, idempotency_key="zero")
    assert nothing.value.reasons[0].code == "nothing_due"


def test_units_must_be_whole(holder, staff, patent, buyer, clock):
    clock(dt.date(2026, 1, 5))
    declaration = declare(holder, staff, patent, terms=PER_UNIT)
    licence = open_licences.open_licence_take_up(declaration_id=declaration.pk, actor=buyer, idempotency_key="u",
                                                 notice_confirmed=True)
    clock(dt.date(2026, 7, 10))
    with pytest.raises(ValidationError):
        royalties.royalty_report(period_id=quarter(licence).pk, actor=buyer, quantity="10.5")
    assert royalties.royalty_report(period_id=quarter(licence).pk, actor=buyer,
                                    quantity="12345").amount_due == Decimal("33948.75")


def test_another_organisation_cannot_report_or_pay(percentage_licence, outsider, holder, clock):
    clock(dt.date(2026, 4, 10))
    for user in (outsider, holder):
        with pytest.raises(ActionForbidden):
            royalties.royalty_report(period_id=quarter(percentage_licence).pk, actor=user, quantity="1")
    assert quarter(percentage_licence).reported_at is None


def test_late_report_and_late_payment_are_reminded_once_each(percentage_licence, holder, buyer, clock,
                                                            django_capture_on_commit_callbacks):
    buyer.email = "li@ningbo-battery.example"
    buyer.save()
    period = quarter(percentage_licence)
    assert royalties.royalties_remind_late(today=dt.date(2026, 5, 4)) == 0  # due today: not late yet
    with django_capture_on_commit_callbacks(execute=True):
        assert royalties.royalties_remind_late(today=dt.date(2026, 5, 5)) == 1
    assert royalties.royalties_remind_late(today=dt.date(2026, 5, 6)) == 0
    reminder = LicenceReminder.objects.get()
    assert (reminder.kind, reminder.organisation, reminder.period) == (ReminderKind.REPORT_LATE, buyer.organisation,
                                                                       period)
    assert [m.to for m in mail.outbox] == [["li@ningbo-battery.example"]]
    assert "2026-05-04" in mail.outbox[0].body
    # the holder sees it among the royalties owed to it
    clock(dt.date(2026, 5, 6))
    assert list(late_royalties_of_licensor(holder.organisation_id)) == [period]
    royalties.royalty_report(period_id=period.pk, actor=buyer, quantity="1000")
    assert royalties.royalties_remind_late(today=dt.date(2026, 5, 7)) == 1
    assert royalties.royalties_remind_late(today=dt.date(2026, 5, 8)) == 0
    assert list(LicenceReminder.objects.order_by("pk").values_list("kind", flat=True)) == [
        ReminderKind.REPORT_LATE, ReminderKind.PAYMENT_LATE]
    royalties.royalty_pay(period_id=period.pk, actor=buyer, idempotency_key="late")
    assert list(late_royalties_of_licensor(holder.organisation_id)) == []
    assert royalties.royalties_remind_late(today=dt.date(2026, 5, 9)) == 0


def test_unpaid_second_licence_year_is_reminded(declaration, buyer):
    licence = open_licences.open_licence_take_up(declaration_id=declaration.pk, actor=buyer, idempotency_key="y",
                                                 notice_confirmed=True)
    second = licence.periods.get(sequence=2)
    assert royalties.royalties_remind_late(today=second.due_date) == 0
    assert royalties.royalties_remind_late(today=second.due_date + dt.timedelta(days=1)) == 1
    assert LicenceReminder.objects.get().kind == ReminderKind.PAYMENT_LATE
    paid = royalties.royalty_pay(period_id=second.pk, actor=buyer, idempotency_key="y2")
    assert paid.amount_due == Decimal("12000.00") and paid.paid_at is not None
