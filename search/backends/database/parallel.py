"""Indexing every published listing with several processes (``search_reindex --workers``).

Building a listing's entry is CPU work in Python (loading its rows, jieba, bigrams, checksum) and in
the database (tsvector columns, index pages); one process uses one core of each. The listing ids are
cut into ranges of ``chunk_size`` published listings; forked worker processes each index whole ranges
through the backend's ``index_documents`` on their own database connection, one transaction per
range, as the single-process loop does. Measured at 1,000,000 listings on 2 cores: see
``benchmarks/search_bench.py``.
"""

import multiprocessing
import os
from collections.abc import Callable, Iterator

from django.db import connection, connections

from market.models import Listing
from search.backends import get_search_backend
from search.backends.base import forget_debug_queries
from search.documents import documents, published_listings
from search.tokenize import segmenter


def default_workers() -> int:
    """One process per core, plus one: while a process waits for the database, another uses the core
    (measured at 1,000,000 listings on 2 cores: 740 s with 2 processes, 604 s with 3, 695 s with 4; each
    before later speed-ups of the indexing itself)."""
    return (os.cpu_count() or 1) + 1


def id_ranges(chunk_size: int) -> Iterator[tuple[int, int]]:
    """(after, up to) id bounds, each holding ``chunk_size`` published listings (the last fewer)."""
    ids = published_listings().values_list("pk", flat=True).iterator(chunk_size=50_000)
    low, count, last = 0, 0, None
    for last in ids:
        count += 1
        if count == chunk_size:
            yield low, last
            low, count = last, 0
    if count:
        yield low, last


def _start_worker() -> None:
    """A worker's session: its commits need not wait for the disk (a crash loses at most its last ranges,
    which the rerun of a rebuild or ``search_check --fix`` indexes again), and new entries wait in the
    GIN index's pending list until 64 MB of them are merged at once (4 MB by default; searches while the
    rebuild runs read that list too, and its closing VACUUM empties it). Measured at 1,000,000 listings
    with 3 processes on 2 cores: 626 s → 574 s. The merge sorts what ``work_mem`` holds before writing it
    into the index: with 256 MB (the app's sessions have 32 MB) a whole pending list at once, 527 s → 506 s
    into an empty index, and 15 % less WAL."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")
            cursor.execute("SET gin_pending_list_limit TO '64MB'")
            cursor.execute("SET work_mem TO '256MB'")


def _index_range(task: tuple[str, int, int]) -> int:
    name, low, high = task
    found = documents(Listing.objects.filter(pk__gt=low, pk__lte=high))
    get_search_backend(name).index_documents(found)
    forget_debug_queries()
    return len(found)


def index_in_processes(backend_name: str, *, chunk_size: int, workers: int,
                       progress: Callable[[int], None] | None = None) -> int:
    """Index every published listing with ``workers`` forked processes; returns how many were indexed.

    The caller must not be inside a transaction: workers see only committed rows, and the connection is
    closed before forking so that no process shares another's socket.
    """
    segmenter()  # jieba's dictionary loaded once here, inherited by the forked workers
    tasks = [(backend_name, low, high) for low, high in id_ranges(chunk_size)]
    connections.close_all()
    indexed = 0
    with multiprocessing.get_context("fork").Pool(workers, initializer=_start_worker) as pool:
        for count in pool.imap_unordered(_index_range, tasks):
            indexed += count
            if progress:
                progress(count)
    return indexed
