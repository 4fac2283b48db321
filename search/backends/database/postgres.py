"""Full text on PostgreSQL: the generated tsvector column of migrations 0002 and 0012 ('simple' configuration
over the entries' tokens, plus sample marks; GIN-indexed), ranked by ts_rank_cd over the small
``rank_vector`` of migration 0005.

Ranking reads one vector per matching entry. Words found in very many listings are counted and ranked
over a sample of their matches (``sampling``). Uncounted matches beyond ``RANK_WINDOW`` (similar listings)
are ranked among the newest ``RANK_WINDOW`` only (a top-N by publication date first, which reads no vector).
"""

import re
from collections.abc import Callable

from django.db import connection
from django.db.models import BooleanField, FloatField, Func, Model, Q, QuerySet, TextField, Value

from search.models import SearchEntry
from search.query import QueryWord

from .compiler import LATEST
from .confirm import confirmed_page
from .expressions import ColumnExpression
from .sampling import InSample, estimated_matches, mark

COLUMN = "search_vector"
RANK_COLUMN = "rank_vector"
# Matches ranked at most (newest first); see the module doc. The deepest page is the 10,000th hit.
RANK_WINDOW = 20_000
# A word's bigrams side by side (search.query); the last position a tsvector records.
PHRASE_JOIN = " <-> "
PHRASE = re.compile(r"'(?:[^']|'')*'(?: <-> '(?:[^']|'')*')+")
MAX_POSITION = 16_383
# What reading one match of a phrase costs, in matches of a single token: each has its whole vector read (out of
# line) to confirm that the bigrams stand side by side. Measured at 100,000 listings: the 4,859 entries holding
# 丙烯 and 烯酸 are counted in 5 ms from the index, in 45 ms confirming 丙烯 <-> 烯酸.
PHRASE_COST = 5


class VectorColumn(ColumnExpression):
    """The entry's tsvector column, which the model does not declare (the primary key's table alias)."""

    output_field = TextField()

    def __init__(self, column: str = COLUMN):
        super().__init__()
        self.vector = column

    def as_sql(self, compiler, connection):
        alias = compiler.quote_name_unless_alias(self.column.alias)
        return f"{alias}.{connection.ops.quote_name(self.vector)}", []


def _ts_query(expression: str) -> Func:
    return Func(Value(expression), template="to_tsquery('simple'::regconfig, %(expressions)s)",
                output_field=TextField())


