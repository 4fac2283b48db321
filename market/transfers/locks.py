"""The transfer deal's row lock (a deal, in the global order of market/locks.py: after the listing)."""

from .models import TransferDeal


def transfer_deal(deal_id: int) -> TransferDeal:
    return TransferDeal.objects.select_for_update(of=("self",)).select_related("seller", "buyer", "listing").get(
        pk=deal_id)
