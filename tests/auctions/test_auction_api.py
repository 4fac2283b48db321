"""The auction API: public reads, staff administration, deposits and bids, refusals as 409 / 403 / 400."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from market.auctions.models import Auction, AuctionState, Bid, BidderDeposit

from .conftest import CLAIM, DEPOSIT, RESERVE, deposit, end_now, fresh


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def terms(lot, creditor, debtor, **extra) -> dict:
    start = timezone.now() + dt.timedelta(hours=1)
    return {"patent_ids": [p.pk for p in lot], "creditor": creditor.pk, "debtor": debtor.pk,
            "claim_amount": str(CLAIM), "reserve_price": str(RESERVE), "increment": "10000.00",
            "deposit": str(DEPOSIT), "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(days=1)).isoformat(), **extra}


def test_staff_open_an_auction_and_anyone_reads_it(staff, lot, bank_org, holder_org):
    response = api(staff).post("/api/v1/auctions/", terms(lot, bank_org, holder_org), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "scheduled" and body["reserve_price"] == "200000.00"
    assert [p["patent_number"] for p in body["patents"]] == [lot[0].patent_number, lot[1].patent_number]
    assert body["allowed_actions"] == ["start", "cancel"]

    public = api().get(f"/api/v1/auctions/{body['id']}/")
    assert public.status_code == 200 and public.json()["allowed_actions"] == []
    assert api().get("/api/v1/auctions/").json()["count"] == 1


def test_a_non_staff_user_cannot_open_an_auction(bank_officer, lot, bank_org, holder_org):
    response = api(bank_officer).post("/api/v1/auctions/", terms(lot, bank_org, holder_org), format="json")
    assert response.status_code == 403 and not Auction.objects.exists()
    assert api().post("/api/v1/auctions/", terms(lot, bank_org, holder_org), format="json").status_code in (401, 403)


def test_bad_input_answers_400_with_field_messages_and_writes_nothing(staff, lot, bank_org, holder_org, buyer_org):
    bad = terms(lot, bank_org, buyer_org, deposit="300000.00", claim_amount="0")
    response = api(staff).post("/api/v1/auctions/", bad, format="json")
    assert response.status_code == 400
    body = response.json()
    assert "claim_amount" in body
    response = api(staff).post("/api/v1/auctions/", terms(lot, bank_org, buyer_org, deposit="300000.00"),
                               format="json")
    body = response.json()
    assert response.status_code == 400 and set(body) == {"patents", "deposit"}
    assert "专利权人" in body["patents"][0] and "registered holder" in body["patents"][0]
    assert not Auction.objects.exists()


def test_a_loan_that_does_not_exist_is_a_field_error(staff):
    response = api(staff).post("/api/v1/auctions/", {"loan": 999999, "increment": "1", "deposit": "1",
                                                     "starts_at": timezone.now().isoformat(),
                                                     "ends_at": (timezone.now() + dt.timedelta(hours=1)).isoformat()},
                               format="json")
    assert response.status_code == 400 and "loan" in response.json()


def test_deposit_then_bid_through_the_api(auction, bidders):
    user = bidders[0]
    client = api(user)
    response = client.post(f"/api/v1/auctions/{auction.pk}/deposit/", HTTP_IDEMPOTENCY_KEY="d-1")
    assert response.status_code == 200 and response.json()["my_deposit"]["paddle"] == "001"
    assert response.json()["allowed_actions"] == ["bid"]
    assert client.post(f"/api/v1/auctions/{auction.pk}/deposit/").status_code == 400  # no key

    refused = client.post(f"/api/v1/auctions/{auction.pk}/bid/", {"amount": "100"}, format="json")
    assert refused.status_code == 409
    assert refused.json()["reasons"][0]["code"] == "bid_too_low"
    assert refused.json()["reasons"][0]["rule"] == "auction"
    accepted = client.post(f"/api/v1/auctions/{auction.pk}/bid/", {"amount": "200000"}, format="json")
    assert accepted.status_code == 200
    assert accepted.json()["current_price"] == "200000.00" and accepted.json()["leading_paddle"] == "001"
    assert accepted.json()["minimum_bid"] == "210000.00"

    bids = api().get(f"/api/v1/auctions/{auction.pk}/bids/").json()
    assert bids == [{"sequence": 1, "paddle": "001", "amount": "200000.00", "at": bids[0]["at"], "bidder": None,
                     "mine": False, "lapsed": False}]


def test_a_verified_organisation_without_deposit_gets_409_and_an_unverified_one_403(auction, bidders):
    from .conftest import make_bidder

    no_deposit = api(bidders[0]).post(f"/api/v1/auctions/{auction.pk}/bid/", {"amount": "200000"}, format="json")
    assert no_deposit.status_code == 409 and no_deposit.json()["reasons"][0]["code"] == "deposit_required"
    unverified = api(make_bidder("未认证公司", verified=False))
    assert unverified.post(f"/api/v1/auctions/{auction.pk}/deposit/", HTTP_IDEMPOTENCY_KEY="x").status_code == 403
    assert not Bid.objects.exists() and not BidderDeposit.objects.exists()


@pytest.mark.parametrize("path", ["close", "start", "confirm_payment", "forfeit", "offer_next"])
def test_staff_actions_answer_403_to_others_and_409_in_the_wrong_state(path, auction, staff, bidders):
    assert api(bidders[0]).post(f"/api/v1/auctions/{auction.pk}/{path}/").status_code == 403
    response = api(staff).post(f"/api/v1/auctions/{auction.pk}/{path}/")
    assert response.status_code == 409
    assert response.json()["reasons"][0]["code"] in ("invalid_state", "auction_not_ended")
    assert fresh(auction).state == AuctionState.OPEN


def test_the_whole_path_through_the_api(auction, staff, bidders, bank_org, holder_org):
    a = bidders[0]
    deposit(auction, a)
    api(a).post(f"/api/v1/auctions/{auction.pk}/bid/", {"amount": "400000"}, format="json")
    end_now(auction)
    closed = api(staff).post(f"/api/v1/auctions/{auction.pk}/close/").json()
    assert closed["state"] == "awaiting_payment" and closed["hammer_price"] == "400000.00"
    assert api(a).get(f"/api/v1/auctions/{auction.pk}/").json()["allowed_actions"] == ["pay"]
    paid = api(a).post(f"/api/v1/auctions/{auction.pk}/pay/", HTTP_IDEMPOTENCY_KEY="pay-1").json()
    assert paid["paid"] is True
    settled = api(staff).post(f"/api/v1/auctions/{auction.pk}/confirm_payment/").json()
    assert settled["state"] == "settled"
    assert (settled["proceeds_to_creditor"], settled["proceeds_to_debtor"]) == ("300000.00", "100000.00")
    timeline = api(a).get(f"/api/v1/auctions/{auction.pk}/timeline/").json()
    assert [row["to_state"] for row in timeline][-3:] == ["awaiting_payment", "awaiting_payment", "settled"]


def test_relist_through_the_api_answers_201_with_the_new_auction(auction, staff):
    end_now(auction)
    api(staff).post(f"/api/v1/auctions/{auction.pk}/close/")
    start = timezone.now() + dt.timedelta(hours=1)
    response = api(staff).post(f"/api/v1/auctions/{auction.pk}/relist/", {
        "reserve_price": "150000", "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=2)).isoformat()}, format="json")
    assert response.status_code == 201
    assert response.json()["relisted_from"] == auction.pk and response.json()["reserve_price"] == "150000.00"
    assert api().get(f"/api/v1/auctions/{auction.pk}/").json()["relisted_as"] == response.json()["id"]


def test_the_confirmation_is_for_its_parties_and_the_announcement_for_everyone_signed_in(
        auction, staff, bidders, bank_officer, holder, outsider):
    from market.models import DocumentKind
    from market.selectors import documents_visible_to

    from .conftest import bid

    winner, loser = bidders[:2]
    deposit(auction, winner), deposit(auction, loser)
    bid(auction, loser, "200000"), bid(auction, winner, "210000")
    end_now(auction)
    api(staff).post(f"/api/v1/auctions/{auction.pk}/close/")
    kinds = {user: set(documents_visible_to(user).filter(deal_type__model="auction").values_list("kind", flat=True))
             for user in (winner, loser, bank_officer, holder, outsider, staff)}
    both = {DocumentKind.AUCTION_ANNOUNCEMENT, DocumentKind.AUCTION_CONFIRMATION}
    assert kinds[winner] == kinds[bank_officer] == kinds[holder] == kinds[staff] == both
    assert kinds[loser] == kinds[outsider] == {DocumentKind.AUCTION_ANNOUNCEMENT}
    listed = api(loser).get(f"/api/v1/auctions/{auction.pk}/documents/").json()
    assert [d["kind"] for d in listed] == [DocumentKind.AUCTION_ANNOUNCEMENT]


def test_the_schema_documents_the_auction_actions(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    for action in ("deposit", "bid", "close", "pay", "confirm_payment", "forfeit", "offer_next", "fail", "cancel",
                   "relist", "start"):
        assert f"/api/v1/auctions/{{id}}/{action}/" in paths, action
    assert "AuctionStateEnum" in schema["components"]["schemas"]
