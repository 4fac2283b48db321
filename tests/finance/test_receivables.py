"""The value of licence royalties as collateral: a hand example of the stated model, and a real licence's
schedule valued with its licensee's history."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from finance.receivables import BASE_DEFAULT, LATE_DEFAULT, Due, licence_receivable, present_value
from market.licensing.services import open_licences
from tests.factories import PatentFactory
from tests.licences.conftest import ANNUAL, declare

ON = dt.date(2027, 1, 1)


def test_a_hand_example():
    # ¥10,000 due in one year and in two; 10 % default a year, 5 % discount:
    # 10,000 × 0.9 ÷ 1.05 + 10,000 × 0.81 ÷ 1.1025 = 8,571.43 + 7,346.94 = 15,918.37.
    value = present_value([Due(ON + dt.timedelta(days=365), Decimal("10000")),
                           Due(ON + dt.timedelta(days=730), Decimal("10000")),
                           Due(dt.date(2026, 6, 1), Decimal("99999"))],  # past: not counted
                          on=ON, default_rate=0.10, discount_rate=0.05)
    assert (value.expected, value.present_value, value.dues) == (Decimal("20000.00"), Decimal("15918.37"), 2)


def test_a_licence_is_valued_from_its_schedule_and_its_licensees_history(holder, holder_org, staff, buyer, settings,
                                                                        tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    patent = PatentFactory(holders=[holder_org], title="一种高安全性锂电池隔膜及其制备方法")
    declaration = declare(holder, staff, patent, terms=ANNUAL, licence_years=3)
    licence = open_licences.open_licence_take_up(declaration_id=declaration.pk, actor=buyer, idempotency_key="k",
                                                 notice_confirmed=True)
    today = timezone.localdate()
    value = licence_receivable(licence, on=today)
    future = [p for p in licence.periods.all() if not p.settled and p.due_date >= today]
    assert value.dues == len(future) and value.expected == sum(p.amount_due for p in future)
    assert value.default_rate == BASE_DEFAULT and 0 < value.present_value < value.expected

    # A royalty left unpaid past its due date raises the licensee's default rate.
    overdue = licence.periods.filter(paid_at__isnull=True).order_by("due_date").first()
    after = licence_receivable(licence, on=overdue.due_date + dt.timedelta(days=1))
    assert after.default_rate == BASE_DEFAULT + LATE_DEFAULT
