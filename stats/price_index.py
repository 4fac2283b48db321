"""The public deal-price index and the open-licence royalty benchmarks.

The index is a quarterly, chain-linked, adjacent-period time-dummy hedonic index. For two consecutive
published quarters s and t it fits, on the deals of both quarters, by least squares::

    ln(price) = α + δ·[deal in t] + β₁·[utility model] + β₂·[design] + β₃·remaining term (years)
                + β₄·ln(number of patents) + β₅·[licence rather than transfer]

and links ``I(t) = I(s) · exp(δ)``: the change in price of deals alike in kind, remaining term, size and type.
The first published quarter is 100. Characteristics that do not vary within the pair are left out.

Prices are a transfer's agreed price (on its registration day) and a licence contract's fixed fees (entry
fee and first year, on the day it takes effect). Privacy (stats/privacy.py): a quarter is published only
when it rests on at least 5 deals from at least 3 different sellers; otherwise it is suppressed (no number)
and the chain links the next published quarter to the last published one.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from market.industries import Industry
from market.models import Patent, PatentKind
from market.models.patents import expiry_date
from market.web.labels import pick_language

from .facts import FACTS, transfer_patent
from .models import IndexPoint, RollupState, RoyaltyBenchmark
from .privacy import publishable
from .rollups import local_day

GROUPINGS = ("all", "industry", "ipc")
IPC_SECTIONS = {"A": "A 人类生活必需 Human necessities", "B": "B 作业；运输 Operations; transport",
                "C": "C 化学；冶金 Chemistry; metallurgy", "D": "D 纺织；造纸 Textiles; paper",
                "E": "E 固定建筑物 Fixed constructions", "F": "F 机械工程 Mechanical engineering",
                "G": "G 物理 Physics", "H": "H 电学 Electricity"}
ROYALTY_MEASURES = {"royalty_rate": "提成比例中位数（%） Median royalty rate (%)",
                    "annual_fee": "年许可费中位数（元） Median annual fee (CNY)",
                    "entry_fee": "入门费中位数（元） Median entry fee (CNY)"}


@dataclass(frozen=True)
class Sale:
    """One deal as the index sees it."""

    quarter: dt.date
    seller: int
    price: float
    kind: str
    remaining_years: float
    patents: int
    licence: bool
    industry: str
    section: str


def quarter_of(day: dt.date) -> dt.date:
    return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def sales() -> list[Sale]:
    """Every priced deal: registered transfers and licence contracts in effect with fixed fees."""
    transfer, licence = FACTS["transfer"], FACTS["licence"]
    rows = []
    deals = (transfer.model_class.objects.filter(transfer.where, price__gt=0)
             .annotate(first_patent=transfer_patent("id"), patent_count=Count("patents"))
             .values_list("registered_at", "seller_id", "price", "first_patent", "patent_count"))
    rows += [(d, s, p, pat, n, False) for d, s, p, pat, n in deals.iterator(chunk_size=20000)]
    contracts = (licence.model_class.objects.filter(licence.where).annotate(fee=licence.amount).filter(fee__gt=0)
                 .values_list("effective_date", "licensor_id", "fee", "patent_id"))
    rows += [(d, s, p, pat, 1, True) for d, s, p, pat in contracts.iterator(chunk_size=20000)]
    # A patent price index: deals whose (first) right is a registered mark are not patent prices.
    patents = {p[0]: p[1:] for p in Patent.objects.filter(pk__in={r[3] for r in rows}).exclude(
        kind=PatentKind.TRADEMARK).values_list("pk", "kind", "filing_date", "industry", "ipc_codes")
        .iterator(chunk_size=20000)}
    result = []
    for day, seller, price, patent_id, count, is_licence in rows:
        if patent_id not in patents:
            continue
        kind, filing, industry, ipc = patents[patent_id]
        day = local_day(day)
        remaining = max((expiry_date(kind, filing) - day).days / 365.25, 0.0)
        section = (ipc[0][:1].upper() if ipc else "")
        result.append(Sale(quarter_of(day), seller, float(price), kind, remaining, count or 1, is_licence,
                           industry, section if section in IPC_SECTIONS else ""))
    return result


def _design(pair: list[Sale], later: dt.date) -> tuple[np.ndarray, np.ndarray]:
    columns = [
        [1.0] * len(pair),
        [1.0 if s.quarter == later else 0.0 for s in pair],
        [1.0 if s.kind == PatentKind.UTILITY_MODEL else 0.0 for s in pair],
        [1.0 if s.kind == PatentKind.DESIGN else 0.0 for s in pair],
        [s.remaining_years for s in pair],
        [math.log(s.patents) for s in pair],
        [1.0 if s.licence else 0.0 for s in pair],
    ]
    # the intercept and the time dummy always; a characteristic only where it varies within the pair
    kept = columns[:2] + [c for c in columns[2:] if max(c) != min(c)]
    matrix = np.array(kept).T
    # a characteristic that moves with the others (or with time) cannot be told apart: drop from the last
    while matrix.shape[1] > 2 and np.linalg.matrix_rank(matrix) < matrix.shape[1]:
        matrix = matrix[:, :-1]
    return matrix, np.log(np.array([s.price for s in pair]))


def link(earlier: list[Sale], later: list[Sale]) -> float:
    """exp(δ): the quality-adjusted price change from the earlier quarter to the later one."""
    later_quarter = later[0].quarter
    matrix, prices = _design(earlier + later, later_quarter)
    coefficients, *_ = np.linalg.lstsq(matrix, prices, rcond=None)
    return math.exp(coefficients[1])


def chain(by_quarter: dict[dt.date, list[Sale]]) -> list[tuple[dt.date, int, int, Decimal | None]]:
    """(quarter, deals, sellers, index or None when suppressed) for every quarter from the first with deals."""
    if not by_quarter:
        return []
    points, level, previous = [], None, None
    quarter, last = min(by_quarter), max(by_quarter)
    while quarter <= last:
        deals = by_quarter.get(quarter, [])
        sellers = len({s.seller for s in deals})
        value = None
        if publishable(len(deals), sellers):
            level = 100.0 if previous is None else level * link(by_quarter[previous], deals)
            previous = quarter
            value = Decimal(str(level)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        points.append((quarter, len(deals), sellers, value))
        quarter = dt.date(quarter.year + (quarter.month + 2) // 12, (quarter.month + 2) % 12 + 1, 1)
    return points


def _group_key(sale: Sale, grouping: str) -> str:
    return {"all": "", "industry": sale.industry, "ipc": sale.section}[grouping]


def _royalties() -> list[RoyaltyBenchmark]:
    declarations = FACTS["declaration"].model_class.objects.filter(FACTS["declaration"].where).values_list(
        "patent__industry", "holder_id", "royalty_rate", "annual_fee", "entry_fee")
    by_industry: dict[str, list] = defaultdict(list)
    for row in declarations.iterator(chunk_size=20000):
        by_industry[row[0]].append(row)
        by_industry[""].append(row)
    benchmarks = []
    for industry, rows in by_industry.items():
        for position, measure in enumerate(ROYALTY_MEASURES, start=2):
            with_value = [r for r in rows if r[position] is not None]
            holders = len({r[1] for r in with_value})
            median = None
            if publishable(len(with_value), holders):
                median = Decimal(statistics.median(Decimal(r[position]) for r in with_value)).quantize(Decimal("0.01"))
            benchmarks.append(RoyaltyBenchmark(industry=industry, measure=measure, declarations=len(with_value),
                                               holders=holders, median=median))
    return benchmarks


@transaction.atomic
def rebuild_index() -> int:
    """Recompute every index series and royalty benchmark from the raw deals; returns the index points."""
    groups: dict[tuple[str, str], dict[dt.date, list[Sale]]] = defaultdict(lambda: defaultdict(list))
    for sale in sales():
        for grouping in GROUPINGS:
            groups[(grouping, _group_key(sale, grouping))][sale.quarter].append(sale)
    points = [IndexPoint(grouping=grouping, group=group, quarter=q, deals=n, sellers=sellers, value=value)
              for (grouping, group), by_quarter in groups.items() if grouping == "all" or group
              for q, n, sellers, value in chain(by_quarter)]
    IndexPoint.objects.all().delete()
    IndexPoint.objects.bulk_create(points)
    RoyaltyBenchmark.objects.all().delete()
    RoyaltyBenchmark.objects.bulk_create(_royalties())
    state = RollupState.objects.select_for_update().first() or RollupState.objects.create()
    state.index_at = timezone.now()
    state.save(update_fields=["index_at"])
    return len(points)


def _group_label(grouping: str, group: str) -> str:
    if grouping == "all":
        return pick_language("全部交易 All deals")
    if grouping == "ipc":
        return pick_language(IPC_SECTIONS.get(group, group))
    return pick_language(Industry(group).label) if group in Industry.values else group


def index_series(grouping: str) -> dict:
    """The index of every group of ``grouping``: one series per group, suppressed quarters as null."""
    series: dict[str, list] = defaultdict(list)
    for point in IndexPoint.objects.filter(grouping=grouping):
        series[point.group].append({
            "quarter": f"{point.quarter.year}-Q{(point.quarter.month - 1) // 3 + 1}",
            "value": str(point.value) if point.value is not None else None,
            "suppressed": point.value is None,
            "deals": point.deals if point.value is not None else None})
    state = RollupState.objects.first()
    return {"grouping": grouping, "base": 100, "computed_at": state.index_at if state else None,
            "series": [{"group": group, "label": _group_label(grouping, group), "points": points}
                       for group, points in sorted(series.items())]}


def royalty_benchmarks() -> dict:
    rows = [{"industry": b.industry, "label": _group_label("all" if not b.industry else "industry", b.industry),
             "measure": b.measure, "measure_label": pick_language(ROYALTY_MEASURES[b.measure]),
             "median": str(b.median) if b.median is not None else None, "suppressed": b.median is None}
            for b in RoyaltyBenchmark.objects.all()]
    return {"benchmarks": rows}
