"""An auction of two patents the 杭州 holder pledged to the bank, and verified bidders with deposits."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from market.auctions import services as auctions
from market.auctions.models import Auction
from market.models import OrganisationKind
from tests.factories import OrganisationFactory, PatentFactory, UserFactory, pledge

CLAIM = Decimal("300000.00")
RESERVE = Decimal("200000.00")
INCREMENT = Decimal("10000.00")
DEPOSIT = Decimal("20000.00")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def lot(holder_org, bank_org):
    """Two granted patents of the holder, each pledged to the bank."""
    patents = [PatentFactory(holders=[holder_org], title=title, ipc_codes=["H01M50/403"])
               for title in ("一种高安全性锂电池隔膜", "一种电池热管理系统")]
    for patent in patents:
        pledge(patent, bank_org, secured_amount=CLAIM, registration_number=f"ZL-ZY-{patent.pk}")
    return patents


def open_auction(staff, lot, creditor, debtor, *, start=None, minutes=60, source=None, **terms) -> Auction:
    """An auction of ``lot`` opened by staff through the service (bidding open now unless ``start`` is later)."""
    now = timezone.now()
    values = {"claim_amount": CLAIM, "reserve_price": RESERVE, "increment": INCREMENT, "deposit": DEPOSIT, **terms}
    return auctions.auction_open(source=source, patents=lot, creditor=creditor, debtor=debtor,
                                 starts_at=start or now - dt.timedelta(minutes=1),
                                 ends_at=(start or now) + dt.timedelta(minutes=minutes), actor=staff, **values)


@pytest.fixture
def auction(staff, lot, bank_org, holder_org):
    return open_auction(staff, lot, bank_org, holder_org)


def fresh(auction: Auction) -> Auction:
    """The auction re-read (the protected FSM field cannot be refreshed in place)."""
    return Auction.objects.get(pk=auction.pk)


def end_now(auction: Auction) -> None:
    """Move the auction's end into the past (the clock is not mocked: the row is)."""
    Auction.objects.filter(pk=auction.pk).update(ends_at=timezone.now() - dt.timedelta(seconds=1))


def make_bidder(name: str, *, verified: bool = True):
    org = OrganisationFactory(name=name, kind=OrganisationKind.ENTERPRISE, verified=verified)
    return UserFactory(organisation=org)


@pytest.fixture
def bidders(db):
    return [make_bidder(name) for name in ("宁波竞买科技有限公司", "温州竞买电子有限公司", "嘉兴竞买材料有限公司")]


def deposit(auction, user):
    return auctions.auction_deposit(auction_id=auction.pk, actor=user, idempotency_key=f"dep-{auction.pk}-{user.pk}")


def bid(auction, user, amount):
    return auctions.auction_bid(auction_id=auction.pk, actor=user, amount=Decimal(amount))
