"""Estimated counts for words found in very many listings (PostgreSQL; SQLite likewise, see ``sqlite``).

Counting the total and every facet value of a text search reads each match's row: about 3.3 µs a match
at 1,000,000 listings on 2 cores (a bare count of the 67,456 matches of 存储 took 220 ms), and 18 of the
benchmark's 166 text searches match over 25,000 listings. So, as Elasticsearch stops counting exactly
at 10,000 hits by default, a search whose words (and IPC prefix, also an index token) match more than
``ESTIMATE_ABOVE`` listings (the planner's estimate from the full-text statistics: no row read) is counted
over a fixed sample of the entries: those whose id is a multiple of ``shards``, a power of two up to
``SHARDS`` chosen so that the sample holds about ``ESTIMATE_ABOVE`` matches. Each count is the sample's
times ``shards``, and the page says its counts are estimates. Every entry's vector holds the mark of each
sample it is in (migration 0012), so the GIN index finds the sample's matches with the words, before any
row is read.

The total (and the hits shown) needs enough sampled hits: below ``MIN_SAMPLED_HITS`` (±14 %) the entries
meeting every filter are counted exactly (the city, mask and sort indexes narrow them down); the facet
counts of the other filter combinations stay estimates. Relevance pages rank the sample's matches (the
same order on every page, as the rank window does for an exact count), then the others newest first; pages
in any other order are exact.

Measured at 1,000,000 listings on 2 cores (``benchmarks/search_bench.py``, 200 queries): API p95 367 ms
counting every match; 124 ms sampling above 5,000 matches with 100 hits; 97 ms above 2,000 with 50 hits
(and the mask indexes of migration 0013). 科学 (86,773 matches): 868 → 55 ms. At 100,000 listings, the
first page with its facets in process: p95 17.6 ms sampling above 2,000 matches, 15.8 ms above 1,000.
"""

from django.db import connection
from django.db.models import BooleanField

from .expressions import ColumnExpression

# The sparsest sample: 1 entry in 64 (the marks of migration 0012 go from 2 to 64).
SHARDS = 64
# Text matches above which counts are estimated from a sample of about this many.
ESTIMATE_ABOVE = 1_000
# Fewer sampled hits than this and the estimate is too rough (±14 %): counted exactly instead.
MIN_SAMPLED_HITS = 50


def shards_for(estimated_matches: float) -> int:
    """1 (count exactly) or the power of two to divide ``estimated_matches`` by to sample about
    ``ESTIMATE_ABOVE`` of them (at most ``SHARDS``). A phrase's matches come weighted by what confirming
    each costs (``PostgresFullText.match_cost``): a phrase is sampled from fewer matches."""
    shards = 1
    while shards < SHARDS and estimated_matches / shards > ESTIMATE_ABOVE:
        shards *= 2
    return shards


def mark(shards: int) -> str:
    """The tsquery of the mark of the 1-in-``shards`` sample (migration 0012): ``'§16'``."""
    return f"'§{shards}'"


class InSample(ColumnExpression):
    """The entry is in the 1-in-``shards`` sample: its id is a multiple of ``shards`` (a plain condition on
    the row; the marks in the vector are for the GIN index)."""

    output_field = BooleanField()

    def __init__(self, shards: int):
        super().__init__()
        self.shards = shards

    def as_sql(self, compiler, connection):
        column, params = compiler.compile(self.column)
        return f"({column} %% {self.shards}) = 0", params


def estimated_matches(table: str, vector_column: str, tsqueries: list[str]) -> list[float]:
    """The planner's estimates of the entries matching each of ``tsqueries`` (from the statistics of the tsvector
    column: no row is read), an EXPLAIN each, sent together (psycopg binds the parameters on the client, so one
    round trip holds several statements; a UNION's subplans would come back reordered when run in parallel)."""
    quote = connection.ops.quote_name
    explain = (f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {quote(table)} "
               f"WHERE {quote(vector_column)} @@ to_tsquery('simple'::regconfig, %s)")
    estimates = []
    with connection.cursor() as cursor:
        cursor.execute("; ".join([explain] * len(tsqueries)), tsqueries)
        while True:
            (plan,) = cursor.fetchone()
            estimates.append(float(plan[0]["Plan"]["Plan Rows"]))
            if not cursor.nextset():
                return estimates
