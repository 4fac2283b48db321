"""Full text on SQLite: the FTS5 table of migration 0002 over the entries' tokens, ranked by bm25.

Words found in very many listings are counted over a sample of their matches, as on PostgreSQL
(``sampling``): FTS5 counts its own matches exactly in about a millisecond (18,113 for 第二 at 100,000
listings), but reading each match's entry for the facet counts took 50-60 ms. The sample is the matches
whose listing id is a multiple of ``shards``, a condition on the FTS rowid: no mark is indexed.
"""

from collections.abc import Callable

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection
from django.db.models import Model, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.lookups import In

from search.models import SearchEntry
from search.query import QueryWord

from .expressions import unindexed_column
from .sampling import InSample

TABLE = "search_searchentry_fts"
# bm25 weights of the FTS columns: title, body, claims.
WEIGHTS = (10.0, 4.0, 1.0)
# Rows a sorted page walks at most rather than sort the entries meeting its filters (``walks_sort_index``).
WALK_ROWS = 2_000
# A walk passes rows at about the cost of looking up a text match by its id (4 µs against 3 µs at 100,000
# listings): it is chosen when it passes at most half as many rows as the words match.
WALK_VS_MATCHES = 2


def _quoted(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _in_sample(shards: int) -> str:
    """SQL after a MATCH condition: the FTS row is in the 1-in-``shards`` sample (the entry's listing id)."""
    return f" AND {TABLE}.rowid %% {int(shards)} = 0" if shards > 1 else ""


class SqliteFullText:
    """Renders query words as an FTS5 query and applies it to entry querysets."""

    samples = True  # counts words found in very many listings over a sample (``sampling``)

    def estimated_matches(self, expression: str) -> float:
        """How many entries match ``expression``: FTS5's own count, exact and quick (no entry is read)."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {TABLE} WHERE {TABLE} MATCH %s", [expression])
            return float(cursor.fetchone()[0])

    def walks_sort_index(self, total: int, depth: int, *, matches: Callable[[], float] | None = None) -> bool:
        """Whether a sorted page should walk its order's index, every filter checked on the rows it passes
        (``EntryQueryCompiler.conditions(unindexed=True)``): when about ``depth`` × entries / ``total`` rows, the
        walk's length, are few, or fewer than half the entries the words match (``matches()``, asked only then).
        SQLite otherwise finds every entry meeting a filter through that filter's index, or every text match
        by its id, and sorts them, each row read through its overflow pages: 290 ms for a newest-first page of
        an industry and 10 years left at 100,000 listings (22,316 matches), 1 ms walking; 60-80 ms for the
        lapsed listings of 一种 制备 (21,797 text matches, 1,037 hits) by remaining term, 11 ms walking."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT max(rowid) FROM {TABLE}")
            entries = cursor.fetchone()[0] or 0
        walked = depth * entries / max(total, 1)
        return walked <= WALK_ROWS or (matches is not None and walked * WALK_VS_MATCHES <= matches())

    def in_sample(self, shards: int) -> InSample:
        """The entry is in the 1-in-``shards`` sample (``sampling``)."""
        return InSample(shards)

    def analyze(self) -> None:
        """Refresh the planner's statistics (``PRAGMA optimize`` runs ANALYZE where it helps)."""
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA optimize")

    def lock_listings(self, listing_ids: list[int]) -> None:
        """Nothing to do: SQLite has one writer at a time (transactions begin IMMEDIATE)."""

    def insert_rows(self, model, fields: list[str], rows: list[tuple]) -> None:
        model.objects.bulk_create([model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=2000)

    def insert_objects(self, objects: list[Model]) -> None:
        if objects:
            type(objects[0]).objects.bulk_create(objects, batch_size=500)

    def expression(self, words: list[QueryWord], *, any_word: bool = False) -> str:
        """An FTS5 query requiring every word (``any_word``: one of them), a word's bigrams as a phrase:
        ``"电池" AND ("纤维素" OR "纤维 维素")``."""
        parts = []
        for word in words:
            term = _quoted(word.token) + ("*" if word.prefix else "")
            if word.bigrams:
                term = f"({term} OR {_quoted(' '.join(word.bigrams))})"
            parts.append(term)
        return (" OR " if any_word else " AND ").join(parts)

    def match_cost(self, expression: str) -> int:
        """1: FTS5 keeps positions in its index, so a phrase costs what a token does."""
        return 1

    def prefix_condition(self, field: str, prefix: str) -> Q:
        """``field`` starts with ``prefix``, as a range an index can answer (BINARY collation: code point order)."""
        return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + "\U0010ffff"})

    def condition(self, expression: str, sample: int = 1, *, loose: bool = False, unindexed: bool = False) -> Q:
        """The entry matches ``expression``; ``sample`` > 1: and is in that sample. FTS5 phrases are exact in
        the index: nothing is ``loose``. ``unindexed``: the entries are not looked up by the matches' ids, so that
        a page walks its order's index (``walks_sort_index``)."""
        # An IN over the FTS result: SQLite evaluates the MATCH once and probes the set per row.
        matches = RawSQL(f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s{_in_sample(sample)}", [expression])
        return Q(In(unindexed_column("pk"), matches)) if unindexed else Q(pk__in=matches)

    # No ordered aggregate before SQLite 3.44 (Debian 12 has 3.40), nor bm25() outside a query of the FTS table:
    # a page is never collected by the pass that counts its hits (``EntryQueryCompiler.counted_page``).
    ordered_ids = None

    def entries_estimate(self) -> None:
        """None: SQLite's sorted pages choose between walking and sorting by ``walks_sort_index``."""
        return None

    def ranked(self, entries: QuerySet, expression: str, offset: int, limit: int,
               fields: tuple[str, ...], matches: int | None = None, sample: int = 1) -> list[SearchEntry]:
        """A page of ``entries`` matching ``expression`` (in the 1-in-``sample`` sample), best first, with
        ``fields`` loaded and a ``score`` (higher is better). ``matches`` (how many there are, if counted)
        changes nothing here."""
        query = entries.query
        try:
            where, params = query.get_compiler(connection=connection).compile(query.where)
        except EmptyResultSet:
            return []
        except FullResultSet:
            where, params = "", []
        weights = ", ".join(map(str, WEIGHTS))
        meta = SearchEntry._meta
        table = connection.ops.quote_name(meta.db_table)
        columns = ", ".join(f"{table}.{column}" for column in (meta.pk.column, *(meta.get_field(f).column for f in fields)))
        # bm25() only works in a query over the FTS table itself, hence raw SQL; the filters come from the ORM
        # as a condition on the entries (as a subquery of ids, SQLite first listed every entry meeting them:
        # 290 ms for a remaining-term filter at 100,000 listings). bm25 is negative, lower is better.
        sql = (f"SELECT {columns}, -bm25({TABLE}, {weights}) AS score FROM {TABLE} "
               f"JOIN {table} ON {table}.listing_id = {TABLE}.rowid WHERE {TABLE} MATCH %s{_in_sample(sample)}"
               + (f" AND {where}" if where else "") +
               f" ORDER BY score DESC, {table}.published_at DESC, {table}.listing_id DESC LIMIT %s OFFSET %s")
        return list(SearchEntry.objects.raw(sql, [expression, *params, limit, offset]))
