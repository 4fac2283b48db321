"""Valuation personas and builders: a valuation agency, closed transfer deals as comparables."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from market.models import OrganisationKind
from market.transfers.models import DealState, TransferDeal

from ..factories import ListingFactory, OrganisationFactory, PatentFactory, UserFactory


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def agency_org(db):
    return OrganisationFactory(name="之江资产评估有限公司", kind=OrganisationKind.VALUATION_AGENCY)


@pytest.fixture
def agency(agency_org):
    return UserFactory(username="appraiser", organisation=agency_org, display_name="胡评估师")


@pytest.fixture
def patent(holder_org):
    """An invention in force held by the 杭州 holder: H01M (new materials), filed 2019-03-01."""
    return PatentFactory(holders=[holder_org], title="一种锂电池隔膜及其制备方法", claims_count=10, independent_claims=2,
                         inventors="张三；李四；王五")


def closed_deal(*, patents, price, closed_on: dt.date | None = None) -> TransferDeal:
    """A transfer deal of ``patents`` closed at ``price`` (written through the ORM, as the register has it)."""
    listing = ListingFactory(patents=patents)
    buyer = OrganisationFactory()
    closed_at = timezone.make_aware(dt.datetime.combine(closed_on or timezone.localdate(), dt.time(10)))
    deal = TransferDeal(listing=listing, seller=listing.organisation, buyer=buyer, state=DealState.CLOSED,
                        price=Decimal(price), created_by=listing.created_by, closed_at=closed_at)
    deal.save()
    deal.patents.set(patents)
    return deal


def comparable_patent(ipc: str, **fields):
    return PatentFactory(ipc_codes=[ipc], **fields)
