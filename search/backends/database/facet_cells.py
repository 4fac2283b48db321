"""Facet cells: the database backend's counts of entries per combination of facet values.

Browsing (a search without text or IPC prefix) must count the total and every facet value over all
entries: a pass over a million rows took 450-850 ms on PostgreSQL, ~150 ms of it only to read them.
Entries with the same mode, city, kind / industry / legal-status masks, price bucket and remaining-years
bucket share one ``SearchFacetCell`` row holding how many they are: a few thousand rows at a million
listings, which answer those counts exactly whenever every filter of the search is one the cells can
tell (``usable``). Other searches count live over the entries.

The cells move with the entries in the same transaction (``apply_changes``, called by the backend's
writes, which lock the entry rows first, so each change is counted once). Remaining years depend on the
day, so the cells are counted from ``SearchFacetState.day``: ``refresh`` recounts them when the day
changes (beat task) and after a rebuild; until then searches count live. Writers and ``refresh`` take
the state row's lock, so a refresh never misses a change nor counts one twice.
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from search.models import SearchFacetCell, SearchFacetState
from search.schema import PRICE_BUCKETS, REMAINING_BUCKETS, Bucket, expiry_cutoff

CELL_COLUMNS = ("mode", "city", "kinds_mask", "industries_mask", "legal_statuses_mask", "price_class", "price_bucket",
                "remaining_bucket")
# What an entry contributes to its cell, in this order: an entry row read with these values, or built.
ENTRY_VALUES = ("mode", "city", "kinds_mask", "industries_mask", "legal_statuses_mask", "asking_price", "expiry_date")
CENT = Decimal("0.01")
# Prices people bound a search by: 0 and a 1-2-5 series from ¥10k to ¥500m, the price facet's edges among
# them. Cells count the prices on each edge and between each two, so a price range from an edge to an edge,
# or to a cent below one (what the price facet's links ask), is counted from the cells.
PRICE_CLASS_EDGES = (Decimal(0), *sorted(Decimal(m * 10 ** e) for e in range(4, 9) for m in (1, 2, 5)))
# (class, lowest price, highest price; None: unbounded); prices have two decimals, so a class between two
# edges holds the prices a cent above the one to a cent below the next.
PRICE_CLASSES = (
    (f"<{PRICE_CLASS_EDGES[0]}", None, PRICE_CLASS_EDGES[0] - CENT),
    *((f"{sign}{edge}", low, high) for edge, following in zip(PRICE_CLASS_EDGES, (*PRICE_CLASS_EDGES[1:], None), strict=True)
      for sign, low, high in (("=", edge, edge), (">", edge + CENT, None if following is None else following - CENT))),
)
# remaining_years_min is counted from the cells when it is a bucket's lower bound.
REMAINING_EDGES = frozenset(b.lower for b in REMAINING_BUCKETS if b.lower is not None)
BATCH = 500


def _in_bucket(value, bucket: Bucket, to_column=lambda bound: bound) -> bool:
    if bucket.missing or value is None:
        return bucket.missing and value is None
    return ((bucket.lower is None or value >= to_column(bucket.lower))
            and (bucket.upper is None or value < to_column(bucket.upper)))


def price_bucket(price: Decimal | None) -> str:
    """The price facet's bucket of an asking price (None: 面议)."""
    return next((b.value for b in PRICE_BUCKETS if _in_bucket(price, b)), "")


def price_class(price: Decimal | None) -> str:
    """The price class of an asking price (see ``PRICE_CLASSES``; "" without a price)."""
    if price is None:
        return ""
    for edge in reversed(PRICE_CLASS_EDGES):
        if price > edge:
            return f">{edge}"
        if price == edge:
            return f"={edge}"
    return PRICE_CLASSES[0][0]


def price_classes(minimum: Decimal | None = None, maximum: Decimal | None = None) -> list[str] | None:
    """The price classes that make up the prices from ``minimum`` to ``maximum`` (inclusive, None: no bound),
    or None when a class lies partly inside: the range is then not a union of classes."""
    chosen = []
    for name, low, high in PRICE_CLASSES:
        above = minimum is None or (low is not None and low >= minimum)
        below = maximum is None or (high is not None and high <= maximum)
        outside = ((maximum is not None and low is not None and low > maximum)
                   or (minimum is not None and high is not None and high < minimum))
        if above and below:
            chosen.append(name)
        elif not outside:
            return None
    return chosen


def remaining_bucket(expiry: dt.date | None, day: dt.date) -> str:
    """The remaining-years bucket of an expiry date on ``day`` ("" without a date)."""
    return next((b.value for b in REMAINING_BUCKETS if _in_bucket(expiry, b, lambda y: expiry_cutoff(y, day))), "")


