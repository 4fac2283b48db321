"""Finished deals and loans with the dates a test names, written straight to the tables the cockpit reads
(the flows that produce them are tested in their own suites; here only what the cockpit counts matters)."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from market.licensing.models import LicenceContract, LicenceContractState, RoyaltyMethod
from market.pledges.models import PledgeLoan, PledgeLoanPatent, PledgeLoanState, RepaymentPlan
from market.transfers.models import DealState, TransferDeal
from tests.factories import ListingFactory, UserFactory


def at(day: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(day + "T10:00"))


def transfer(seller, buyer, patents, price, *, opened, registered=None, filed=None) -> TransferDeal:
    listing = ListingFactory(organisation=seller, patents=patents)
    deal = TransferDeal.objects.create(
        listing=listing, seller=seller, buyer=buyer, price=Decimal(price), created_by=listing.created_by,
        state=DealState.CLOSED if registered else DealState.NEGOTIATING,
        filed_at=at(filed) if filed else None, registered_at=at(registered) if registered else None)
    deal.patents.set(patents)
    TransferDeal.objects.filter(pk=deal.pk).update(created_at=at(opened))
    return deal


def licence(licensor, licensee, patent, *, effective, entry="0", annual="0") -> LicenceContract:
    return LicenceContract.objects.create(
        patent=patent, licensor=licensor, licensee=licensee, created_by=UserFactory(organisation=licensor),
        state=LicenceContractState.RECORDED, royalty_method=RoyaltyMethod.ANNUAL, entry_fee=Decimal(entry),
        annual_fee=Decimal(annual), effective_date=dt.date.fromisoformat(effective),
        start_date=dt.date.fromisoformat(effective), end_date=dt.date.fromisoformat(effective) + dt.timedelta(days=365))


def loan(applicant, bank, patent, asked, *, applied, decided=None, approved=None, registered=None,
         disbursed=None, closed=None, defaulted=None) -> PledgeLoan:
    state = PledgeLoanState.SUBMITTED
    if decided and approved is None:
        state = PledgeLoanState.REJECTED
    elif closed:
        state = PledgeLoanState.RELEASED
    elif disbursed:
        state = PledgeLoanState.DISBURSED
    created = PledgeLoan.objects.create(
        applicant=applicant, bank=bank, amount_requested=Decimal(asked), term_months=12, purpose="流动资金",
        repayment_plan=RepaymentPlan.BULLET, created_by=UserFactory(organisation=applicant), state=state,
        amount=Decimal(approved) if approved else None, decided_at=at(decided) if decided else None,
        registered_at=at(registered) if registered else None,
        disbursed_on=dt.date.fromisoformat(disbursed) if disbursed else None,
        closed_at=at(closed) if closed else None, defaulted_at=at(defaulted) if defaulted else None)
    PledgeLoanPatent.objects.create(loan=created, patent=patent)
    PledgeLoan.objects.filter(pk=created.pk).update(created_at=at(applied))
    return created
