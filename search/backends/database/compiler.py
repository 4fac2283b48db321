"""A ``SearchQuery`` turned into querysets over search entries: filters, facet counts, ordered pages.

A search costs two queries: the page, and one aggregate that counts the total and every facet value
in a single pass over the entries matching the text (and the IPC prefix, which no facet leaves out).
Each count carries its own condition (``COUNT(*) FILTER (WHERE …)``, on PostgreSQL and SQLite alike): the
value or bucket, and every filter but the facet's own. Multi-valued facets (kind, industry, legal status)
are bit masks on the entry, so no count needs a join. Measured at 100,000 listings on PostgreSQL, this
replaced seven facet queries (each a full pass, three of them a join with the term table) and a count.

A text search first asks how many entries its words match (PostgreSQL's planner, or FTS5's own count):
above a threshold the aggregate reads a sample of them and the counts are estimates (``sampling``), and a
sample with too few hits is followed by an exact count of the entries meeting every filter (a second
aggregate). On PostgreSQL an exact count of a text search's hits also collects its page's ids, in the page's
order (``_page_sql``): the page is then read by id.
"""

import datetime as dt
import functools

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Count, DurationField, F, OrderBy, Q, QuerySet, Value
from django.db.models.lookups import GreaterThanOrEqual, In, LessThanOrEqual
from django.db.models.sql import Query

from market.models import PatentKind
from search.models import SearchEntry, SearchFacetCell, SearchTerm
from search.query import QueryWord
from search.schema import (
    FACET_FILTERS,
    MULTI_VALUED,
    RANGE_FACETS,
    SINGLE_VALUED,
    TERM_VALUED,
    VALUE_FACETS,
    Bucket,
    Sort,
    expiry_cutoff,
    facet_bits,
    facet_label,
    facet_mask,
)
from search.tokenize import ipc_token

from ..base import FacetValue, SearchQuery
from . import facet_cells, sampling
from .confirm import confirmed_page
from .expressions import IntegersIn, unindexed_column

# What a hit shows; the token columns (tens of kilobytes per entry) stay in the database.
HIT_FIELDS = ("title", "holder", "mode", "city", "industry", "asking_price", "published_at", "expiry_date",
              "patent_numbers", "abstract")
# Multi-valued facet -> the entry's bit-mask column (search.schema.facet_bits).
MASK_COLUMNS = {"kind": "kinds_mask", "industry": "industries_mask", "legal_status": "legal_statuses_mask"}
# The value facets counted in the one aggregate query (the term-valued ones are counted apart: nice_class_facet),
# with their values (an enum's ``values`` is built again at each call).
MASKED_FACETS = {name: tuple(choices.values) for name, choices in VALUE_FACETS.items() if name not in TERM_VALUED}
LATEST = (F("published_at").desc(nulls_last=True), "-pk")
ORDERINGS = {
    Sort.NEWEST: LATEST,
    Sort.PRICE_ASC: (F("asking_price").asc(nulls_last=True), *LATEST),
    Sort.PRICE_DESC: (F("asking_price").desc(nulls_last=True), *LATEST),
    Sort.REMAINING_LIFE: (F("expiry_date").desc(nulls_last=True), *LATEST),
    Sort.ROYALTY: (F("royalty").asc(nulls_last=True), *LATEST),
}

# The prefix of a filter's boolean column in the counts' inner SELECT (``_select_counts``), and by vendor what
# keeps the planner from merging that SELECT into the outer one (an OFFSET; SQLite wants a LIMIT first, -1: none).
# Only a search with filters is fenced: without one nothing is saved, and SQLite reads a fenced row's columns at
# twice the cost (browsing every listing's facet cells at 100,000 listings: 30 → 15 ms).
FLAG = "filter_"
TRUE = "1 = 1"
FENCES = {"postgresql": " OFFSET 0", "sqlite": " LIMIT -1 OFFSET 0"}
# Relative cost of reading one text match from the full-text index, and of passing one entry on a sort
# index walk (see ``EntryQueryCompiler._sort_the_matches``).
MATCH_COST, WALK_COST = 2, 11
# A sort key plus nothing, by the key's type: the same order, which no index holds.
ZERO = {"published_at": Value(dt.timedelta(0), output_field=DurationField()),
        "expiry_date": Value(dt.timedelta(0), output_field=DurationField())}


