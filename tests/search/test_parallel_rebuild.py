"""search_reindex --workers: forked processes index ranges of listings; the result equals one process's."""

import pytest
from django.db import connection

from market.models import ListingState
from search.backends import SearchQuery, get_search_backend, reset_search_backends
from search.documents import documents_for, published_listings
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
