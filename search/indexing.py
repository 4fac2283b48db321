"""What writers call when data the index shows has changed: the index follows after commit.

Services call these inside their transaction. Each writes rows of the transactional outbox
(``search.outbox``) in that transaction, and a push runs once it has committed: the index never
shows a change that was rolled back, reads the committed rows, and catches up with every committed
change even when the engine was unreachable at the time.
"""

from django.db.models import Q

from market.models import Listing, ListingState

from .outbox import outbox_record


def listing_changed(listing_id: int) -> None:
    """Queue (re)indexing of a listing after commit: indexed if published, removed otherwise."""
    outbox_record([listing_id])


def _published_listings_changed(condition: Q) -> None:
    outbox_record(Listing.objects.filter(condition, state=ListingState.PUBLISHED)
                  .values_list("pk", flat=True).distinct())


def patent_changed(patent_id: int) -> None:
    """Queue reindexing of the published listings of a patent (title, legal status, holders changed)."""
    _published_listings_changed(Q(patents=patent_id))


def organisation_changed(organisation_id: int) -> None:
    """Queue reindexing of the published listings that show an organisation (its name or city changed)."""
    _published_listings_changed(Q(organisation=organisation_id) | Q(patents__ownerships__organisation=organisation_id))
