"""A securitisation pool's waterfall for one period, in Decimal (what the ledger books).

Order of payment each period, from the royalties collected:

1. fees (servicer, trustee) due this period plus any unpaid before;
2. each tranche's coupon by priority (senior first): the period's interest on its balance at the start of
   the period plus any coupon unpaid before;
3. principal, tranche by tranche by priority (sequential): the senior balance is repaid before the
   mezzanine sees any, and so on;
4. what is left is the residual, paid to the holder of the subordinated tranche's residual interest.

At the pool's last period a balance not repaid is that tranche's loss; as the subordinated tranche is paid
last it takes the first loss.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from market.money import ZERO
from market.money import cny as cents


@dataclass(frozen=True)
class Tranche:
    """A tranche: its name, size, yearly coupon rate and priority (1 is paid first)."""

    name: str
    size: Decimal
    coupon_rate: Decimal
    priority: int


@dataclass(frozen=True)
class TrancheState:
    """A tranche between periods: the principal outstanding and the coupon still owed."""

    tranche: Tranche
    balance: Decimal
    coupon_owed: Decimal = ZERO


@dataclass(frozen=True)
class TranchePayment:
    name: str
    coupon_due: Decimal
    coupon_paid: Decimal
    principal_paid: Decimal
    balance_after: Decimal
    loss: Decimal = ZERO


@dataclass(frozen=True)
class PeriodDistribution:
    """One period's statement: what came in and where each yuan went."""

    period: int
    collections: Decimal
    fees_due: Decimal
    fees_paid: Decimal
    payments: list[TranchePayment] = field(default_factory=list)
    residual: Decimal = ZERO

    @property
    def paid_out(self) -> Decimal:
        return self.fees_paid + sum((p.coupon_paid + p.principal_paid for p in self.payments), ZERO) + self.residual


def start(tranches: Sequence[Tranche]) -> list[TrancheState]:
    """The tranches at issue, in order of priority."""
    return [TrancheState(t, cents(t.size)) for t in sorted(tranches, key=lambda t: t.priority)]


def distribute(period: int, collections: Decimal, states: Sequence[TrancheState], *, fees_due: Decimal,
               periods_per_year: int, last: bool = False) -> tuple[PeriodDistribution, list[TrancheState]]:
    """Pay ``collections`` through the waterfall; returns the period's statement and the tranches after it.

    ``fees_due`` includes fees unpaid before; on the ``last`` period a balance left is written off as a loss.
    """
    available = cents(collections)
    fees_paid = min(available, cents(fees_due))
    available -= fees_paid
    coupons = []
    for state in states:
        due = cents(state.balance * state.tranche.coupon_rate / periods_per_year) + state.coupon_owed
        paid = min(available, due)
        available -= paid
        coupons.append((due, paid))
    payments, after = [], []
    for state, (due, paid) in zip(states, coupons, strict=True):
        principal = min(available, state.balance)
        available -= principal
        balance = state.balance - principal
        loss = balance if last else ZERO
        payments.append(TranchePayment(state.tranche.name, due, paid, principal, balance - loss, loss))
        after.append(replace(state, balance=balance - loss, coupon_owed=ZERO if last else due - paid))
    statement = PeriodDistribution(period, cents(collections), cents(fees_due), fees_paid, payments, available)
    return statement, after


def run(collections: Sequence[Decimal], tranches: Sequence[Tranche], *, fee_per_period: Decimal,
        periods_per_year: int) -> list[PeriodDistribution]:
    """Every period of a pool whose royalties collected are ``collections``, one per period."""
    states, statements, fees_owed = start(tranches), [], ZERO
    for index, collected in enumerate(collections, start=1):
        statement, states = distribute(index, collected, states, fees_due=fees_owed + fee_per_period,
                                       periods_per_year=periods_per_year, last=index == len(collections))
        fees_owed = statement.fees_due - statement.fees_paid
        statements.append(statement)
    return statements