def _order_by(ordering) -> OrderBy:
    """``ordering`` (an ``OrderBy``, or a field name such as "-pk") as an ``OrderBy``."""
    if isinstance(ordering, str):
        return F(ordering.lstrip("-")).desc() if ordering.startswith("-") else F(ordering).asc()
    return ordering


def _unindexed(ordering) -> OrderBy:
    """``ordering`` (an ``OrderBy`` of a field, or "-pk") on the key plus zero, so that the planner sorts the
    matches instead of walking the key's index."""
    ordering = _order_by(ordering)
    name = ordering.expression.name
    return OrderBy(F(name) + ZERO.get(name, Value(0)), descending=ordering.descending,
                   nulls_first=ordering.nulls_first, nulls_last=ordering.nulls_last)


def _masks_with(facet: str, values) -> list[int]:
    """The masks of a multi-valued facet that have one of these values' bits (3 to 6 values: at most 63)."""
    return _masks_with_bits(facet, facet_mask(facet, values))


@functools.cache
def _masks_with_bits(facet: str, bits: int) -> list[int]:
    return [mask for mask in range(1, 1 << len(facet_bits(facet))) if mask & bits]


def _any_bit(facet: str, values, *, unindexed: bool = False) -> Q:
    """The entry has one of these values of a multi-valued facet: its mask is one of the masks with one
    of their bits. An IN list rather than ``mask & bits > 0``: the planner estimates it from the
    column's statistics (a rare value then walks no sort index to the end; measured: 300 ms → 5 ms)."""
    return Q(IntegersIn(MASK_COLUMNS[facet], _masks_with(facet, values), unindexed=unindexed))



