"""Named row locks, always taken in this order (avoids deadlocks): auction; listing; deal (transfer deal,
open-licence declaration, licence contract, pledge loan); licence; royalty period; pledge filing; escrow.

The core's locks are here; each flow keeps its own in its ``locks`` module, in this same order.
"""

from market.models import Escrow, Listing


def listing(listing_id: int) -> Listing:
    return Listing.objects.select_for_update().get(pk=listing_id)


def escrow(escrow_id: int) -> Escrow:
    return Escrow.objects.select_for_update().get(pk=escrow_id)
