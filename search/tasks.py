"""Indexing tasks: queued after commit by ``search.indexing``; each is safe to run twice."""

from celery import shared_task

from .backends import get_search_backend


@shared_task(name="search.index_listing")
def index_listing_task(listing_id: int) -> None:
    """Index the listing if it is published, else remove it from the index."""
    get_search_backend().index_listing_ids([listing_id])


@shared_task(name="search.index_listings")
def index_listings_task(listing_ids: list[int]) -> None:
    """``index_listing_task`` for several listings at once (after a patent or organisation changed)."""
    get_search_backend().index_listing_ids(listing_ids)