class EntryQueryCompiler:
    """Querysets of the entries matching one query; ``full_text`` is the vendor's text matcher."""

    counted_model = SearchEntry  # the table ``matching()`` reads and the counts count
    # The columns of the counted table that the counts' conditions read (besides the filters).
    counted_columns = ("mode", "city", *MASK_COLUMNS.values(), "asking_price", "expiry_date")

    def __init__(self, query: SearchQuery, full_text, today: dt.date):
        self.query = query
        self.full_text = full_text
        self.today = today
        # The connection itself, not django.db.connection: each attribute read through that proxy costs a
        # thread-local lookup, ~200 of them a search (the ORM's compilers keep whichever they are given).
        self.db = connections[DEFAULT_DB_ALIAS]
        self.expression = full_text.expression(query.words) if query.words else ""  # what pages are ranked by
        # An IPC prefix below the section is also an index token of its listings (search.tokenize.ipc_tokens), so
        # the full-text index finds them, with the words, before the term table confirms (a text may hold the
        # token too). ``match_expression``: the words and that token; ``ipc_expression``: the token alone.
        ipc = [QueryWord(token=ipc_token(query.ipc_prefix))] if len(query.ipc_prefix) > 1 else []
        self.match_expression = full_text.expression([*query.words, *ipc]) if query.words or ipc else ""
        self.ipc_expression = full_text.expression(ipc) if ipc else ""
        # What reading one text match costs, in matches of a single token (a phrase's are confirmed one by one).
        self.match_cost = full_text.match_cost(self.match_expression) if self.match_expression else 1
        # (text matches before the filters, entries in all) once counted; see ``_sort_the_matches``.
        self.sizes: tuple[int, float] | None = None
        # 1, or the sample the search's total was estimated from (``sampling``): the total and the counts that
        # share its filters are the sample's × shards, and a relevance page ranks the sample.
        self.shards = 1
        self.sampled_total = 0  # the sample's hits, when the total is estimated
        self.estimated = False  # whether any count is an estimate
        self.filters: dict[str, tuple[str, list]] = {}  # filter name -> its compiled condition, once counted
        # The ids of the query's page, when the pass that counted every hit also put them in order (``_page_sql``).
        self.counted_page: list[int] | None = None
        self._text_matches: float | None = None  # ``text_matches``, once asked

    @property
    def total_estimated(self) -> bool:
        """Whether the total is a sample's estimate (other counts may be estimates over an exact total)."""
        return self.shards > 1

    def _select_counts(self, entries: QuerySet, counts: dict[str, tuple[str, list]], *,
                       sizes: bool = False, page: bool = False) -> dict[str, int]:
        """Each count of ``counts`` (name -> condition SQL) over ``entries``, in one SELECT; ``sizes``: also
        "matched" and "entries" (see ``_sort_the_matches``) when a text search can use them; ``page``: the pass
        reads every hit, so also collect the page's ids (``counted_page``) where the full text can (``_page_sql``).

        The SELECT is written here, not with ``aggregate()``: resolving ~45 filtered aggregates cost the ORM
        10-12 ms of Python a search, for SQL that runs in 1-2 ms. An inner SELECT (kept apart by ``FENCES``)
        reads the counted columns and evaluates each filter once a row (``_flag``), which the ~45 counts then
        test: a price range over the facet cells is a list of 20 price classes, and repeating it in each count
        took 10 of the 14 ms of a browse at 100,000 listings."""
        names = list(counts)
        select = [f"{self._count_sql(counts[name][0])}" for name in names]
        params = [param for name in names for param in counts[name][1]]
        estimate = self.full_text.entries_estimate() if sizes and self.match_expression else None
        if estimate is not None:
            names += ["matched", "entries"]
            select += ["COUNT(*)", f"MAX({estimate})"]
        inner = [self._column(name) for name in self.counted_columns]
        ordered = self._page_sql() if page else None
        if ordered is not None:
            select.append(ordered[0])
            params += ordered[1]
            inner += ordered[2]
        query = entries.query
        try:
            where, where_params = query.get_compiler(connection=self.db).compile(query.where)
        except EmptyResultSet:
            self.counted_page = [] if ordered is not None else None
            return dict.fromkeys(names, 0)
        except FullResultSet:
            where, where_params = "", []
        qn = self.db.ops.quote_name
        inner += [f"({sql}) AS {qn(FLAG + name)}" for name, (sql, _) in self.filters.items()]
        inner_params = [param for _, filter_params in self.filters.values() for param in filter_params]
        table = self._table()
        rows = f"SELECT {', '.join(inner)} FROM {table}" + (f" WHERE {where}" if where else "")
        rows += FENCES[self.db.vendor] if self.filters else ""
        with self.db.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(select)} FROM ({rows}) AS {table}",
                           [*params, *inner_params, *where_params])
            row = cursor.fetchone()
        if ordered is not None:
            *row, ids = row
            self.counted_page = list(ids or [])
        return {name: value or 0 for name, value in zip(names, row, strict=True)}

    def _page_sql(self) -> tuple[str, list, list[str]] | None:
        """An aggregate of the ids of the query's page among the rows counted that meet every filter, in the page's
        order, with its params and the columns it reads; None where the full text cannot (no ordered aggregate).

        A text search whose every hit the counts read (an exact count) gets its page from that pass: the page's own
        statement found the same hits again (through the full-text index, or along a sort index when the planner
        expected them early) to sort them, 3-14 ms of the slowest first pages at 100,000 listings."""
        if self.full_text.ordered_ids is None:
            return None
        q = self.query
        if q.effective_sort == Sort.RELEVANCE:
            orderings = (self.full_text.score(self.expression).desc(), *LATEST)
            columns = [f"{self._table()}.{self.db.ops.quote_name(name)}" for name in self.full_text.score_columns]
        else:
            orderings, columns = ORDERINGS[q.effective_sort], []
        query = Query(self.counted_model)
        compiler = query.get_compiler(connection=self.db)
        compiled = [compiler.compile(_order_by(ordering).resolve_expression(query)) for ordering in orderings]
        every, every_params = self._all_of([self._flag(name) for name in sorted(self.filters)])
        sql = self.full_text.ordered_ids(self._column("pk"), ", ".join(sql for sql, _ in compiled), every, q.offset,
                                         q.page_size)
        columns += [self._column(name) for name in ("pk", "published_at", "royalty") if name not in self.counted_columns]
        return sql, [*(param for _, params in compiled for param in params), *every_params], columns

    def _flag(self, name: str) -> tuple[str, list]:
        """Filter ``name`` of ``filters``, as the boolean column ``_select_counts`` evaluates once a row."""
        qn = self.db.ops.quote_name
        return f"{self._table()}.{qn(FLAG + name)}", []

    def text_matches(self) -> float:
        """How many entries the words (and IPC token) match before the filters: the engine's estimate, once."""
        if self._text_matches is None:
            self._text_matches = self.full_text.estimated_matches(self.match_expression) if self.match_expression \
                else 0.0
        return self._text_matches

    def _keep_sizes(self, row: dict, shards: int = 1) -> None:
        if "matched" in row:
            self.sizes = (row["matched"] * shards, row["entries"] or 0.0)

    def _flagged(self, groups: dict[frozenset, dict[str, tuple[str, list]]]) -> dict[str, tuple[str, list]]:
        """Count name -> its whole condition: its own and its group's filters (as ``_flag`` columns)."""
        flagged = {}
        for group, counts in groups.items():
            flags = [self._flag(name) for name in sorted(group)]
            flagged |= {name: self._all_of([*flags, condition]) for name, condition in counts.items()}
        return flagged

    def _aggregate(self, groups: dict[frozenset, dict[str, tuple[str, list]]]) -> dict[str, int]:
        """The counts of ``groups`` (the filters a count applies -> its own conditions by count name; the group of
        every filter holds "total") over the matches, in one pass.

        When the words match very many entries (``sampling``), the pass reads a sample of them and each count
        is estimated as the sample's times the shards; except that the group of every filter (the total, and
        the hits shown), with too few sampled hits, is counted exactly over the entries meeting its filters,
        which their indexes narrow down."""
        counts = self._flagged(groups)
        shards = sampling.shards_for(self.text_matches() * self.match_cost) if (
            self.match_expression and self.full_text.samples) else 1
        # Without text, the pass reads every entry: a page walks a sort index instead.
        row = self._select_counts(self.matching(sample=shards), counts, sizes=True,
                                  page=shards == 1 and bool(self.match_expression))
        self._keep_sizes(row, shards)
        if shards == 1:
            return row
        result = {name: row[name] * shards for name in counts}
        self.estimated = True
        if row["total"] >= sampling.MIN_SAMPLED_HITS:
            self.shards, self.sampled_total = shards, row["total"]
        else:
            every = groups[frozenset(self.conditions())]
            result |= self._select_counts(self.entries(), {name: counts[name] for name in every}, page=True)
            self.estimated = len(groups) > 1
        return result

    def conditions(self, *, unindexed: bool = False) -> dict[str, Q]:
        """Filter name -> its condition, for the filters the query sets (``ipc_prefix`` excepted); ``unindexed``
        (SQLite): conditions no index answers, so that a page walks its order's index (``_walk``)."""
        q = self.query
        column = unindexed_column if unindexed else F
        conditions = {name: Q(In(column(name), list(getattr(q, name)))) for name in SINGLE_VALUED if getattr(q, name)}
        conditions |= {name: _any_bit(name, getattr(q, name), unindexed=unindexed)
                       for name in MULTI_VALUED if getattr(q, name)}
        if q.price_min is not None:
            conditions["price_min"] = Q(GreaterThanOrEqual(column("asking_price"), q.price_min))
        if q.price_max is not None:
            conditions["price_max"] = Q(LessThanOrEqual(column("asking_price"), q.price_max))
        if q.remaining_years_min:
            cutoff = expiry_cutoff(q.remaining_years_min, self.today)
            conditions["remaining_years_min"] = Q(GreaterThanOrEqual(column("expiry_date"), cutoff))
        if q.nice_class:
            conditions["nice_class"] = Q(pk__in=SearchTerm.objects.filter(field="nice", value__in=q.nice_class)
                                         .values("entry_id"))
        return conditions

    def nice_class_facet(self, kinds: list[FacetValue]) -> list[FacetValue]:
        """The Nice classes of the matching marks, counted exactly with every filter but their own: only when
        marks are among the matches (the kind facet says so) or classes are chosen, so patent searches pay
        nothing."""
        if not self.query.nice_class and not any(k.value == PatentKind.TRADEMARK and k.count for k in kinds):
            return []
        entries = self.matching()
        for name, condition in self.conditions().items():
            if name not in FACET_FILTERS["nice_class"]:
                entries = entries.filter(condition)
        rows = (SearchTerm.objects.filter(field="nice", entry_id__in=entries.values("pk")).values("value")
                .annotate(count=Count("pk")).values_list("value", "count"))
        return [FacetValue(value, facet_label("nice_class", value), count)
                for value, count in sorted(rows, key=lambda row: (-row[1], row[0]))]

    def matching(self, *, text: bool = True, sample: int = 1, loose: bool = False, unindexed: bool = False) -> QuerySet:
        """Entries matching the text (unless ``text`` is false) and the IPC prefix, in the 1-in-``sample`` sample:
        what every count counts in. ``loose``: the candidates, phrases not confirmed (``confirm``); ``unindexed``:
        see ``conditions``."""
        entries = SearchEntry.objects.all()
        expression = self.match_expression if text else self.ipc_expression
        if expression:
            entries = entries.filter(self.full_text.condition(expression, sample, loose=loose, unindexed=unindexed))
        if self.query.ipc_prefix:
            entries = entries.filter(pk__in=SearchTerm.objects.filter(field="ipc", value=self.query.ipc_prefix)
                                     .values("entry_id"))
        return entries

    def entries(self, *, text: bool = True, loose: bool = False, unindexed: bool = False) -> QuerySet:
        """Entries matching the text (unless ``text`` is false; ``loose``: phrases not confirmed) and every filter
        (``unindexed``: see ``conditions``)."""
        entries = self.matching(text=text, loose=loose, unindexed=unindexed)
        for condition in self.conditions(unindexed=unindexed).values():
            entries = entries.filter(condition)
        return entries

    def page(self, total: int | None = None, *, limit: int | None = None) -> list[SearchEntry]:
        """The query's page of entries (``limit`` of them, default a page), with the hit fields loaded;
        ``total``: how many match, if counted."""
        q = self.query
        limit = limit or q.page_size
        if self.counted_page is not None and limit == q.page_size:
            return self._hits(self.counted_page)
        if q.effective_sort != Sort.RELEVANCE:
            orderings = ORDERINGS[q.effective_sort]
            if self.match_cost > 1:  # phrases: confirm those of the page's candidates only
                hits = confirmed_page(self.entries(loose=True), self.full_text.confirmation(self.match_expression),
                                      self._ordering(orderings, total, q.offset + limit, cost=1), q.offset, limit,
                                      HIT_FIELDS)
                if hits is not None:
                    return hits
            walk = total is not None and self.full_text.walks_sort_index(total, q.offset + limit,
                                                                         matches=self.text_matches)
            return self._sorted(self.entries(unindexed=walk), orderings, q.offset, limit, total)
        if self.shards == 1:
            return self.full_text.ranked(self.entries(text=False), self.expression, q.offset, limit,
                                         fields=HIT_FIELDS, matches=total)
        # Estimated: the sample's matches best first, then the others newest first (``sampling``).
        hits = []
        if q.offset < self.sampled_total:
            hits = self.full_text.ranked(self.entries(text=False), self.expression, q.offset, limit,
                                         fields=HIT_FIELDS, matches=self.sampled_total, sample=self.shards)
        if len(hits) < limit:
            others = self.entries().filter(~Q(self.full_text.in_sample(self.shards)))
            hits += self._sorted(others, LATEST, max(0, q.offset - self.sampled_total), limit - len(hits), total)
        return hits

    def _hits(self, ids: list[int]) -> list[SearchEntry]:
        """The entries of these ids, in this order, with the hit fields loaded (and the score of a relevance page)."""
        if not ids:
            return []
        entries = SearchEntry.objects.filter(IntegersIn("pk", ids)).only(*HIT_FIELDS)
        if self.query.effective_sort == Sort.RELEVANCE:
            entries = entries.annotate(score=self.full_text.score(self.expression))
        by_id = {entry.pk: entry for entry in entries}
        return [by_id[pk] for pk in ids]

    def _sorted(self, entries: QuerySet, orderings, offset: int, limit: int, total: int | None) -> list[SearchEntry]:
        """``entries`` from ``offset`` in this order, with the hit fields loaded."""
        orderings = self._ordering(orderings, total, offset + limit)
        return list(entries.only(*HIT_FIELDS).order_by(*orderings)[offset:offset + limit])

    def _ordering(self, orderings: tuple, total: int | None, depth: int, cost: int | None = None) -> tuple:
        """``orderings``, or the same on no index when sorting the matches is cheaper (``_sort_the_matches``)."""
        if total is not None and self._sort_the_matches(total, depth, cost):
            return tuple(map(_unindexed, orderings))
        return orderings

    def _sort_the_matches(self, total: int, depth: int | None = None, cost: int | None = None) -> bool:
        """Whether sorting every text match beats walking the sort's index until the page is full.

        PostgreSQL's planner walks the index when it expects the page's hits early, but tests each entry
        it passes against its full tsvector, read out of line: about 11 µs an entry against 2 µs for each
        match read from the full-text index (measured at 1,000,000 listings). With the counts the search
        already has (``sizes``), the walk passes about ``depth`` (the query's offset + page size) × entries / total
        entries. ``cost``: of reading a match (default ``match_cost``; 1 for candidates whose phrases are not
        confirmed).
        """
        if self.sizes is None:
            return False
        matched, entries = self.sizes
        walked = (depth or self.query.offset + self.query.page_size) * entries / max(total, 1)
        return matched * MATCH_COST * (cost or self.match_cost) <= walked * WALK_COST

    def _count_sql(self, condition: str) -> str:
        """SQL counting the rows of ``matching()`` that meet ``condition``."""
        return f"COUNT(*) FILTER (WHERE {condition})"

    def _sql(self, condition: Q) -> tuple[str, list]:
        """``condition`` compiled to SQL over the counted table, so that a count of facet values reuses it."""
        query = Query(self.counted_model)
        return query.get_compiler(connection=self.db).compile(query.build_where(condition))

    @staticmethod
    def _all_of(conditions: list[tuple[str, list]]) -> tuple[str, list]:
        """One condition SQL: every compiled condition (none: true)."""
        conditions = [(sql, params) for sql, params in conditions if sql != TRUE]
        sql = " AND ".join(f"({condition})" for condition, _ in conditions) or TRUE
        return sql, [param for _, params in conditions for param in params]

    def _table(self) -> str:
        return self.db.ops.quote_name(self.counted_model._meta.db_table)

    def _column(self, name: str) -> str:
        meta = self.counted_model._meta
        return f"{self._table()}.{self.db.ops.quote_name((meta.pk if name == 'pk' else meta.get_field(name)).column)}"

    def _compare(self, name: str, operator: str, value) -> tuple[str, list]:
        """``name operator value`` in SQL, the value prepared as the ORM prepares it for the column."""
        field = self.counted_model._meta.get_field(name)
        return f"{self._column(name)} {operator} %s", [field.get_db_prep_value(value, self.db)]

    def _value_sql(self, facet: str, value: str) -> tuple[str, list]:
        """The entry has ``value`` of a value facet: for a multi-valued one, its bit is set in the mask (a count
        is no index's business, and the bit costs less than the list of masks ``_any_bit`` gives a filter)."""
        if facet in SINGLE_VALUED:
            return self._compare(facet, "=", value)
        return f"({self._column(MASK_COLUMNS[facet])} & {int(facet_mask(facet, [value]))}) <> 0", []

    def _range_sql(self, facet: str, bucket: Bucket) -> tuple[str, list]:
        """The entry is in ``bucket`` of a range facet. For remaining years the bounds map to expiry dates:
        more years left means a later expiry."""
        column, to_column = {"price": ("asking_price", lambda bound: bound),
                             "remaining_years": ("expiry_date", lambda y: expiry_cutoff(y, self.today))}[facet]
        field = self.counted_model._meta.get_field(column)
        return bucket.sql(self._column(column), lambda bound: field.get_db_prep_value(to_column(bound), self.db))

    def total(self) -> int:
        """How many entries match the query."""
        self.filters = {name: self._sql(condition) for name, condition in self.conditions().items()}
        return self._aggregate({frozenset(self.filters): {"total": self._all_of([])}})["total"]

    def total_and_facets(self) -> tuple[int, dict[str, list[FacetValue]]]:
        """The total and the counts of every facet value, in one aggregate query (see ``_aggregate``).

        Value facets list the values with hits, most first (then by value); range facets every bucket.
        """
        # Filters are compiled once and facet values written as SQL: ~45 counts built from Q objects cost
        # 12-20 ms of Python a search.
        self.filters = {name: self._sql(condition) for name, condition in self.conditions().items()}

        def others(facet: str) -> frozenset:
            """Every filter but the facet's own (see ``SearchPage``)."""
            return frozenset(name for name in self.filters if name not in FACET_FILTERS[facet])

        # The counts by the filters they apply: the facets without a filter of their own share the total's.
        groups = {frozenset(self.filters): {"total": self._all_of([])}}
        for facet, values in MASKED_FACETS.items():
            counts = groups.setdefault(others(facet), {})
            for position, value in enumerate(values):
                counts[f"{facet}_{position}"] = self._value_sql(facet, value)
        for facet, buckets in RANGE_FACETS.items():
            counts = groups.setdefault(others(facet), {})
            for bucket in buckets:
                counts[f"{facet}_{bucket.value}"] = self._range_sql(facet, bucket)
        row = self._aggregate(groups)
        facets = {}
        for facet, values in MASKED_FACETS.items():
            counted = [(value, row[f"{facet}_{position}"]) for position, value in enumerate(values)]
            counted = sorted((item for item in counted if item[1]), key=lambda item: (-item[1], item[0]))
            facets[facet] = [FacetValue(value, facet_label(facet, value), count) for value, count in counted]
        for facet, buckets in RANGE_FACETS.items():
            facets[facet] = [FacetValue(b.value, b.label, row[f"{facet}_{b.value}"]) for b in buckets]
        return row["total"], facets


