"""Named row locks, always taken in this order: listing, deal, escrow (avoids deadlocks)."""

from market.models import Escrow, Listing, TransferDeal


def listing(listing_id: int) -> Listing:
    return Listing.objects.select_for_update().get(pk=listing_id)


def transfer_deal(deal_id: int) -> TransferDeal:
    return TransferDeal.objects.select_for_update(of=("self",)).select_related("seller", "buyer", "listing").get(
        pk=deal_id)


def escrow(escrow_id: int) -> Escrow:
    return Escrow.objects.select_for_update().get(pk=escrow_id)
