"""The repayment schedule: Decimal to the fen, interest on actual days / 360, checked against hand computation."""

import datetime as dt
from decimal import Decimal

from market.pledges.models import RepaymentPlan
from market.pledges.services.loans import repayment_schedule

D = Decimal


def rows(plan, principal="120000.00", rate="3.6", months=3, start=dt.date(2026, 1, 15), disbursed=None):
    return [(r.number, r.due_date, r.days, r.principal, r.interest) for r in repayment_schedule(
        principal=D(principal), rate_percent=D(rate), plan=plan, start_date=start, term_months=months,
        disbursed_on=disbursed or start)]


def test_equal_principal_by_hand():
    # 120,000 × 3.6% = 4,320 a year; × 31/360 = 372.00; 80,000: 2,880 × 28/360 = 224.00; 40,000: 1,440 × 31/360 = 124.00
    assert rows(RepaymentPlan.EQUAL_PRINCIPAL) == [
        (1, dt.date(2026, 2, 15), 31, D("40000.00"), D("372.00")),
        (2, dt.date(2026, 3, 15), 28, D("40000.00"), D("224.00")),
        (3, dt.date(2026, 4, 15), 31, D("40000.00"), D("124.00")),
    ]


def test_bullet_by_hand():
    # interest on the whole principal each month (4,320 × days / 360), principal with the last instalment
    assert rows(RepaymentPlan.BULLET) == [
        (1, dt.date(2026, 2, 15), 31, D("0.00"), D("372.00")),
        (2, dt.date(2026, 3, 15), 28, D("0.00"), D("336.00")),
        (3, dt.date(2026, 4, 15), 31, D("120000.00"), D("372.00")),
    ]


def test_the_last_instalment_takes_the_cents_left_and_interest_rounds_half_up():
    # 100,000 / 3 = 33,333.33 twice, then 33,333.34; 100,000 × 4.35% × 31/360 = 374.5833… → 374.58;
    # 66,666.67 × 4.35% × 28/360 = 225.5555… → 225.56; 33,333.34 × 4.35% × 31/360 = 124.8611… → 124.86
    assert rows(RepaymentPlan.EQUAL_PRINCIPAL, principal="100000.00", rate="4.35") == [
        (1, dt.date(2026, 2, 15), 31, D("33333.33"), D("374.58")),
        (2, dt.date(2026, 3, 15), 28, D("33333.33"), D("225.56")),
        (3, dt.date(2026, 4, 15), 31, D("33333.34"), D("124.86")),
    ]


def test_the_first_period_runs_from_the_disbursement_and_month_ends_clamp():
    schedule = rows(RepaymentPlan.BULLET, principal="360000.00", rate="3", months=2, start=dt.date(2026, 1, 31),
                    disbursed=dt.date(2026, 2, 3))
    # due 2026-02-28 (clamped), 25 days from 02-03: 360,000 × 3% × 25/360 = 750.00; then 03-31: 31 days → 930.00
    assert schedule == [(1, dt.date(2026, 2, 28), 25, D("0.00"), D("750.00")),
                        (2, dt.date(2026, 3, 31), 31, D("360000.00"), D("930.00"))]
