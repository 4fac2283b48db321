"""Drive a mark's licence contract through the real services up to its signature and first payment."""

from decimal import Decimal

from market.licensing.models import LicenceContract, LicenceContractState
from market.licensing.services import licence_contracts as contracts
from market.models import ListingMode
from market.services import listings as listing_services

from ..licences.test_contracts import terms


def publish(holder, staff, marks, mode=ListingMode.TRANSFER, price=Decimal("800000")):
    """A listing of ``marks`` by their holder, submitted and published by staff."""
    listing = listing_services.listing_create(actor=holder, title=f"“{marks[0].mark.mark_text}”商标{mode}",
                                              mode=mode, patent_ids=[m.pk for m in marks], asking_price=price)
    listing_services.listing_submit(listing_id=listing.pk, actor=holder)
    return listing_services.listing_publish(listing_id=listing.pk, actor=staff)


def licence_in_effect(listing, holder, buyer) -> LicenceContract:
    """An ordinary licence agreed, signed by both and its first fee paid: in effect, not yet recorded."""
    contract = contracts.contract_open(listing_id=listing.pk, actor=buyer, **terms())
    contracts.contract_accept(contract_id=contract.pk, actor=holder)
    contracts.contract_sign(contract_id=contract.pk, actor=holder)
    contract = contracts.contract_sign(contract_id=contract.pk, actor=buyer)
    if contract.state == LicenceContractState.SIGNED:
        contract = contracts.contract_pay(contract_id=contract.pk, actor=buyer, idempotency_key=f"pay-{contract.pk}")
    return contract
