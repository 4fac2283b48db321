"""Auction pages: the public page with its live panel and forms, and the staff administration pages."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from market.auctions.models import Auction, AuctionState, Bid, BidderDeposit

from .conftest import bid, deposit, end_now, fresh, make_bidder


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"


def test_everyone_sees_the_live_price_and_end_time_polled_by_htmx(auction, bidders):
    deposit(auction, bidders[0])
    bid(auction, bidders[0], "230000")
    html = client_for().get(f"/auctions/{auction.pk}/").content.decode()
    assert "¥230,000.00" in html and "¥240,000.00" in html  # current price and the next minimum
    assert f'hx-get="/auctions/{auction.pk}/live/"' in html and 'hx-trigger="every 3s"' in html
    assert f'{timezone.localtime(fresh(auction).ends_at):%Y-%m-%d %H:%M:%S}' in html
    assert "登录后参与竞买" in html and bidders[0].organisation.name not in html  # bidders are shown by number

    live = client_for().get(f"/auctions/{auction.pk}/live/")
    assert live.status_code == 200 and live["Cache-Control"] == "no-store"
    assert "¥230,000.00" in live.content.decode() and "<html" not in live.content.decode()
    assert auction.title in client_for().get("/auctions/").content.decode()


def test_a_finished_auction_stops_polling(auction, staff):
    end_now(auction)
    from market.auctions import services as auctions

    auctions.auction_close(auction_id=auction.pk, actor=staff)
    html = client_for().get(f"/auctions/{auction.pk}/live/").content.decode()
    assert "hx-trigger" not in html and "流拍" in html


def test_a_verified_organisation_pays_the_deposit_then_bids_from_the_page(auction, bidders):
    user = bidders[0]
    page = client_for(user)
    html = page.get(f"/auctions/{auction.pk}/").content.decode()
    assert 'data-action="deposit"' in html and 'data-action="bid"' not in html
    key = "page-deposit-1"
    response = page.post(f"/auctions/{auction.pk}/actions/deposit/", {"idempotency_key": key})
    assert response.status_code == 302 and BidderDeposit.objects.get().organisation == user.organisation
    html = page.get(f"/auctions/{auction.pk}/").content.decode()
    assert 'data-action="bid"' in html and "001" in html

    refused = page.post(f"/auctions/{auction.pk}/actions/bid/", {"amount": "100"})
    assert refused.status_code == 409 and "出价须不低于" in refused.content.decode()
    assert page.post(f"/auctions/{auction.pk}/actions/bid/", {"amount": "200000"}).status_code == 302
    assert Bid.objects.get().amount == 200000


def test_the_bid_form_is_not_offered_without_a_deposit_or_verification(auction):
    for user in (make_bidder("未认证公司", verified=False), make_bidder("已认证公司")):
        html = client_for(user).get(f"/auctions/{auction.pk}/").content.decode()
        assert 'data-action="bid"' not in html
    unverified = client_for(make_bidder("另一未认证公司", verified=False))
    assert unverified.post(f"/auctions/{auction.pk}/actions/bid/", {"amount": "200000"}).status_code == 403
    assert not Bid.objects.exists()


@pytest.mark.parametrize("path", ["/staff/auctions/", "/staff/auctions/new/", "/staff/auctions/{pk}/"])
def test_only_staff_reach_the_administration(path, auction, bank_officer, staff):
    url = path.format(pk=auction.pk)
    assert client_for(bank_officer).get(url).status_code == 403
    assert client_for().get(url).status_code == 302  # to the login page
    assert client_for(staff).get(url).status_code == 200


def form_data(lot, creditor, debtor) -> dict:
    start = timezone.localtime() + dt.timedelta(hours=1)
    return {"patents": [p.pk for p in lot], "creditor": creditor.pk, "debtor": debtor.pk,
            "claim_amount": "300000", "reserve_price": "200000", "increment": "10000", "deposit": "20000",
            "starts_at": f"{start:%Y-%m-%dT%H:%M}", "ends_at": f"{start + dt.timedelta(days=1):%Y-%m-%dT%H:%M}"}


def test_staff_create_an_auction_from_the_form(staff, lot, bank_org, holder_org):
    response = client_for(staff).post("/staff/auctions/new/", form_data(lot, bank_org, holder_org))
    auction = Auction.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/auctions/{auction.pk}/"
    assert auction.state == AuctionState.SCHEDULED and auction.creditor == bank_org


def test_the_create_form_refuses_with_field_messages(staff, lot, bank_org, buyer_org):
    response = client_for(staff).post("/staff/auctions/new/", form_data(lot, bank_org, buyer_org))
    assert response.status_code == 400 and "不是登记的专利权人" in response.content.decode()
    assert not Auction.objects.exists()


def test_staff_close_and_confirm_from_the_administration_page(auction, staff, bidders):
    deposit(auction, bidders[0])
    bid(auction, bidders[0], "250000")
    page = client_for(staff)
    html = page.get(f"/staff/auctions/{auction.pk}/").content.decode()
    assert bidders[0].organisation.name in html and 'data-action="close"' in html  # staff see the names
    refused = page.post(f"/staff/auctions/{auction.pk}/actions/close/")
    assert refused.status_code == 409 and "之前不能落槌" in refused.content.decode()
    end_now(auction)
    assert page.post(f"/staff/auctions/{auction.pk}/actions/close/").status_code == 302
    assert fresh(auction).state == AuctionState.AWAITING_PAYMENT
    buyer_page = client_for(bidders[0]).get(f"/auctions/{auction.pk}/").content.decode()
    assert 'data-action="pay"' in buyer_page and "¥230,000.00" in buyer_page  # 250,000 less the 20,000 deposit


def test_the_create_page_starts_from_a_defaulted_loan_when_there_is_one(staff):
    from market.auctions.services import loan_source

    assert loan_source() is not None  # the pledges flow registers the defaulted loans
    assert client_for(staff).get("/staff/auctions/new/?loan=999999").status_code == 404


def test_the_auction_pages_say_who_acts_next_and_by_when(auction, staff, bidders):
    """Open: bidders until the end time; after the hammer: the buyer (贵方 to the buyer itself) by the due date."""
    page = client_for(bidders[1]).get(f"/auctions/{auction.pk}/").content.decode()
    ends = f"{timezone.localtime(auction.ends_at):%Y-%m-%d %H:%M}"
    assert 'id="next-step"' in page and f"至 {ends} 结束" in page
    deposit(auction, bidders[0])
    bid(auction, bidders[0], "250000")
    end_now(auction)
    client_for(staff).post(f"/staff/auctions/{auction.pk}/actions/close/")
    due = f"{timezone.localtime(fresh(auction).payment_due_at):%Y-%m-%d %H:%M}"
    assert f"等待贵方于 {due} 前付清成交价款" in client_for(bidders[0]).get(f"/auctions/{auction.pk}/").content.decode()
    assert f"等待买受人于 {due} 前付清成交价款" in client_for(staff).get(
        f"/staff/auctions/{auction.pk}/").content.decode()
