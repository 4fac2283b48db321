"""The figures of one indicator, broken down by period or by a dimension: what a chart, its table, its Excel
export and the API all show (one computation for the four)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Sum
from django.utils import timezone, translation

from market.industries import Industry
from market.models import Organisation, OrganisationKind, PatentKind
from market.regions import City
from market.web.labels import pick_half, pick_language

from .indicators import INDICATORS, Indicator, Sums
from .models import Cell, RollupState

PERIODS = ("month", "quarter", "year")
BREAKDOWNS = ("period", "city", "industry", "kind", "right", "holder_type", "bank")
# The kinds of right counted apart (``right``): patents (every patent kind) and registered marks. Without the
# filter both count together, as the plan's pledge-financing indicator does.
RIGHTS: dict[str, tuple[str, ...]] = {
    "patent": (PatentKind.INVENTION, PatentKind.UTILITY_MODEL, PatentKind.DESIGN),
    "trademark": (PatentKind.TRADEMARK,),
}
RIGHT_LABELS = {"patent": "专利 / Patents", "trademark": "注册商标 / Registered marks"}
RIGHT_OF_KIND = {kind: right for right, kinds in RIGHTS.items() for kind in kinds}
FILTERS = ("city", "industry", "kind", "holder_type", "bank")
HISTORY_MONTHS = 36
_CHOICES = {"city": City, "industry": Industry, "kind": PatentKind, "holder_type": OrganisationKind}
_PER_YEAR = {"month": 12, "quarter": 4, "year": 1}


@dataclass
class Query:
    indicator: Indicator
    by: str = "period"
    period: str = "month"
    start: dt.date | None = None   # first month shown (a month's first day)
    end: dt.date | None = None     # last month shown
    filters: dict[str, str | int] = field(default_factory=dict)

    def __post_init__(self):
        this_month = timezone.localdate().replace(day=1)
        self.end = self.end or this_month
        self.start = self.start or add_months(self.end, 1 - HISTORY_MONTHS)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def period_of(month: dt.date, period: str) -> dt.date:
    """The first month of the period (month, quarter or year) that holds ``month``."""
    if period == "year":
        return month.replace(month=1)
    if period == "quarter":
        return month.replace(month=(month.month - 1) // 3 * 3 + 1)
    return month


def period_label(start: dt.date, period: str, language: str | None = None) -> str:
    english = (language or "").startswith("en")
    if period == "year":
        return f"{start.year}" if english else f"{start.year}年"
    if period == "quarter":
        quarter = (start.month - 1) // 3 + 1
        return f"{start.year} Q{quarter}" if english else f"{start.year}年第{quarter}季度"
    return f"{start:%Y-%m}" if english else f"{start.year}年{start.month}月"


def period_key(start: dt.date, period: str) -> str:
    if period == "year":
        return f"{start.year}"
    if period == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start:%Y-%m}"


def _cells(query: Query, group: str | None, *, from_first_month: bool = False):
    """The sums of the query's cells per fact (and per ``group``, a month or a dimension)."""
    ind = query.indicator
    cells = Cell.objects.filter(fact__in=ind.facts, month__lte=query.end)
    if not from_first_month:
        cells = cells.filter(month__gte=query.start)
    for name, value in query.filters.items():
        if name == "right":
            cells = cells.filter(kind__in=RIGHTS[value])
        else:
            cells = cells.filter(**{"bank_id" if name == "bank" else name: value})
    columns = [{"bank": "bank_id", "right": "kind"}.get(group, group)] if group else []
    return cells.values(*columns, "fact").annotate(
        n=Sum("n"), amount=Sum("amount"), amount2=Sum("amount2"), seconds=Sum("seconds")).order_by()


def _sums(row: dict) -> Sums:
    return Sums(row["n"] or 0, Decimal(row["amount"] or 0).quantize(Decimal("0.01")),
                Decimal(row["amount2"] or 0).quantize(Decimal("0.01")), row["seconds"] or 0)


def _grouped(rows, column: str, fold=lambda key: key) -> dict:
    grouped: dict = defaultdict(lambda: defaultdict(Sums))
    for row in rows:
        key = fold(row[column])
        grouped[key][row["fact"]] += _sums(row)
    return grouped


def _value(ind: Indicator, sums: dict[str, Sums]):
    return ind.formula({f: sums.get(f, Sums()) for f in ind.facts})


