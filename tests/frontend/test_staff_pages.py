"""Staff pages: the review queue and the deals awaiting registration or release."""

from decimal import Decimal

import pytest
from django.urls import reverse

from market.models import Listing, ListingState
from market.transfers import services as deals
from tests.frontend.conftest import client_for

QUEUE = "/staff/listings/"


@pytest.fixture
def submitted(draft_listing, holder):
    from market.services.listings import listing_submit

    return listing_submit(listing_id=draft_listing.pk, actor=holder)


@pytest.mark.parametrize("who", ["holder", "buyer", "outsider", "bank_officer"])
def test_staff_pages_are_forbidden_to_others(who, request, submitted):
    user = request.getfixturevalue(who)
    client = client_for(user)

    assert client.get(QUEUE).status_code == 403
    assert client.post(reverse("frontend:staff_listing_publish", args=[submitted.pk])).status_code == 403
    assert client.post(reverse("frontend:staff_listing_reject", args=[submitted.pk]), {"reason": "x"}).status_code == 403
    submitted = Listing.objects.get(pk=submitted.pk)
    assert submitted.state == ListingState.SUBMITTED


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get(QUEUE)["Location"].startswith(reverse("frontend:login"))


def test_the_queue_shows_submitted_listings_and_publish_publishes(submitted, as_staff,
                                                                  django_capture_on_commit_callbacks):
    html = as_staff.get(QUEUE).content.decode()
    assert "草稿挂牌：锂电池隔膜" in html and "杭州锂能新材料有限公司" in html

    with django_capture_on_commit_callbacks(execute=True):
        response = as_staff.post(reverse("frontend:staff_listing_publish", args=[submitted.pk]))

    assert response.status_code == 302
    submitted = Listing.objects.get(pk=submitted.pk)
    assert submitted.state == ListingState.PUBLISHED
    assert "没有待审核的挂牌" in as_staff.get(QUEUE).content.decode()


def test_reject_needs_a_reason(submitted, as_staff):
    response = as_staff.post(reverse("frontend:staff_listing_reject", args=[submitted.pk]), {"reason": ""})

    assert response.status_code == 400
    submitted = Listing.objects.get(pk=submitted.pk)
    assert submitted.state == ListingState.SUBMITTED

    as_staff.post(reverse("frontend:staff_listing_reject", args=[submitted.pk]), {"reason": "专利权属证明不全"})
    submitted = Listing.objects.get(pk=submitted.pk)
    assert (submitted.state, submitted.rejection_reason) == (ListingState.REJECTED, "专利权属证明不全")


def test_deals_awaiting_registration_and_release(listing, holder, buyer, staff, as_staff,
                                                 django_capture_on_commit_callbacks):
    deal = deals.deal_open(listing_id=listing.pk, actor=buyer, price=Decimal("500000"))
    with django_capture_on_commit_callbacks(execute=True):
        deals.deal_accept(deal_id=deal.pk, actor=holder)
        deals.deal_sign(deal_id=deal.pk, actor=holder)
        deals.deal_sign(deal_id=deal.pk, actor=buyer)
        deals.deal_pay(deal_id=deal.pk, actor=buyer, idempotency_key="pay-1")
        deals.deal_file_registration(deal_id=deal.pk, actor=holder)
    deals.deal_pay_registration_fee(deal_id=deal.pk, actor=buyer, idempotency_key="fee-1")

    html = as_staff.get(QUEUE).content.decode()
    filed_part = html.split('id="awaiting-registration"', 1)[1].split('id="awaiting-release"', 1)[0]
    assert deal.number in filed_part and "登记费已缴" in filed_part

    response = as_staff.post(reverse("frontend:deal_action", args=[deal.pk, "register"]), {"next": QUEUE})
    assert response["Location"] == QUEUE
    release_part = as_staff.get(QUEUE).content.decode().split('id="awaiting-release"', 1)[1]
    assert deal.number in release_part
