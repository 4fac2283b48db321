"""What every backend indexes besides text: filter fields, facets, range buckets and sort orders.

One home for these names so that the database and Elasticsearch backends, the API and the pages agree.
"""

import datetime as dt
import functools
import math
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils import translation

from market.industries import Industry
from market.models import LegalStatus, ListingMode, PatentKind
from market.regions import City
from market.trademarks.nice import CLASSES

# The Nice class of a registered mark's goods (the "nice_class" facet): value "30", label 第30类 方便食品.
NiceClass = models.TextChoices("NiceClass", [(f"C{number}", (str(number), f"第{number}类 {zh} Class {number} {en}"))
                                             for number, (zh, en) in CLASSES.items()])


class Sort(models.TextChoices):
    """Result orders. Ties are broken by publication date, newest first, then by listing id."""

    RELEVANCE = "relevance", "相关度 Relevance"  # newest first when there is no query text
    PRICE_ASC = "price_asc", "价格从低到高 Price, low to high"  # 面议 (no price) last
    PRICE_DESC = "price_desc", "价格从高到低 Price, high to low"  # 面议 (no price) last
    NEWEST = "newest", "最新发布 Newest"
    REMAINING_LIFE = "remaining_life", "剩余保护期最长 Longest remaining term"
    ROYALTY = "royalty", "许可费从低到高 Royalty, low to high"  # open licences: what a take-up pays at once; others last


# Facets over values: facet name -> the choices that give values their labels.
# "mode" and "city" have one value per listing; the others one per patent of the listing (a listing of
# an invention and a utility model counts under both kinds).
VALUE_FACETS: dict[str, type[models.TextChoices]] = {
    "mode": ListingMode,
    "kind": PatentKind,
    "industry": Industry,
    "city": City,
    "legal_status": LegalStatus,
    "nice_class": NiceClass,
}
SINGLE_VALUED = ("mode", "city")
MULTI_VALUED = ("kind", "industry", "legal_status")
# Multi-valued facets kept as terms (SearchTerm rows, a keyword field) rather than bit masks: a listing of marks
# has some of 45 classes, patents none.
TERM_VALUED = ("nice_class",)


@functools.cache
def facet_bits(facet: str) -> dict[str, int]:
    """Value -> bit of a multi-valued facet, for the database backend's bit-mask columns.

    Bits follow the order of the choices: add new choices at the end, or bump
    ``search.documents.DOCUMENT_VERSION`` and reindex (search_check reports every entry stale).
    """
    return {value: 1 << position for position, value in enumerate(VALUE_FACETS[facet].values)}


def facet_mask(facet: str, values) -> int:
    """The bit mask of these values of a multi-valued facet (unknown values set no bit)."""
    bits = facet_bits(facet)  # cached: read, never changed
    mask = 0
    for value in values:
        mask |= bits.get(value, 0)
    return mask


def facet_label(facet: str, value: str) -> str:
    """The display label of a facet value (the value itself when it is not a known choice)."""
    return _labels(facet, translation.get_language()).get(value, value)


@functools.cache
def _labels(facet: str, language: str | None) -> dict[str, str]:
    """Value -> label of a facet's choices in ``language`` (the active one: labels may be translated)."""
    return {value: str(label) for value, label in VALUE_FACETS[facet].choices}


@dataclass(frozen=True)
class Bucket:
    """A range facet value: ``lower`` ≤ x < ``upper`` (None = open); ``missing`` counts listings without x."""

    value: str
    label: str
    lower: Decimal | None = None
    upper: Decimal | None = None
    missing: bool = False

    def sql(self, column: str, param=lambda bound: bound) -> tuple[str, list]:
        """The SQL condition that ``column`` is in this bucket, and its parameters (``param`` maps a bound)."""
        if self.missing:
            return f"{column} IS NULL", []
        bounds = [(bound, operator) for bound, operator in ((self.lower, ">="), (self.upper, "<")) if bound is not None]
        return (" AND ".join([f"{column} IS NOT NULL", *(f"{column} {operator} %s" for _, operator in bounds)]),
                [param(bound) for bound, _ in bounds])


# Asking price in yuan; a listing without a price is 面议 (negotiable).
PRICE_BUCKETS = (
    Bucket("negotiable", "面议 Negotiable", missing=True),
    Bucket("lt_100k", "10万元以下 Under ¥100k", None, Decimal(100_000)),
    Bucket("100k_500k", "10–50万元 ¥100k–500k", Decimal(100_000), Decimal(500_000)),
    Bucket("500k_1m", "50–100万元 ¥500k–1m", Decimal(500_000), Decimal(1_000_000)),
    Bucket("1m_5m", "100–500万元 ¥1m–5m", Decimal(1_000_000), Decimal(5_000_000)),
    Bucket("gte_5m", "500万元以上 ¥5m and more", Decimal(5_000_000), None),
)
# Remaining term in years of the listing's shortest-lived patent.
REMAINING_BUCKETS = (
    Bucket("lt_3", "3年以下 Under 3 years", None, Decimal(3)),
    Bucket("3_5", "3–5年 3–5 years", Decimal(3), Decimal(5)),
    Bucket("5_10", "5–10年 5–10 years", Decimal(5), Decimal(10)),
    Bucket("gte_10", "10年以上 10 years and more", Decimal(10), None),
)
RANGE_FACETS = {"price": PRICE_BUCKETS, "remaining_years": REMAINING_BUCKETS}

# The filters each facet leaves out when it counts, so that its other values stay selectable.
FACET_FILTERS = {
    **{name: (name,) for name in VALUE_FACETS},
    "price": ("price_min", "price_max"),
    "remaining_years": ("remaining_years_min",),
}
FACETS = (*VALUE_FACETS, *RANGE_FACETS)

DAYS_PER_YEAR = Decimal("365.25")


def remaining_years(expiry_date: dt.date | None, on: dt.date) -> float | None:
    """Years of term left on ``on``: the same formula as ``Patent.remaining_years``."""
    if expiry_date is None:
        return None
    return max(0.0, (expiry_date - on).days / 365.25)


def expiry_cutoff(years: Decimal, on: dt.date) -> dt.date:
    """The earliest expiry date that leaves at least ``years`` of term on ``on``.

    ``remaining_years(e, on) >= years`` exactly when ``e >= expiry_cutoff(years, on)``, so every backend
    filters remaining life with a plain date comparison.
    """
    return on + dt.timedelta(days=math.ceil(years * DAYS_PER_YEAR))
