"""The deal page: who may see it, its parts, and every action through the POST views."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from market.documents.issue import document_render
from market.models import Document, DocumentState, Escrow, EscrowState, PatentOwner
from market.services.ledger import ledger_problems
from market.transfers import services as deals
from market.transfers.models import DealState, TransferDeal
from tests.factories import pledge
from tests.frontend.conftest import client_for


def page(deal):
    return reverse("frontend:deal_detail", args=[deal.pk])


def act(deal, action):
    return reverse("frontend:deal_action", args=[deal.pk, action])


def idempotency_key(html: str, action: str) -> str:
    form = html.split(f'/actions/{action}/"', 1)[1]
    return re.search(r'name="idempotency_key" value="([^"]+)"', form).group(1)


def test_it_is_not_found_for_an_outsider(deal, as_outsider):
    assert as_outsider.get(page(deal)).status_code == 404
    assert as_outsider.post(act(deal, "accept")).status_code == 404
    assert TransferDeal.objects.get().state == DealState.NEGOTIATING


def test_anonymous_visitors_are_sent_to_sign_in(deal, client):
    response = client.get(page(deal))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("frontend:login"))


@pytest.mark.parametrize("who", ["seller", "buyer", "staff"])
def test_parties_and_staff_see_it(who, deal, holder, buyer, staff):
    response = client_for({"seller": holder, "buyer": buyer, "staff": staff}[who]).get(page(deal))

    assert response.status_code == 200
    html = response.content.decode()
    assert deal.number in html
    assert "杭州锂能新材料有限公司" in html and "宁波甬江电池科技有限公司" in html
    assert "议价" in html and "托管付款" in html and "提交变更登记" in html and "完成" in html
    assert "公示" not in html  # an enterprise seller needs no publicity step
    assert "¥1,000,000.00" in html and "首次报价" in html


def test_a_pledgee_sees_it_and_can_consent_per_patent(deal, patent, bank_org, bank_officer):
    pledge(patent, bank_org)
    bank = client_for(bank_officer)

    html = bank.get(page(deal)).content.decode()
    assert "需取得的同意" in html and "中国工商银行杭州分行" in html and "待同意" in html
    response = bank.post(act(deal, "consent"), {"patent_id": patent.pk})

    assert response.status_code == 302
    assert "已同意" in bank.get(page(deal)).content.decode()
    assert "出具同意" not in bank.get(page(deal)).content.decode()


def test_the_current_step_and_the_actions_of_each_side(deal, as_holder, as_buyer):
    seller_html = as_holder.get(page(deal)).content.decode()
    buyer_html = as_buyer.get(page(deal)).content.decode()

    assert re.search(r'class="step current" aria-current="step"><span class="dot">1</span><span class="step-label">议价',
                     seller_html)
    assert 'data-action="accept"' in seller_html and 'data-action="counter"' in seller_html
    assert 'data-action="accept"' not in buyer_html  # the buyer made the latest offer
    assert 'data-action="cancel"' in buyer_html


def test_full_transfer_through_the_pages(listing, patent, holder_org, buyer_org, as_holder, as_buyer, as_staff,
                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_buyer.post(reverse("frontend:listing_offer", args=[listing.pk]), {"price": "900000"})
        deal = TransferDeal.objects.get()
        assert response["Location"] == page(deal)
        assert as_holder.post(act(deal, "counter"), {"price": "1100000", "message": "还价"}).status_code == 302
        assert as_buyer.post(act(deal, "accept")).status_code == 302
        assert as_holder.post(act(deal, "sign")).status_code == 302
        assert as_buyer.post(act(deal, "sign")).status_code == 302
        deal = TransferDeal.objects.get(pk=deal.pk)
        assert (deal.state, deal.price) == (DealState.SIGNED, Decimal("1100000.00"))

        key = idempotency_key(as_buyer.get(page(deal)).content.decode(), "pay")
        first = as_buyer.post(act(deal, "pay"), {"idempotency_key": key})
        replay = as_buyer.post(act(deal, "pay"), {"idempotency_key": key})
        assert first.status_code == replay.status_code == 302
        escrow = Escrow.objects.get()
        assert (escrow.amount, escrow.state) == (Decimal("1100000.00"), EscrowState.HELD)
        assert ledger_problems() == []

        assert as_holder.post(act(deal, "file_registration")).status_code == 302
        fee_key = idempotency_key(as_buyer.get(page(deal)).content.decode(), "pay_registration_fee")
        assert as_buyer.post(act(deal, "pay_registration_fee"), {"idempotency_key": fee_key}).status_code == 302
        assert as_staff.post(act(deal, "register"), {"registration_number": ""}).status_code == 302
        release_key = idempotency_key(as_staff.get(page(deal)).content.decode(), "release")
        assert as_staff.post(act(deal, "release"), {"idempotency_key": release_key}).status_code == 302

    deal = TransferDeal.objects.get(pk=deal.pk)
    assert deal.state == DealState.CLOSED
    assert list(PatentOwner.objects.filter(patent=patent).values_list("organisation", flat=True)) == [buyer_org.pk]
    assert Escrow.objects.get().state == EscrowState.RELEASED
    assert ledger_problems() == []
    assert "已鉴证，托管价款已放款，交易完成。" in as_staff.get(page(deal)).content.decode()
    html = as_buyer.get(page(deal)).content.decode()
    assert html.count('class="step done"') == 7
    assert "变更登记号" in html and deal.registration_number in html
    documents = Document.objects.for_deal(deal)
    assert sorted(d.kind for d in documents) == ["change_request", "deal_certificate", "transfer_contract"]
    assert {d.state for d in documents} == {DocumentState.ISSUED}
    for document in documents:
        assert reverse("market:document_download", args=[document.number]) in html
        assert reverse("market:verify", args=[document.number]) in html
    timeline = html.split("办理记录", 1)[1]
    assert "议价中 → 已达成一致" in timeline and "已登记 → 已完成" in timeline


def test_a_replayed_pay_post_pays_once(deal, holder, buyer, as_buyer, staff):
    deals.deal_accept(deal_id=deal.pk, actor=holder)
    deals.deal_sign(deal_id=deal.pk, actor=holder)
    deals.deal_sign(deal_id=deal.pk, actor=buyer)
    key = idempotency_key(as_buyer.get(page(deal)).content.decode(), "pay")

    for _ in range(3):
        assert as_buyer.post(act(deal, "pay"), {"idempotency_key": key}).status_code == 302

    assert Escrow.objects.count() == 1
    assert ledger_problems() == []


def test_each_rendering_of_the_pay_form_has_a_new_key(deal, holder, buyer, as_buyer):
    deals.deal_accept(deal_id=deal.pk, actor=holder)
    deals.deal_sign(deal_id=deal.pk, actor=holder)
    deals.deal_sign(deal_id=deal.pk, actor=buyer)

    first = idempotency_key(as_buyer.get(page(deal)).content.decode(), "pay")
    second = idempotency_key(as_buyer.get(page(deal)).content.decode(), "pay")

    assert first != second


def test_a_refused_action_shows_every_reason_with_its_rule(deal, holder, buyer, as_holder, patent):
    deals.deal_accept(deal_id=deal.pk, actor=holder)
    patent.annual_fee_overdue = True
    patent.save()

    response = as_holder.post(act(deal, "sign"))

    assert response.status_code == 409
    html = response.content.decode()
    box = html.split('class="violation"', 1)[1].split("</div>", 1)[0]
    assert "专利年费未缴纳" in box and ">transfer</span>" in box
    deal = TransferDeal.objects.get(pk=deal.pk)
    assert deal.seller_signed_at is None


def test_accepting_ones_own_offer_is_refused_with_the_reason(deal, as_buyer):
    response = as_buyer.post(act(deal, "accept"))

    assert response.status_code == 409
    assert "不能接受本方的报价" in response.content.decode()
    assert TransferDeal.objects.get().state == DealState.NEGOTIATING


def test_a_forbidden_action_shows_the_403_page(deal, holder, buyer, as_holder):
    deals.deal_accept(deal_id=deal.pk, actor=holder)
    deals.deal_sign(deal_id=deal.pk, actor=holder)
    deals.deal_sign(deal_id=deal.pk, actor=buyer)

    response = as_holder.post(act(deal, "pay"), {"idempotency_key": "k-1"})

    assert response.status_code == 403
    assert "只有受让方可以付款" in response.content.decode()
    assert not Escrow.objects.exists()


def test_staff_only_actions_are_forbidden_to_the_parties(deal, as_buyer):
    response = as_buyer.post(act(deal, "register"), {"registration_number": ""})

    assert response.status_code == 403
    assert "只有交易中心工作人员可以执行此操作" in response.content.decode()


def test_cancel_needs_a_reason_and_then_cancels(deal, as_buyer):
    assert as_buyer.post(act(deal, "cancel"), {"reason": ""}).status_code == 400
    assert TransferDeal.objects.get().state == DealState.NEGOTIATING

    assert as_buyer.post(act(deal, "cancel"), {"reason": "预算调整"}).status_code == 302

    html = as_buyer.get(page(deal)).content.decode()
    assert TransferDeal.objects.get().state == DealState.CANCELLED
    assert "交易已取消" in html and "预算调整" in html


def test_a_counter_offer_with_a_bad_price_keeps_the_form_error(deal, as_holder):
    response = as_holder.post(act(deal, "counter"), {"price": "abc"})

    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert deal.offers.count() == 1


def test_an_unknown_action_is_not_found(deal, as_buyer):
    assert as_buyer.post(act(deal, "steal")).status_code == 404


def test_publicity_step_and_objection_for_a_public_university(listing, holder_org, holder, buyer, outsider):
    holder_org.kind = "university"
    holder_org.is_public_institution = True
    holder_org.save()
    deal = deals.deal_open(listing_id=listing.pk, actor=buyer, price=Decimal("1000000.00"))
    deals.deal_accept(deal_id=deal.pk, actor=holder)
    seller = client_for(holder)

    html = seller.get(page(deal)).content.decode()
    assert "公示" in html and "公示截止" in html and 'data-action="object"' in html
    assert seller.post(act(deal, "object"), {"text": "价格明显偏低"}).status_code == 302
    assert "价格明显偏低" in seller.get(page(deal)).content.decode()


def test_documents_poll_while_rendering_and_link_when_issued(deal, holder, buyer, as_buyer,
                                                             django_capture_on_commit_callbacks):
    deals.deal_accept(deal_id=deal.pk, actor=holder)
    deals.deal_sign(deal_id=deal.pk, actor=holder)
    with django_capture_on_commit_callbacks(execute=False):
        deals.deal_sign(deal_id=deal.pk, actor=buyer)  # the contract is requested, not rendered yet
    document = Document.objects.get()
    fragment_url = reverse("frontend:deal_documents", args=[deal.pk])

    pending = as_buyer.get(fragment_url).content.decode()
    assert "生成中" in pending and 'hx-trigger="every 2s"' in pending and fragment_url in pending

    document_render(document_id=document.pk)
    issued = as_buyer.get(fragment_url).content.decode()
    assert "every 2s" not in issued
    assert reverse("market:document_download", args=[document.number]) in issued
    assert "专利权转让合同" in issued and "已签发" in issued


def test_a_pledgee_sees_the_documents_but_gets_no_download_link(deal, holder, buyer, patent, bank_org, bank_officer):
    pledge(patent, bank_org)
    deals.deal_consent(deal_id=deal.pk, actor=bank_officer, patent_id=patent.pk)
    deals.deal_accept(deal_id=deal.pk, actor=holder)
    deals.deal_sign(deal_id=deal.pk, actor=holder)
    deals.deal_sign(deal_id=deal.pk, actor=buyer)

    bank_html = client_for(bank_officer).get(page(deal)).content.decode()
    buyer_html = client_for(buyer).get(page(deal)).content.decode()

    assert "专利权转让合同" in bank_html and "/download/" not in bank_html
    assert "专利权转让合同" in buyer_html


def test_documents_fragment_is_not_found_for_an_outsider(deal, as_outsider):
    assert as_outsider.get(reverse("frontend:deal_documents", args=[deal.pk])).status_code == 404


def test_a_foreign_buyer_files_with_the_export_registration_number(listing, holder, buyer, buyer_org, as_buyer):
    buyer_org.is_foreign = True
    buyer_org.save()
    deal = deals.deal_open(listing_id=listing.pk, actor=buyer, price=Decimal("1000000.00"))
    deals.deal_accept(deal_id=deal.pk, actor=holder)
    deals.deal_sign(deal_id=deal.pk, actor=holder)
    deals.deal_sign(deal_id=deal.pk, actor=buyer)
    deals.deal_pay(deal_id=deal.pk, actor=buyer, idempotency_key="pay-foreign")
    assert 'name="export_registration_number"' in as_buyer.get(page(deal)).content.decode()

    refused = as_buyer.post(act(deal, "file_registration"), {"export_registration_number": ""})
    assert refused.status_code == 409
    assert "向境外转让专利须先办理技术出口登记" in refused.content.decode()
    assert TransferDeal.objects.get().state == DealState.PAID

    assert as_buyer.post(act(deal, "file_registration"),
                         {"export_registration_number": "2026330000JCK001"}).status_code == 302
    filed = TransferDeal.objects.get()
    assert (filed.state, filed.export_registration_number) == (DealState.FILED, "2026330000JCK001")


def test_a_domestic_buyer_is_not_asked_for_an_export_registration(deal, holder, buyer, as_buyer):
    deals.deal_accept(deal_id=deal.pk, actor=holder)
    deals.deal_sign(deal_id=deal.pk, actor=holder)
    deals.deal_sign(deal_id=deal.pk, actor=buyer)
    deals.deal_pay(deal_id=deal.pk, actor=buyer, idempotency_key="pay-domestic")

    html = as_buyer.get(page(deal)).content.decode()

    assert 'data-action="file_registration"' in html and "export_registration_number" not in html
