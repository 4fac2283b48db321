"""Named row locks, always taken in this order (avoids deadlocks): auction; listing; deal (transfer deal,
open-licence declaration, licence contract, pledge loan); licence; royalty period; pledge filing; escrow.

The core's locks are here; each flow keeps its own in its ``locks`` module, in this same order.
"""

from market.models import Escrow, Listing, PledgeFiling, PledgeLoan


def listing(listing_id: int) -> Listing:
    return Listing.objects.select_for_update().get(pk=listing_id)


def pledge_loan(loan_id: int) -> PledgeLoan:
    """A pledge loan (after an auction that disposes of its patents; before its filings and escrows)."""
    return PledgeLoan.objects.select_for_update(of=("self",)).select_related("applicant", "bank").get(pk=loan_id)


def pledge_filing(filing_id: int) -> PledgeFiling:
    return PledgeFiling.objects.select_for_update().get(pk=filing_id)


def escrow(escrow_id: int) -> Escrow:
    return Escrow.objects.select_for_update().get(pk=escrow_id)
