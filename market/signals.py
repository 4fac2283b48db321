"""What the core and the flows announce when something the market shows has changed.

Writers call these inside their transaction; the apps above the core listen (the search writes its
transactional outbox, search/apps.py). The core never calls those apps itself.
"""

from django.dispatch import Signal

# Each is sent with one keyword argument: listing_id or patent_id.
listing_changed_signal = Signal()
patent_changed_signal = Signal()


def listing_changed(listing_id: int) -> None:
    """A listing's state, text, price or patents changed."""
    listing_changed_signal.send(sender=None, listing_id=listing_id)


def patent_changed(patent_id: int) -> None:
    """A patent's facts, holders or encumbrances changed (its listings show them)."""
    patent_changed_signal.send(sender=None, patent_id=patent_id)

