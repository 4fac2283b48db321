"""Rollups: every fact grouped by month and dimension into ``Cell`` rows, kept current and provably equal to the
raw data.

Facts are counted at the date of their event, so new events land in the current month: ``refresh`` (every
5 minutes, stats/tasks.py) recomputes the current and the previous month; ``rebuild`` (nightly, and after a
bulk import) recomputes every month. ``recount`` groups the raw rows again and lists every cell that differs
from the stored rollups (``manage.py stats_recount``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import BigIntegerField, CharField, Count, F, Sum, Value
from django.db.models.functions import TruncMonth
from django.utils import timezone

from market.money import cny

from .facts import FACTS, Fact
from .models import Cell, RollupState

DIMENSIONS = ("city", "industry", "kind", "holder_type", "bank_id")
CellKey = tuple  # (fact, month, city, industry, kind, holder_type, bank_id)


def _dimension(fact: Fact, name: str, source):
    if callable(source):
        return source(name)
    return F(source) if source else Value("", output_field=CharField())


def fact_rows(fact: Fact, since: dt.date | None = None) -> Iterable[dict]:
    """The raw rows of ``fact`` grouped by month and dimension (from the month ``since`` on)."""
    rows = fact.model_class.objects.filter(fact.where)
    if since is not None:
        start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
        rows = rows.filter(**{f"{fact.date}__gte": since if _is_date_field(fact) else start})
    rows = rows.annotate(
        s_month=TruncMonth(fact.date),
        s_city=_dimension(fact, "city", fact.city),
        s_industry=_dimension(fact, "industry", fact.industry),
        s_kind=_dimension(fact, "kind", fact.kind),
        s_holder_type=_dimension(fact, "holder_type", fact.holder_type),
        s_bank_id=F(fact.bank) if fact.bank else Value(None, output_field=BigIntegerField()),
    ).values("s_month", "s_city", "s_industry", "s_kind", "s_holder_type", "s_bank_id")
    measures = {"s_n": Count("pk")}
    if fact.amount is not None:
        measures["s_amount"] = Sum(fact.amount)
    if fact.amount2 is not None:
        measures["s_amount2"] = Sum(fact.amount2)
    if fact.duration is not None:
        measures["s_duration"] = Sum(fact.duration)
    return rows.annotate(**measures).order_by()


def _is_date_field(fact: Fact) -> bool:
    model = fact.model_class
    path = fact.date.split("__")
    for name in path[:-1]:
        model = model._meta.get_field(name).related_model
    return model._meta.get_field(path[-1]).get_internal_type() == "DateField"


def local_day(value: dt.date | dt.datetime) -> dt.date:
    """The Shanghai day of a stored moment (a date stays as it is)."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _month(value) -> dt.date:
    return local_day(value).replace(day=1)


def _cell(fact: Fact, row: dict) -> Cell:
    duration = row.get("s_duration")
    return Cell(
        fact=fact.key, month=_month(row["s_month"]), city=row["s_city"] or "", industry=row["s_industry"] or "",
        kind=row["s_kind"] or "", holder_type=row["s_holder_type"] or "", bank_id=row["s_bank_id"],
        n=row["s_n"], amount=cny(row.get("s_amount")), amount2=cny(row.get("s_amount2")),
        seconds=int(duration.total_seconds()) if duration is not None else 0)


def compute(since: dt.date | None = None) -> list[Cell]:
    """Every fact's cells from the raw data (from the month ``since`` on), unsaved."""
    return [_cell(fact, row) for fact in FACTS.values() for row in fact_rows(fact, since)]


def _state() -> RollupState:
    state = RollupState.objects.select_for_update().first()
    return state or RollupState.objects.create()


def _replace(since: dt.date | None) -> tuple[RollupState, int]:
    """The cells from the month ``since`` on (None: every month) recomputed, under the state row's lock (one
    recount at a time); returns the locked state and the cell count."""
    state = _state()
    cells = compute(since)
    Cell.objects.filter(**({"month__gte": since} if since else {})).delete()
    Cell.objects.bulk_create(cells, batch_size=5000)
    return state, len(cells)


@transaction.atomic
def refresh(since: dt.date | None = None) -> int:
    """Recompute the cells from the month ``since`` on (default: the previous month); returns the cell count."""
    if since is None:
        today = timezone.localdate()
        since = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    state, count = _replace(since)
    state.refreshed_at, state.refreshed_from = timezone.now(), since
    state.save(update_fields=["refreshed_at", "refreshed_from"])
    return count


@transaction.atomic
def rebuild() -> int:
    """Recompute every cell from the raw data; returns the cell count."""
    state, count = _replace(None)
    state.rebuilt_at = state.refreshed_at = timezone.now()
    state.refreshed_from = None
    state.save(update_fields=["rebuilt_at", "refreshed_at", "refreshed_from"])
    return count


def _key(cell: Cell) -> CellKey:
    return (cell.fact, cell.month, cell.city, cell.industry, cell.kind, cell.holder_type, cell.bank_id)


def _measures(cell: Cell) -> tuple:
    return (cell.n, Decimal(cell.amount).quantize(Decimal("0.01")), Decimal(cell.amount2).quantize(Decimal("0.01")),
            cell.seconds)


def recount() -> list[str]:
    """The cells where the stored rollups differ from a recount of the raw data (empty: they agree)."""
    fresh = {_key(c): _measures(c) for c in compute()}
    stored: dict[CellKey, tuple] = {}
    for cell in Cell.objects.iterator(chunk_size=10000):
        key = _key(cell)
        n, amount, amount2, seconds = stored.get(key, (0, Decimal("0.00"), Decimal("0.00"), 0))
        m = _measures(cell)
        stored[key] = (n + m[0], amount + m[1], amount2 + m[2], seconds + m[3])
    differences = []
    for key in sorted(set(fresh) | set(stored), key=str):
        if fresh.get(key) != stored.get(key):
            differences.append(f"{key}: rollup {stored.get(key)} ≠ raw {fresh.get(key)}")
    return differences
