"""PostgreSQL: filling an empty index with its secondary indexes dropped, and building them after.

Loading a million entries into indexed tables updates the GIN and six B-tree indexes of the entry and
the suggestion-key index row by row; building an index once over the loaded rows is a sort (PostgreSQL's
own advice for bulk loads). ``deferred`` drops every index the writers do not read (not the keys, not
the ones leading with the entry's key, which the writers' deletes look up), loads, and builds them
again, two at a time, each on its own connection.

Each dropped index's definition is kept in ``SearchDeferredIndex`` in the transaction that drops it,
so an interrupted load loses none: ``restore`` (run by every rebuild first) builds what is recorded.
"""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, connections, transaction

from search.models import SearchDeferredIndex

TABLES = ("search_searchentry", "search_searchterm", "search_searchsuggestion")
# The writers' key columns: an index leading with one serves their deletes and upserts, so it stays.
KEY_COLUMNS = ("listing_id", "entry_id")
# Index builds at once: the GIN (the longest, one process) beside the B-trees (parallel sorts).
BUILDERS = 2

SECONDARY_INDEXES = """
    SELECT index_class.relname, pg_get_indexdef(i.indexrelid)
    FROM pg_index i
    JOIN pg_class index_class ON index_class.oid = i.indexrelid
    JOIN pg_class table_class ON table_class.oid = i.indrelid
    JOIN pg_attribute first_column ON first_column.attrelid = i.indrelid AND first_column.attnum = i.indkey[0]
    WHERE table_class.relname = ANY(%s) AND table_class.relnamespace = 'public'::regnamespace
      AND NOT i.indisunique AND NOT i.indisprimary AND first_column.attname <> ALL(%s)
    ORDER BY index_class.relname
"""


def _drop() -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(SECONDARY_INDEXES, [list(TABLES), list(KEY_COLUMNS)])
        indexes = cursor.fetchall()
        SearchDeferredIndex.objects.bulk_create(
            [SearchDeferredIndex(name=name, definition=definition) for name, definition in indexes],
            ignore_conflicts=True)
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")


def _build(definition: str) -> None:
    """Build one index on this thread's own connection, with the memory a bulk build wants."""
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute(f"SET maintenance_work_mem TO '{settings.SEARCH_INDEX_BUILD_MEMORY}'")
            cursor.execute(definition.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
    finally:
        connections.close_all()  # this thread's


def restore() -> list[str]:
    """Build every index a load dropped (also one that was interrupted); returns their names."""
    deferred = list(SearchDeferredIndex.objects.order_by("name"))
    if not deferred:
        return []
    # The GIN first: it takes longest, and the B-trees share the other builder meanwhile.
    deferred.sort(key=lambda index: " USING gin " not in index.definition)
    with ThreadPoolExecutor(BUILDERS) as pool:
        list(pool.map(_build, [index.definition for index in deferred]))
    SearchDeferredIndex.objects.filter(pk__in=[index.pk for index in deferred]).delete()
    return [index.name for index in deferred]


@contextmanager
def deferred() -> Iterator[None]:
    """Load the (empty) index tables without their secondary indexes, then build them. Outside a transaction:
    the builders are other connections and must see the loaded rows."""
    assert not connection.in_atomic_block, "indexes are built on other connections: load outside a transaction"
    _drop()
    try:
        yield
    finally:
        restore()
