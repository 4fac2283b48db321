"""What a licence's future royalties are worth to a bank taking them as collateral (应收账款质押): the stated
model the bank's review shows.

Each royalty not yet settled is expected at its amount when known (a yearly fee, an entry fee, a period
already reported), else at the average of the licence's reported periods so far (nothing when it has none:
a bank does not lend on sales nobody has reported). The licensee survives each year with probability
1 − p, where p is ``BASE_DEFAULT`` a year plus ``LATE_DEFAULT`` for each royalty it paid late or still owes
past its due date, at most ``MAX_DEFAULT`` (figures to verify against the bank's own rating). A royalty due
in t years (days ÷ 365) counts expected × (1 − p)^t ÷ (1 + r)^t, with r the bank's discount rate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from market.licensing.models import Licence, RoyaltyPeriod
from market.money import ZERO, cny

BASE_DEFAULT = 0.02      # a year (verify)
LATE_DEFAULT = 0.05      # a year for each late royalty (verify)
MAX_DEFAULT = 0.50
DISCOUNT_RATE = 0.06     # a year (verify)


@dataclass(frozen=True)
class Due:
    due_date: dt.date
    expected: Decimal


@dataclass(frozen=True)
class ReceivableValue:
    expected: Decimal          # Σ expected royalties
    present_value: Decimal     # Σ discounted, weighted by the licensee's survival
    default_rate: float        # p, a year
    dues: int


def present_value(dues: Iterable[Due], *, on: dt.date, default_rate: float,
                  discount_rate: float = DISCOUNT_RATE) -> ReceivableValue:
    """The value on ``on`` of ``dues`` for a licensee defaulting ``default_rate`` a year."""
    dues = [d for d in dues if d.due_date >= on]
    total, value = ZERO, 0.0
    for due in dues:
        years = (due.due_date - on).days / 365
        value += float(due.expected) * (1 - default_rate) ** years / (1 + discount_rate) ** years
        total += due.expected
    return ReceivableValue(cny(total), cny(value), default_rate, len(dues))


def licensee_default_rate(periods: Iterable[RoyaltyPeriod], *, on: dt.date) -> float:
    """p for the licensee of these periods: the base rate plus a step per royalty paid late or overdue."""
    late = sum(1 for p in periods if (p.paid_at is not None and p.paid_at.date() > p.due_date)
               or (p.paid_at is None and p.cancelled_at is None and p.due_date < on and p.amount_due != 0))
    return min(MAX_DEFAULT, BASE_DEFAULT + LATE_DEFAULT * late)


def licence_dues(licence: Licence, *, on: dt.date) -> list[Due]:
    """The royalties of ``licence`` still to come, each at its expected amount (see the module docstring)."""
    periods = list(licence.periods.order_by("due_date", "sequence"))
    reported = [p.amount_due for p in periods if p.needs_report and p.amount_due is not None]
    average = cny(sum(reported, ZERO) / len(reported)) if reported else ZERO
    return [Due(p.due_date, p.amount_due if p.amount_due is not None else average)
            for p in periods if not p.settled and p.due_date >= on]


def licence_receivable(licence: Licence, *, on: dt.date, discount_rate: float = DISCOUNT_RATE) -> ReceivableValue:
    """What ``licence``'s future royalties are worth on ``on``."""
    periods = list(licence.periods.all())
    return present_value(licence_dues(licence, on=on), on=on, discount_rate=discount_rate,
                         default_rate=licensee_default_rate(periods, on=on))
