"""The auction's row lock (first in the global order of market/locks.py: every bid, deposit and
transition takes it before anything else)."""

from market.auctions.models import Auction


def auction(auction_id: int) -> Auction:
    """An auction (before its deposits' escrows): every bid, deposit and transition takes it first."""
    return Auction.objects.select_for_update().get(pk=auction_id)


def auction_for_bid(auction_id: int) -> Auction:
    """The same lock, reading only what a bid checks and changes (bids are the hot path)."""
    return Auction.objects.select_for_update().only(
        "state", "ends_at", "current_price", "reserve_price", "increment", "leading_bidder", "bid_count",
        "extension_count").get(pk=auction_id)
