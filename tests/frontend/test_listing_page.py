"""The listing page: public data, visibility of unpublished listings, and the offer form."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from market.models import EncumbranceKind
from market.transfers.models import DealState, Offer, TransferDeal
from tests.factories import ListingFactory, pledge
from tests.frontend.conftest import client_for


def url(listing):
    return reverse("frontend:listing_detail", args=[listing.pk])


def test_it_shows_the_listing_and_each_patents_public_data(client, listing, patent, bank_org):
    pledge(patent, bank_org, start_date=dt.date(2024, 1, 1), end_date=dt.date(2027, 12, 31))

    response = client.get(url(listing))

    assert response.status_code == 200
    html = response.content.decode()
    assert "高安全性锂电池隔膜专利转让" in html
    assert "¥1,234,567.00" in html
    assert "杭州锂能新材料有限公司" in html and "杭州" in html
    assert f"ZL{patent.application_number}" in html
    assert "发明" in html and "H01M50/403" in html and "新材料" in html
    assert "2019-03-01" in html  # filing date
    assert "2039-02-28" in html  # expiry: 20 years from filing, less one day
    assert "有效" in html  # legal status
    assert "许可 0 · 质押 1 · 纠纷/保全 0" in html
    assert "中国工商银行杭州分行" in html and "2027-12-31" in html


def test_a_listing_without_price_shows_negotiable(client, holder_org, holder):
    listing = ListingFactory(organisation=holder_org, created_by=holder, asking_price=None)

    assert "面议" in client.get(url(listing)).content.decode()


def test_flags_of_the_patent_are_shown(client, listing, patent):
    patent.invalidation_pending = True
    patent.annual_fee_overdue = True
    patent.save()
    patent.encumbrances.create(kind=EncumbranceKind.OWNERSHIP_DISPUTE, beneficiary_name="某某法院")

    html = client.get(url(listing)).content.decode()

    assert "无效宣告请求审查中" in html and "年费滞纳期内" in html and "纠纷/保全 1" in html


@pytest.mark.parametrize("who", ["anonymous", "outsider", "buyer"])
def test_a_draft_is_not_found_for_others(who, draft_listing, outsider, buyer):
    user = {"anonymous": None, "outsider": outsider, "buyer": buyer}[who]

    assert client_for(user).get(url(draft_listing)).status_code == 404


@pytest.mark.parametrize("who", ["owner", "staff"])
def test_a_draft_is_visible_to_its_owner_and_staff(who, draft_listing, holder, staff):
    response = client_for({"owner": holder, "staff": staff}[who]).get(url(draft_listing))

    assert response.status_code == 200
    assert "草稿挂牌：锂电池隔膜" in response.content.decode()


def test_offer_form_is_for_other_verified_organisations_only(listing, as_buyer, as_holder, client, outsider):
    assert "我要报价" in as_buyer.get(url(listing)).content.decode()
    assert "我要报价" not in as_holder.get(url(listing)).content.decode()
    assert "我要报价" not in client.get(url(listing)).content.decode()
    outsider.organisation.verified = False
    outsider.organisation.save()
    assert "我要报价" not in client_for(outsider).get(url(listing)).content.decode()


def test_an_offer_opens_the_deal_and_goes_to_its_page(listing, as_buyer, buyer_org):
    response = as_buyer.post(reverse("frontend:listing_offer", args=[listing.pk]),
                             {"price": "1000000.00", "message": "诚意报价"})

    deal = TransferDeal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("frontend:deal_detail", args=[deal.pk])
    assert (deal.buyer, deal.state) == (buyer_org, DealState.NEGOTIATING)
    assert Offer.objects.get().price == Decimal("1000000.00")
    page = as_buyer.get(response["Location"]).content.decode()
    assert "报价已提交，交易已创建。" in page and "¥1,000,000.00" in page
    # the listing page now links to the open deal instead of offering again
    assert "查看交易" in as_buyer.get(url(listing)).content.decode()


def test_a_refused_offer_shows_the_reason(listing, as_buyer, patent):
    listing.mode = "licence"
    listing.save()

    response = as_buyer.post(reverse("frontend:listing_offer", args=[listing.pk]), {"price": "100"})

    assert response.status_code == 409
    assert "该挂牌未发布或不是转让挂牌" in response.content.decode()
    assert not TransferDeal.objects.exists()


def test_an_invalid_price_is_refused_with_the_form_error(listing, as_buyer):
    response = as_buyer.post(reverse("frontend:listing_offer", args=[listing.pk]), {"price": "-5"})

    assert response.status_code == 400
    assert not TransferDeal.objects.exists()


def test_an_offer_by_an_unverified_organisation_is_forbidden(listing, outsider):
    outsider.organisation.verified = False
    outsider.organisation.save()

    response = client_for(outsider).post(reverse("frontend:listing_offer", args=[listing.pk]), {"price": "100"})

    assert response.status_code == 403
    assert "只有已认证机构可以报价" in response.content.decode()
    assert not TransferDeal.objects.exists()
