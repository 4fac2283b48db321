"""CNIPA annual fees (年费): the fee table, and a patent's schedule with the open-licence reduction.

Pure functions: the caller passes the periods during which an open-licence declaration stood.
The fee table is the one place these amounts live; the reduction percentage is the setting
``MARKET["OPEN_LICENCE_FEE_REDUCTION"]``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings

from market.money import ZERO, cny

# (first patent year, last patent year, fee in yuan), per patent kind.
ANNUAL_FEES: dict[str, tuple[tuple[int, int, int], ...]] = {
    "invention": ((1, 3, 900), (4, 6, 1200), (7, 9, 2000), (10, 12, 4000), (13, 15, 6000), (16, 20, 8000)),
    "utility_model": ((1, 3, 600), (4, 5, 900), (6, 8, 1200), (9, 10, 2000)),
    # Designs filed from 2021-06-01 have 15 years; years 11-15 cost 3000.
    "design": ((1, 3, 600), (4, 5, 900), (6, 8, 1200), (9, 10, 2000), (11, 15, 3000)),
}


def annual_fee(kind: str, year: int) -> Decimal:
    """The standard annual fee of patent year ``year`` (1-based) for ``kind``."""
    for first, last, fee in ANNUAL_FEES[kind]:
        if first <= year <= last:
            return cny(fee)
    raise ValueError(f"no annual fee for year {year} of a {kind}")


def open_licence_reduction() -> Decimal:
    """The fraction taken off the annual fee while an open-licence declaration stands (0.15)."""
    return Decimal(str(settings.MARKET["OPEN_LICENCE_FEE_REDUCTION"]))


@dataclass(frozen=True)
class AnnualFeeRow:
    """One patent year: when its fee is due, the standard fee, the reduction, what is payable."""

    year: int
    due_date: dt.date
    standard_fee: Decimal
    reduction: Decimal
    payable: Decimal

    @property
    def reduced(self) -> bool:
        return self.reduction > ZERO


def _stood_on(day: dt.date, windows: Iterable[tuple[dt.date, dt.date | None]]) -> bool:
    """True when ``day`` falls in a window [start, end) (an open end: the declaration still stands)."""
    return any(start <= day and (end is None or day < end) for start, end in windows)


def annual_fee_schedule(*, kind: str, filing_date: dt.date, term_years: int,
                        open_licence_windows: Iterable[tuple[dt.date, dt.date | None]] = ()) -> list[AnnualFeeRow]:
    """Every patent year's fee; a year due while a declaration stands is reduced by the set percentage.

    Year n starts (and its fee is due) on the n-1th anniversary of filing. ``open_licence_windows``
    are (announcement date, withdrawal date or None) of the patent's declarations. Example: an
    invention's 4th year under a standing declaration: 1200 − 1200 × 0.15 = 1200 − 180.00 = 1020.00.
    """
    windows = list(open_licence_windows)
    rate = open_licence_reduction()
    rows = []
    for year in range(1, term_years + 1):
        due = filing_date + relativedelta(years=year - 1)
        fee = annual_fee(kind, year)
        reduction = cny(fee * rate) if _stood_on(due, windows) else ZERO
        rows.append(AnnualFeeRow(year=year, due_date=due, standard_fee=fee, reduction=reduction,
                                 payable=fee - reduction))
    return rows
