"""My workspace: listings of my organisation (create, submit, withdraw) and my deals."""

from decimal import Decimal

from django.urls import reverse

from market.models import Listing, ListingState
from market.transfers import services as deals
from tests.factories import PatentFactory

WORKSPACE = "/me/"


def test_it_needs_sign_in(client):
    response = client.get(WORKSPACE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("frontend:login"))


def test_it_lists_my_listings_in_any_state_and_my_deals(listing, draft_listing, as_holder, buyer):
    deal = deals.deal_open(listing_id=listing.pk, actor=buyer, price=Decimal("1000"))

    html = as_holder.get(WORKSPACE).content.decode()

    assert "高安全性锂电池隔膜专利转让" in html and "草稿挂牌：锂电池隔膜" in html
    assert "已发布" in html and "草稿" in html
    seller_part = html.split("作为转让方", 1)[1]
    assert deal.number in seller_part and "宁波甬江电池科技有限公司" in seller_part and "议价中" in seller_part


def test_the_create_form_offers_only_my_organisations_patents(patent, as_holder):
    other = PatentFactory(title="别人的专利：一种电机控制方法")

    html = as_holder.get(WORKSPACE).content.decode()

    assert patent.title in html
    assert other.title not in html


def test_create_then_submit_then_withdraw(patent, as_holder, holder_org):
    response = as_holder.post(reverse("frontend:listing_create"), {
        "title": "锂电池隔膜专利包", "mode": "transfer", "patent_ids": [patent.pk], "asking_price": "",
        "description": "含2项专利"})

    assert response.status_code == 302
    listing = Listing.objects.get()
    assert (listing.organisation, listing.state, listing.asking_price) == (holder_org, ListingState.DRAFT, None)
    assert "面议" in as_holder.get(WORKSPACE).content.decode()

    assert as_holder.post(reverse("frontend:listing_submit", args=[listing.pk])).status_code == 302
    listing = Listing.objects.get(pk=listing.pk)
    assert listing.state == ListingState.SUBMITTED
    assert "已提交审核" in as_holder.get(WORKSPACE).content.decode()

    assert as_holder.post(reverse("frontend:listing_withdraw", args=[listing.pk])).status_code == 302
    listing = Listing.objects.get(pk=listing.pk)
    assert listing.state == ListingState.WITHDRAWN


def test_create_with_a_price_and_without_patents(patent, as_holder):
    missing = as_holder.post(reverse("frontend:listing_create"), {"title": "无专利", "mode": "transfer"})
    assert missing.status_code == 400
    assert not Listing.objects.exists()

    as_holder.post(reverse("frontend:listing_create"), {
        "title": "有价格", "mode": "licence", "patent_ids": [patent.pk], "asking_price": "88000.5"})
    assert Listing.objects.get().asking_price == Decimal("88000.50")


def test_a_refused_submission_shows_the_rule_reason(draft_listing, patent, as_holder):
    patent.legal_status = "lapsed"
    patent.save()

    response = as_holder.post(reverse("frontend:listing_submit", args=[draft_listing.pk]))

    assert response.status_code == 409
    assert "专利权因未缴年费终止" in response.content.decode()
    draft_listing = Listing.objects.get(pk=draft_listing.pk)
    assert draft_listing.state == ListingState.DRAFT


def test_others_listings_cannot_be_submitted_or_withdrawn(draft_listing, as_outsider):
    assert as_outsider.post(reverse("frontend:listing_submit", args=[draft_listing.pk])).status_code == 404
    assert as_outsider.post(reverse("frontend:listing_withdraw", args=[draft_listing.pk])).status_code == 404
    draft_listing = Listing.objects.get(pk=draft_listing.pk)
    assert draft_listing.state == ListingState.DRAFT