class FacetCellCompiler(EntryQueryCompiler):
    """The total and facet counts of a query the facet cells can answer (``facet_cells.usable``):
    the same conditions over the cells, each cell counting as many entries as it holds."""

    BUCKET_COLUMNS = {"price": "price_bucket", "remaining_years": "remaining_bucket"}
    counted_model = SearchFacetCell
    counted_columns = ("mode", "city", *MASK_COLUMNS.values(), *BUCKET_COLUMNS.values(), "count")

    def matching(self, *, text: bool = True, sample: int = 1, loose: bool = False, unindexed: bool = False) -> QuerySet:
        return SearchFacetCell.objects.all()  # no text: never sampled

    def _count_sql(self, condition: str) -> str:
        return f"SUM({self.db.ops.quote_name('count')}) FILTER (WHERE {condition})"

    def _aggregate(self, groups: dict[frozenset, dict[str, tuple[str, list]]]) -> dict[str, int]:
        """The counts of ``groups`` in one statement of one pass over the cells per group, the group's filters
        in its WHERE: each count then tests its own condition on the cells its group keeps. One pass of every
        count over every cell, each testing its filters too, cost 15-18 ms at 100,000 listings (5,257 cells)
        on SQLite with a filter or two."""
        table = self._table()
        passes, params, names = [], [], []
        for index, (group, counts) in enumerate(groups.items()):
            where, where_params = self._all_of([self.filters[name] for name in sorted(group)])
            passes.append(f"(SELECT {', '.join(self._count_sql(sql) for sql, _ in counts.values())} "
                          f"FROM {table} WHERE {where}) AS pass{index}")
            params += [*(param for _, count_params in counts.values() for param in count_params), *where_params]
            names += counts
        with self.db.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {', '.join(passes)}", params)
            row = cursor.fetchone()
        return {name: value or 0 for name, value in zip(names, row, strict=True)}

    def _range_sql(self, facet: str, bucket: Bucket) -> tuple[str, list]:
        return self._compare(self.BUCKET_COLUMNS[facet], "=", bucket.value)

    def _buckets_from(self, facet: str, lower) -> Q:
        """The buckets whose lower edge is at or above ``lower`` (a filter on an edge: see ``usable``)."""
        return Q(**{f"{self.BUCKET_COLUMNS[facet]}__in": [b.value for b in RANGE_FACETS[facet]
                                                          if b.lower is not None and b.lower >= lower]})

    def conditions(self, *, unindexed: bool = False) -> dict[str, Q]:
        conditions = super().conditions(unindexed=unindexed)
        if self.query.price_min is not None:
            conditions["price_min"] = Q(price_class__in=facet_cells.price_classes(self.query.price_min))
        if self.query.price_max is not None:
            conditions["price_max"] = Q(price_class__in=facet_cells.price_classes(maximum=self.query.price_max))
        if self.query.remaining_years_min:
            conditions["remaining_years_min"] = self._buckets_from("remaining_years", self.query.remaining_years_min)
        return conditions