def cell_of(values: tuple, day: dt.date) -> tuple:
    """The cell of an entry given as ``ENTRY_VALUES`` (a mask not yet computed counts as no bit)."""
    mode, city, kinds, industries, legal_statuses, price, expiry = values
    return (mode, city, kinds or 0, industries or 0, legal_statuses or 0, price_class(price), price_bucket(price),
            remaining_bucket(expiry, day))


def _locked_state() -> SearchFacetState:
    state, _ = SearchFacetState.objects.select_for_update().get_or_create(pk=1)
    return state


def apply_changes(removed: Iterable[tuple], added: Iterable[tuple]) -> None:
    """Move entries (``ENTRY_VALUES`` tuples) out of their old cells and into their new ones.

    Runs in the caller's transaction, after it has locked the entry rows it read ``removed`` from.
    """
    state = _locked_state()
    if state.day is None:
        return  # not built: refresh counts everything
    delta: Counter = Counter()
    for values in removed:
        delta[cell_of(values, state.day)] -= 1
    for values in added:
        delta[cell_of(values, state.day)] += 1
    changes = sorted((cell, count) for cell, count in delta.items() if count)  # one lock order for every writer
    table = connection.ops.quote_name(SearchFacetCell._meta.db_table)
    columns = ", ".join(CELL_COLUMNS)
    with connection.cursor() as cursor:
        for start in range(0, len(changes), BATCH):
            batch = changes[start:start + BATCH]
            rows = ", ".join(["(" + ", ".join(["%s"] * (len(CELL_COLUMNS) + 1)) + ")"] * len(batch))
            cursor.execute(
                f"INSERT INTO {table} ({columns}, count) VALUES {rows} "
                f"ON CONFLICT ({columns}) DO UPDATE SET count = {table}.count + excluded.count",
                [value for cell, count in batch for value in (*cell, count)])


def _case(column: str, buckets: tuple[Bucket, ...], to_column=lambda bound: bound) -> tuple[str, list]:
    """SQL giving a row's bucket value of ``column``, as ``_in_bucket`` decides it."""
    whens, params = [], []
    for bucket in buckets:
        condition, condition_params = bucket.sql(column, to_column)
        whens.append(f"WHEN {condition} THEN %s")
        params += [*condition_params, bucket.value]
    return f"CASE {' '.join(whens)} ELSE '' END", params


def _price_class_case() -> tuple[str, list]:
    """SQL giving a row's ``price_class``, as ``price_class`` decides it."""
    whens, params = ["WHEN asking_price IS NULL THEN ''"], []
    for edge in reversed(PRICE_CLASS_EDGES):
        whens += ["WHEN asking_price > %s THEN %s", "WHEN asking_price = %s THEN %s"]
        params += [int(edge), f">{edge}", int(edge), f"={edge}"]
    return f"CASE {' '.join(whens)} ELSE %s END", [*params, PRICE_CLASSES[0][0]]


def refresh(day: dt.date | None = None, *, force: bool = False) -> bool:
    """Recount every cell from the entries as of ``day`` (today) unless they already are; True if recounted."""
    day = day or timezone.localdate()
    with transaction.atomic():
        state = _locked_state()
        if state.day == day and not force:
            return False
        price_class_sql, class_params = _price_class_case()
        price, price_params = _case("asking_price", PRICE_BUCKETS, int)
        remaining, remaining_params = _case("expiry_date", REMAINING_BUCKETS, lambda y: expiry_cutoff(y, day))
        SearchFacetCell.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {SearchFacetCell._meta.db_table} ({', '.join(CELL_COLUMNS)}, count) "
                f"SELECT mode, city, COALESCE(kinds_mask, 0), COALESCE(industries_mask, 0), "
                f"COALESCE(legal_statuses_mask, 0), {price_class_sql}, {price}, {remaining}, COUNT(*) "
                f"FROM search_searchentry GROUP BY 1, 2, 3, 4, 5, 6, 7, 8", class_params + price_params + remaining_params)
        state.day = day
        state.save(update_fields=["day"])
    return True


def reset(day: dt.date | None = None) -> None:
    """No cells, counted as of ``day`` (today): the state of an empty index."""
    with transaction.atomic():
        state = _locked_state()
        SearchFacetCell.objects.all().delete()
        state.day = day or timezone.localdate()
        state.save(update_fields=["day"])


def usable(query, day: dt.date) -> bool:
    """Whether the cells can count ``query`` exactly on ``day``: no text, no IPC prefix, a price range made of
    price classes, remaining years from a bucket's edge, and cells of ``day``."""
    return (not query.words and not query.ipc_prefix and not query.nice_class
            and price_classes(query.price_min) is not None and price_classes(maximum=query.price_max) is not None
            and (query.remaining_years_min is None or query.remaining_years_min in REMAINING_EDGES)
            and SearchFacetState.objects.filter(pk=1, day=day).exists())
