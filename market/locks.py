"""Named row locks, always taken in this order (avoids deadlocks): auction; listing; deal (transfer deal,
open-licence declaration, licence contract, pledge loan); licence; royalty period; pledge filing; escrow.

The core's locks are here; each flow keeps its own in its ``locks`` module, in this same order.
"""

from market.models import (
    Escrow,
    Licence,
    LicenceContract,
    Listing,
    OpenLicenceDeclaration,
    PledgeFiling,
    PledgeLoan,
    RoyaltyPeriod,
)


def listing(listing_id: int) -> Listing:
    return Listing.objects.select_for_update().get(pk=listing_id)


def open_licence_declaration(declaration_id: int) -> OpenLicenceDeclaration:
    return OpenLicenceDeclaration.objects.select_for_update(of=("self",)).select_related("patent", "holder").get(
        pk=declaration_id)


def licence_contract(contract_id: int) -> LicenceContract:
    return LicenceContract.objects.select_for_update(of=("self",)).select_related(
        "patent", "licensor", "licensee").get(pk=contract_id)


def licence(licence_id: int) -> Licence:
    return Licence.objects.select_for_update(of=("self",)).select_related("patent", "licensor", "licensee").get(
        pk=licence_id)


def royalty_period(period_id: int) -> RoyaltyPeriod:
    return RoyaltyPeriod.objects.select_for_update().get(pk=period_id)


def pledge_loan(loan_id: int) -> PledgeLoan:
    """A pledge loan (after an auction that disposes of its patents; before its filings and escrows)."""
    return PledgeLoan.objects.select_for_update(of=("self",)).select_related("applicant", "bank").get(pk=loan_id)


def pledge_filing(filing_id: int) -> PledgeFiling:
    return PledgeFiling.objects.select_for_update().get(pk=filing_id)


def escrow(escrow_id: int) -> Escrow:
    return Escrow.objects.select_for_update().get(pk=escrow_id)
