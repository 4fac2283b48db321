"""Writers in other processes and threads: search_reindex --workers indexes what one process indexes; writers
racing on the same listings leave the facet cells exact."""

import threading

import pytest
from django.db import connection, connections

from market.models import ListingState
from search.backends import SearchQuery, get_search_backend, reset_search_backends
from search.backends.database import facet_cells
from search.backends.database.parallel import id_ranges
from search.documents import documents_for, published_listings
from search.models import SearchFacetCell

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
