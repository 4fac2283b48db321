"""Fixtures of the page tests: a published transfer listing of the 杭州 holder, clients signed in as personas."""

from decimal import Decimal

import pytest
from django.test import Client

from market.models import ListingMode, ListingState
from market.transfers import services as deals
from tests.factories import ListingFactory, PatentFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def chinese(settings):
    """Pages answer in Chinese unless a test switches the language."""
    settings.LANGUAGE_CODE = "zh-hans"


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def as_holder(holder):
    return client_for(holder)


@pytest.fixture
def as_buyer(buyer):
    return client_for(buyer)


@pytest.fixture
def as_staff(staff):
    return client_for(staff)


@pytest.fixture
def as_outsider(outsider):
    return client_for(outsider)


@pytest.fixture
def patent(holder_org):
    return PatentFactory(holders=[holder_org], title="一种高安全性锂电池隔膜及其制备方法",
                         abstract="本发明公开了一种锂电池隔膜，提高了电池的热稳定性。", ipc_codes=["H01M50/403"])


@pytest.fixture
def listing(holder, holder_org, patent):
    return ListingFactory(organisation=holder_org, created_by=holder, title="高安全性锂电池隔膜专利转让",
                          mode=ListingMode.TRANSFER, asking_price=Decimal("1234567.00"), patents=[patent])


@pytest.fixture
def draft_listing(holder, holder_org, patent):
    return ListingFactory(organisation=holder_org, created_by=holder, title="草稿挂牌：锂电池隔膜",
                          state=ListingState.DRAFT, published_at=None, patents=[patent])


@pytest.fixture
def deal(listing, buyer):
    """A deal the buyer opened with an offer of ¥1,000,000.00."""
    return deals.deal_open(listing_id=listing.pk, actor=buyer, price=Decimal("1000000.00"), message="首次报价")