def _quoted(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def _matches(expression: str, sample: int) -> Func:
    query = _ts_query(expression)
    if sample > 1:
        query = Func(query, Value(mark(sample)), template="(%(expressions)s::tsquery)", arg_joiner=" && ",
                     output_field=TextField())
    return Func(VectorColumn(), query, template="%(expressions)s", arg_joiner=" @@ ", output_field=BooleanField())


class PostgresFullText:
    """Renders query words as a tsquery and applies it to entry querysets."""

    samples = True  # counts words found in very many listings over a sample (``sampling``)
    score_columns = (RANK_COLUMN,)  # the entry's columns ``score`` reads

    def estimated_matches(self, expression: str) -> float:
        """The planner's estimate of the entries matching ``expression`` (no row is read).

        A phrase is taken as its rarest bigram: an upper bound, and close, as a word's bigrams go together. The
        planner multiplies the bigrams' frequencies as if they were independent: 丙烯酸, 4,859 matches at 100,000
        listings, was estimated at 2, and so counted in full, reading each match's vector to confirm the phrase.
        Every bigram is estimated in one EXPLAIN, the expression in a second."""
        table = SearchEntry._meta.db_table
        phrases = {phrase: phrase.split(PHRASE_JOIN) for phrase in set(PHRASE.findall(expression))}
        bigrams = sorted({bigram for split in phrases.values() for bigram in split})
        if bigrams:
            estimates = dict(zip(bigrams, estimated_matches(table, COLUMN, bigrams), strict=True))
            for phrase, split in phrases.items():
                expression = expression.replace(phrase, min(split, key=estimates.__getitem__))
        return estimated_matches(table, COLUMN, [expression])[0]

    def match_cost(self, expression: str) -> int:
        """What reading a match of ``expression`` costs, in matches of a single token (``PHRASE_COST``)."""
        return PHRASE_COST if PHRASE.search(expression) else 1

    def walks_sort_index(self, total: int, depth: int, *, matches: Callable[[], float] | None = None) -> bool:
        """False: the planner weighs walking a sort index itself (helped by ``_sort_the_matches``)."""
        return False

    def in_sample(self, shards: int) -> InSample:
        """The entry is in the 1-in-``shards`` sample (``sampling``)."""
        return InSample(shards)

    def analyze(self) -> None:
        """Refresh the planner's statistics of the index tables (after a rebuild they are far off, and
        plans of facet counts go from milliseconds to seconds until autovacuum gets there). Outside a
        transaction also VACUUM: index-only scans (facet counts over every listing) need the visibility map."""
        tables = "search_searchentry, search_searchterm, search_searchsuggestion"
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}" if connection.in_atomic_block else f"VACUUM ANALYZE {tables}")

    def lock_listings(self, listing_ids: list[int]) -> None:
        """Take a transaction-level advisory lock per listing, in id order, so that two writers of one
        listing take turns even while its entry does not exist yet (a row lock needs the row)."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(id) FROM (SELECT DISTINCT id FROM unnest(%s::bigint[]) AS id "
                           "ORDER BY id) AS ordered", [sorted(listing_ids)])

    def insert_rows(self, model, fields: list[str], rows: list[tuple]) -> None:
        """Insert many rows with COPY: several times faster than INSERT … VALUES for the index's term rows."""
        if not rows:
            return
        columns = ", ".join(connection.ops.quote_name(model._meta.get_field(name).column) for name in fields)
        with connection.cursor() as cursor, cursor.cursor.copy(
                f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def insert_objects(self, objects: list[Model]) -> None:
        """Insert new rows of model instances with COPY, their values prepared as ``save`` prepares them."""
        if objects:
            fields = objects[0]._meta.concrete_fields
            self.insert_rows(type(objects[0]), [field.name for field in fields],
                             [tuple(field.get_db_prep_save(getattr(o, field.attname), connection) for field in fields)
                              for o in objects])

    def expression(self, words: list[QueryWord], *, any_word: bool = False) -> str:
        """A tsquery requiring every word (``any_word``: one of them), a word's bigrams as a phrase:
        ``'电池' & ('纤维素' | '纤维' <-> '维素') & '锂':*``."""
        parts = []
        for word in words:
            term = _quoted(word.token) + (":*" if word.prefix else "")
            if word.bigrams:
                term = f"({term} | {PHRASE_JOIN.join(map(_quoted, word.bigrams))})"
            parts.append(term)
        return (" | " if any_word else " & ").join(parts)

    def prefix_condition(self, field: str, prefix: str) -> Q:
        """``field`` starts with ``prefix``: LIKE 'prefix%', which the pattern-opclass index answers."""
        return Q(**{f"{field}__startswith": prefix})

    def condition(self, expression: str, sample: int = 1, *, loose: bool = False, unindexed: bool = False) -> Q:
        """The entry matches ``expression``; ``sample`` > 1: and is in that sample, found by the same GIN scan.

        The index finds the entries holding every bigram (the phrases' operators as ``&``, one GIN scan: all
        that ``loose`` asks); each must then hold the phrases side by side (``confirmation``). ``unindexed`` is
        SQLite's (``walks_sort_index``): here the planner chooses."""
        if not PHRASE.search(expression):
            return Q(_matches(expression, sample))
        candidates = Q(_matches(expression.replace(PHRASE_JOIN, " & "), sample))
        return candidates if loose else candidates & self.confirmation(expression)

    def confirmation(self, expression: str) -> Q:
        """The entry holds the phrases of ``expression`` side by side: in its vector, or, for an entry of more
        tokens than a tsvector records positions of, in its token text. No index answers it (the OR with the
        text): it is a check of rows already found."""
        in_text = Q(token_count__gt=MAX_POSITION)
        for phrase in PHRASE.findall(expression):
            text = " ".join(token[1:-1].replace("''", "'") for token in phrase.split(PHRASE_JOIN))
            in_text &= Q(tokens_title__contains=text) | Q(tokens_body__contains=text) | Q(tokens_claims__contains=text)
        return Q(_matches(expression, 1)) | in_text

    def entries_estimate(self) -> str:
        """SQL of the planner's count of entries (refreshed by ANALYZE and autovacuum), to weigh query plans by."""
        return "(SELECT GREATEST(reltuples, 0) FROM pg_class WHERE oid = 'search_searchentry'::regclass)"

    def score(self, expression: str) -> Func:
        """The entry's relevance to ``expression``, higher is better: ts_rank_cd over its in-row rank vector."""
        return Func(VectorColumn(RANK_COLUMN), _ts_query(expression), function="ts_rank_cd", output_field=FloatField())

    def ordered_ids(self, ids: str, ordering: str, condition: str, offset: int, limit: int) -> str:
        """SQL of an aggregate: the ``ids`` of the rows meeting ``condition``, from ``offset`` to ``offset + limit``
        in ``ordering`` (an array; NULL when no row meets it)."""
        return f"(array_agg({ids} ORDER BY {ordering}) FILTER (WHERE {condition}))[{offset + 1}:{offset + limit}]"

    def ranked(self, entries: QuerySet, expression: str, offset: int, limit: int,
               fields: tuple[str, ...], matches: int | None = None, sample: int = 1) -> list[SearchEntry]:
        """A page of ``entries`` matching ``expression`` (in the 1-in-``sample`` sample), best first, with
        ``fields`` loaded and a ``score`` (higher is better). ``matches``: how many there are, if counted. Up to
        ``RANK_WINDOW`` of them are ranked in the pass that finds them; more (or uncounted), the newest
        ``RANK_WINDOW`` are looked up again by key and ranked."""
        score = self.score(expression)
        ordering = ("-score", *LATEST)
        if PHRASE.search(expression) and matches is not None and matches <= RANK_WINDOW:
            hits = confirmed_page(entries.filter(self.condition(expression, sample, loose=True)),
                                  self.confirmation(expression), ordering, offset, limit, fields, score=score)
            if hits is not None:
                return hits
        matching = entries.filter(self.condition(expression, sample))
        if matches is None or matches > RANK_WINDOW:
            window = matching.order_by(*LATEST).values("pk")[:RANK_WINDOW]
            matching = SearchEntry.objects.filter(pk__in=window)
        ordered = matching.only(*fields).annotate(score=score).order_by(*ordering)
        return list(ordered[offset:offset + limit])
