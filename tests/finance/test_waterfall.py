"""The pool's waterfall against a hand-computed example, period by period (fees, coupons by priority,
principal sequentially; a shortfall carried as coupon owed; the subordinated tranche's first loss), and the
simulation's basic promises (seeded, losses ordered by priority)."""

from decimal import Decimal as D

import numpy as np

from finance.simulation import Pool, Structure, simulate
from finance.waterfall import Tranche, run

TRANCHES = [Tranche("优先级", D("1000000"), D("0.04"), 1), Tranche("中间级", D("300000"), D("0.08"), 2),
            Tranche("次级", D("200000"), D("0.12"), 3)]


def rows(statement):
    return [(p.name, p.coupon_due, p.coupon_paid, p.principal_paid, p.balance_after, p.loss)
            for p in statement.payments]


def test_a_three_quarter_pool_by_hand():
    first, short, last = run([D("500000"), D("10000"), D("700000")], TRANCHES, fee_per_period=D("5000"),
                             periods_per_year=4)
    # Q1: fees 5,000; coupons 1% / 2% / 3% of the balances; everything left repays the senior tranche.
    assert first.fees_paid == D("5000.00")
    assert rows(first) == [("优先级", D("10000.00"), D("10000.00"), D("473000.00"), D("527000.00"), D("0.00")),
                           ("中间级", D("6000.00"), D("6000.00"), D("0.00"), D("300000.00"), D("0.00")),
                           ("次级", D("6000.00"), D("6000.00"), D("0.00"), D("200000.00"), D("0.00"))]
    # Q2: 10,000 collected: fees, then 5,000 of the senior's 5,270 coupon; the rest is owed.
    assert rows(short) == [("优先级", D("5270.00"), D("5000.00"), D("0.00"), D("527000.00"), D("0.00")),
                           ("中间级", D("6000.00"), D("0.00"), D("0.00"), D("300000.00"), D("0.00")),
                           ("次级", D("6000.00"), D("0.00"), D("0.00"), D("200000.00"), D("0.00"))]
    # Q3, the last: coupons with what was owed; the senior repaid, the mezzanine in part, the rest lost —
    # the subordinated tranche first, all of it.
    assert rows(last) == [("优先级", D("5540.00"), D("5540.00"), D("527000.00"), D("0.00"), D("0.00")),
                          ("中间级", D("12000.00"), D("12000.00"), D("138460.00"), D("0.00"), D("161540.00")),
                          ("次级", D("12000.00"), D("12000.00"), D("0.00"), D("0.00"), D("200000.00"))]
    for statement, collected in ((first, D("500000")), (short, D("10000")), (last, D("700000"))):
        assert statement.paid_out == collected and statement.residual == D("0.00")  # every yuan accounted for


def test_what_is_left_after_every_tranche_is_the_residual():
    *_, last = run([D("500000"), D("10000"), D("1200000")], TRANCHES, fee_per_period=D("5000"), periods_per_year=4)
    assert [p.loss for p in last.payments] == [D("0.00")] * 3
    assert last.residual == D("138460.00") and last.paid_out == D("1200000.00")


def test_fees_unpaid_are_owed_the_next_period():
    first, second = run([D("3000"), D("100000")], TRANCHES[:1], fee_per_period=D("5000"), periods_per_year=4)
    assert (first.fees_due, first.fees_paid) == (D("5000.00"), D("3000.00"))
    assert (second.fees_due, second.fees_paid) == (D("7000.00"), D("7000.00"))


def small_pool(default_rate: float) -> tuple[Pool, Structure]:
    rng = np.random.default_rng(1)
    pool = Pool(expected=rng.lognormal(np.log(50_000), 0.5, 400), ends=np.full(400, 8),
                licensee=rng.integers(0, 100, 400), default_rate=np.full(100, default_rate), profile=np.ones(8))
    total = float(pool.expected.sum() * 8)
    return pool, Structure(sizes=np.array([0.6, 0.15, 0.1]) * total, coupon_rates=np.array([0.035, 0.06, 0.1]),
                           fee_per_period=10_000.0, periods_per_year=4)


def test_the_simulation_is_seeded_and_losses_fall_first_on_the_subordinated_tranche():
    pool, structure = small_pool(0.03)
    risks = simulate(pool, structure, paths=2000, seed=7)
    assert risks == simulate(pool, structure, paths=2000, seed=7)
    senior, mezzanine, subordinated = risks
    assert subordinated.loss_probability >= mezzanine.loss_probability >= senior.loss_probability
    assert subordinated.expected_loss > mezzanine.expected_loss >= senior.expected_loss


def test_more_defaults_more_loss():
    calm = simulate(*small_pool(0.005), paths=2000, seed=3)
    stormy = simulate(*small_pool(0.08), paths=2000, seed=3)
    assert stormy[2].expected_loss > calm[2].expected_loss and stormy[1].expected_loss >= calm[1].expected_loss
