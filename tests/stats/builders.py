"""Finished deals and loans with the dates a test names, written straight to the tables the cockpit reads
(the flows that produce them are tested in their own suites; here only what the cockpit counts matters)."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from market.industries import Industry
from market.licensing.models import LicenceContract, LicenceContractState, RoyaltyMethod
from market.models import OrganisationKind, PatentKind
from market.pledges.models import PledgeLoan, PledgeLoanPatent, PledgeLoanState, RepaymentPlan
from market.regions import City
from market.transfers.models import DealState, TransferDeal
from stats.rollups import rebuild
from tests.factories import ListingFactory, OrganisationFactory, PatentFactory, UserFactory


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


def build_market(holder_org, buyer_org, bank_org):
    """March 2025: two 杭州 transfers and a licence; April: a 宁波 university's transfer; loans of one bank."""
    university = OrganisationFactory(name="宁波工程学院", city=City.NINGBO, kind=OrganisationKind.UNIVERSITY)
    battery = PatentFactory(holders=[holder_org], industry=Industry.NEW_MATERIALS)
    chip = PatentFactory(holders=[holder_org], industry=Industry.DIGITAL_ECONOMY, kind=PatentKind.UTILITY_MODEL)
    drug = PatentFactory(holders=[university], industry=Industry.LIFE_HEALTH)
    transfer(holder_org, buyer_org, [battery, chip], "100000.00", opened="2025-01-10", filed="2025-02-20",
             registered="2025-03-02")
    transfer(holder_org, buyer_org, [chip], "50000.00", opened="2025-02-01", filed="2025-03-01",
             registered="2025-03-11")
    transfer(university, holder_org, [drug], "200000.00", opened="2025-03-01", filed="2025-04-01",
             registered="2025-04-21")
    transfer(university, holder_org, [drug], "999999.00", opened="2025-03-05")  # not registered: not counted
    licence(holder_org, buyer_org, battery, effective="2025-03-20", entry="10000.00", annual="20000.00")
    loan(holder_org, bank_org, battery, "1000000.00", applied="2025-03-03", decided="2025-03-13",
         approved="800000.00", registered="2025-03-23", disbursed="2025-04-01", closed="2025-06-30")
    loan(university, bank_org, drug, "500000.00", applied="2025-03-04", decided="2025-03-20")  # refused
    rebuild()
    return university
