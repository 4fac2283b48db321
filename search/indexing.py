"""What writers call when data the index shows has changed: the index follows after commit.

Services call these inside their transaction; the task runs only once the transaction has committed,
so the index never shows a change that was rolled back, and it reads the committed rows.
"""

from django.db import transaction
from django.db.models import Q

from market.models import Listing, ListingState

from .tasks import index_listing_task, index_listings_task


def listing_changed(listing_id: int) -> None:
    """Queue (re)indexing of a listing after commit: indexed if published, removed otherwise."""
    transaction.on_commit(lambda: index_listing_task.delay(listing_id))


def _published_listings_changed(condition: Q) -> None:
    listing_ids = list(Listing.objects.filter(condition, state=ListingState.PUBLISHED)
                       .values_list("pk", flat=True).distinct())
    if listing_ids:
        transaction.on_commit(lambda: index_listings_task.delay(listing_ids))


def patent_changed(patent_id: int) -> None:
    """Queue reindexing of the published listings of a patent (title, legal status, holders changed)."""
    _published_listings_changed(Q(patents=patent_id))


def organisation_changed(organisation_id: int) -> None:
    """Queue reindexing of the published listings that show an organisation (its name or city changed)."""
    _published_listings_changed(Q(organisation=organisation_id) | Q(patents__ownerships__organisation=organisation_id))
