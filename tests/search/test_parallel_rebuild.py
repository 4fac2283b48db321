"""Writers in other processes and threads: search_reindex --workers indexes what one process indexes; writers
racing on the same listings leave the facet cells exact."""

import threading

import pytest
from django.db import connection, connections

from market.models import ListingState
from search import facet_cells
from search.backends import SearchQuery, get_search_backend, reset_search_backends
from search.backends.database import deferred_indexes
from search.documents import documents_for, published_listings
from search.models import SearchDeferredIndex, SearchFacetCell, SearchFacetState
from search.parallel import id_ranges

from .conftest import build_catalogue


@pytest.fixture
def committed_catalogue(transactional_db, settings):
    """The catalogue committed (workers are other processes: they see committed rows only), index empty."""
    settings.SEARCH_BACKEND = "database"
    reset_search_backends()
    catalogue = build_catalogue()
    get_search_backend().clear()
    yield catalogue
    reset_search_backends()


def test_ranges_cover_every_published_listing_once(committed_catalogue):
    ranges = list(id_ranges(4))
    published = list(published_listings().values_list("pk", flat=True))
    covered = [pk for low, high in ranges for pk in published if low < pk <= high]
    assert covered == published
    assert [sum(low < pk <= high for pk in published) for low, high in ranges] == [4] * 8 + [3]  # 35 listings


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel indexing runs on PostgreSQL only")
def test_workers_index_what_one_process_indexes(committed_catalogue):
    backend = get_search_backend()
    progress = []
    result = backend.rebuild(chunk_size=4, workers=2, progress=progress.append)
    assert (result.indexed, result.removed, sum(progress), len(progress)) == (35, 0, 35, 9)
    expected = {d.listing_id: d.checksum for d in documents_for(published_listings())}
    assert backend.indexed_checksums() == expected  # every published listing, from current data
    assert not set(expected) & {listing.pk for listing in committed_catalogue.hidden}
    assert backend.search(SearchQuery(text="锂电池")).total > 0


def test_without_postgresql_or_inside_a_transaction_one_process_indexes(committed_catalogue, django_db_blocker):
    from django.db import transaction

    backend = get_search_backend()
    with transaction.atomic():  # workers could not see this transaction's rows: indexed here instead
        listing = committed_catalogue.listings[0]
        type(listing).objects.filter(pk=listing.pk).update(state=ListingState.WITHDRAWN)
        result = backend.rebuild(chunk_size=4, workers=2)
    assert (result.indexed, result.removed) == (34, 0)
    assert listing.pk not in backend.indexed_checksums()


def write_at_once(backend, batches) -> list[Exception]:
    """Index each batch in its own thread (its own connection), all starting together; the errors raised."""
    barrier, errors = threading.Barrier(len(batches)), []

    def write(batch):
        try:
            barrier.wait()
            backend.index_documents(batch)
        except Exception as exc:  # reported to the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def cells() -> dict[tuple, int]:
    return {tuple(getattr(c, name) for name in facet_cells.CELL_COLUMNS): c.count
            for c in SearchFacetCell.objects.all() if c.count}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers run on PostgreSQL")
def test_writers_racing_on_the_same_listings_leave_the_facet_cells_exact(committed_catalogue):
    backend = get_search_backend()
    documents = documents_for(published_listings())
    # Overlapping batches written by four threads at once; the first round creates the entries.
    batches = [documents[:25], documents[10:], documents[5:30], documents]
    for _ in range(2):
        assert write_at_once(backend, batches) == []
        counted = cells()
        assert sum(counted.values()) == 35
        facet_cells.refresh(force=True)
        assert cells() == counted


def index_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = ANY(%s)", [list(deferred_indexes.TABLES)])
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="secondary indexes are deferred on PostgreSQL only")
def test_a_rebuild_into_the_empty_index_builds_the_secondary_indexes_after_the_load(committed_catalogue):
    backend = get_search_backend()
    before = index_names()
    during = []

    def progress(count):  # called between ranges, while the load runs
        during.append((index_names(), SearchFacetState.objects.get().day))

    backend.rebuild(chunk_size=10, workers=2, progress=progress)
    dropped = {"search_searchentry_vector", "search_entry_facets", "search_entry_newest", "search_suggestion_key",
               "search_term_lookup"}
    assert all(names.isdisjoint(dropped) for names, _ in during)
    # The writers' own lookups stay: entry keys, the term rows' unique key, the suggestions' entry index.
    assert all({"search_searchentry_pkey", "search_term_unique"} <= names for names, _ in during)
    assert {day for _, day in during} == {None}  # no facet cells while loading: searches count live
    assert index_names() == before and not SearchDeferredIndex.objects.exists()
    assert dropped <= before
    counted = cells()
    assert sum(counted.values()) == 35
    searches = [SearchQuery(text="锂电池"), SearchQuery(text="电池", sort="newest"), SearchQuery(mode=("transfer",))]
    loaded = [backend.search(query) for query in searches]
    assert loaded[0].total > 0
    backend.rebuild(chunk_size=10, workers=2)  # in place, over the built indexes: the same answers
    assert [backend.search(query) for query in searches] == loaded
    assert cells() == counted


@pytest.mark.skipif(connection.vendor != "postgresql", reason="secondary indexes are deferred on PostgreSQL only")
def test_an_interrupted_load_loses_no_index(committed_catalogue):
    backend = get_search_backend()
    before = index_names()

    def fail(count):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        backend.rebuild(chunk_size=10, workers=2, progress=fail)
    assert index_names() == before  # built again on the way out
    # A process killed mid-load cannot build them on its way out: the next rebuild does, first.
    deferred_indexes._drop()
    assert len(index_names()) < len(before) and SearchDeferredIndex.objects.exists()
    backend.rebuild(chunk_size=10, workers=2)
    assert index_names() == before and not SearchDeferredIndex.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="secondary indexes are deferred on PostgreSQL only")
def test_a_rebuild_over_entries_keeps_the_indexes_and_the_cells(committed_catalogue):
    backend = get_search_backend()
    backend.rebuild(chunk_size=10, workers=2)
    before, during = index_names(), []
    backend.rebuild(chunk_size=10, workers=2,
                    progress=lambda count: during.append((index_names(), SearchFacetState.objects.get().day)))
    assert {frozenset(names) for names, _ in during} == {frozenset(before)}
    assert None not in {day for _, day in during}  # searches keep counting from the cells