def _by_period(query: Query) -> list[dict]:
    ind, period = query.indicator, query.period
    months = _grouped(_cells(query, "month", from_first_month=ind.stock), "month")
    periods: dict[dt.date, dict[str, Sums]] = {}
    month = period_of(query.start, period)
    while month <= query.end:
        periods[period_of(month, period)] = {}
        month = add_months(month, 1)
    if ind.stock:  # the balance at each period's end: every month up to it
        running: dict[str, Sums] = defaultdict(Sums)
        for month in sorted(set(months) | {add_months(p, _months_in(period) - 1) for p in periods}):
            for fact, sums in months.get(month, {}).items():
                running[fact] += sums
            if period_of(month, period) in periods and month <= query.end:
                periods[period_of(month, period)] = dict(running)
    else:
        for month, facts in months.items():
            target = periods.setdefault(period_of(month, period), {})
            for fact, sums in facts.items():
                target[fact] = target.get(fact, Sums()) + sums
    return [{"key": period_key(start, period), "label": period_label(start, period, _language()),
             "value": _value(ind, facts)} for start, facts in sorted(periods.items())]


def _months_in(period: str) -> int:
    return 12 // _PER_YEAR[period]


def _by_dimension(query: Query) -> list[dict]:
    ind, by = query.indicator, query.by
    if by == "right":
        groups = _grouped(_cells(query, by, from_first_month=ind.stock), "kind", fold=RIGHT_OF_KIND.get)
    else:
        groups = _grouped(_cells(query, by, from_first_month=ind.stock), "bank_id" if by == "bank" else by)
    groups.pop(None, None)  # cells of no bank
    labels = _labels(by, groups)
    order = {key: position for position, key in enumerate(labels)}
    keys = sorted(groups, key=lambda key: (order.get(key, len(order)), str(key)))
    return [{"key": str(key), "label": labels.get(key, str(key)), "value": _value(ind, groups[key])} for key in keys]


def _labels(by: str, groups: dict) -> dict:
    if by == "bank":
        banks = Organisation.objects.filter(pk__in=[k for k in groups if k]).order_by("name")
        return {b.pk: b.name for b in banks}
    if by == "right":
        return {key: pick_half(label, _language()) for key, label in RIGHT_LABELS.items()}
    labels = {c.value: pick_language(c.label, _language()) for c in _CHOICES[by]}
    labels[""] = pick_half("未分类 / Unclassified", _language())
    return labels


def _language() -> str:
    return translation.get_language() or "zh-hans"


def table(query: Query) -> dict:
    """The indicator's figures for the query: rows, their total, the target per period, the definition."""
    ind = query.indicator
    rows = _by_period(query) if query.by == "period" else _by_dimension(query)
    total = _value(ind, _total_sums(query, from_first_month=ind.stock))
    target = None
    if ind.target_per_year is not None and query.by == "period" and query.filters == ind.target_filters:
        target = (ind.target_per_year / _PER_YEAR[query.period]).quantize(Decimal("0.01"))
    return {
        "indicator": ind.key, "label": pick_language(f"{ind.label} {ind.label_en}", _language()),
        "unit": ind.unit, "by": query.by, "period": query.period,
        "from": f"{query.start:%Y-%m}", "to": f"{query.end:%Y-%m}", "filters": query.filters,
        "definition": [pick_half(text, _language()) for text in ind.definition()],
        "rows": rows, "total": total, "target": target, "freshness": freshness(),
    }


def _total_sums(query: Query, *, from_first_month: bool = False) -> dict[str, Sums]:
    return {row["fact"]: _sums(row) for row in _cells(query, None, from_first_month=from_first_month)}


def freshness() -> dict:
    state = RollupState.objects.first()
    return {"refreshed_at": state.refreshed_at if state else None, "rebuilt_at": state.rebuilt_at if state else None,
            "index_at": state.index_at if state else None}


HEADLINE_SECONDS = 600


def headline() -> dict:
    """The home page's figures, from the rollups, cached ten minutes: deals closed (transfers, licence contracts
    and open-licence take-ups) and pledge financing lent, since the platform began."""
    def compute() -> dict:
        since = dt.date(2000, 1, 1)
        return {key: _value(INDICATORS[key], _total_sums(Query(INDICATORS[key], start=since)))
                for key in ("deals", "disbursed")}
    return cache.get_or_set("stats:headline", compute, HEADLINE_SECONDS)
