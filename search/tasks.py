"""Indexing tasks: each is safe to run twice. The outbox tasks are queued after commit and by beat."""

from celery import shared_task

from search import outbox

from .backends import get_search_backend
from .backends.database import facet_cells


@shared_task(name="search.outbox_push")
def outbox_push_task() -> int:
    """Push the pending outbox rows to the engine (queued after each commit that wrote some)."""
    return outbox.outbox_push().pushed


@shared_task(name="search.outbox_sweep")
def outbox_sweep_task() -> int:
    """Every minute (beat): push what is still pending, forget old processed rows."""
    return outbox.outbox_sweep().pushed


@shared_task(name="search.index_listing")
def index_listing_task(listing_id: int) -> None:
    """Index the listing if it is published, else remove it from the index."""
    get_search_backend().index_listing_ids([listing_id])


@shared_task(name="search.index_listings")
def index_listings_task(listing_ids: list[int]) -> None:
    """``index_listing_task`` for several listings at once."""
    get_search_backend().index_listing_ids(listing_ids)


@shared_task(name="search.refresh_facet_cells")
def refresh_facet_cells_task() -> bool:
    """Every few minutes (beat): recount the database backend's facet cells once the day has changed
    (remaining years are counted from a day; until recounted, browsing counts over the entries)."""
    if get_search_backend().name != "database":
        return False
    return facet_cells.refresh()
