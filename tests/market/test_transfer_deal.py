"""The transfer deal through the services: every transition allowed and refused, the ledger after each path."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from market.models import Consent, EscrowState, LedgerEntry, ListingState, OrganisationKind, PatentOwner, TransitionLog
from market.rules import RuleViolation
from market.services.errors import ActionForbidden, IdempotencyConflict
from market.services.ledger import escrow_balances, external_account, fees_account, ledger_problems
from market.transfers import services as deals
from market.transfers.models import DealState, TransferDeal
from market.transfers.selectors import deal_allowed_actions

from ..factories import ListingFactory, OrganisationFactory, PatentFactory, UserFactory, hold, pledge
from .deal_steps import advance


@pytest.fixture
def listing(holder):
    return ListingFactory(organisation=holder.organisation, created_by=holder, asking_price=Decimal("500000.00"))


@pytest.fixture
def deal(listing, buyer):
    return deals.deal_open(listing_id=listing.pk, actor=buyer, price=Decimal("450000"))


def states(deal):
    return [(row.from_state, row.to_state) for row in TransitionLog.for_object(deal).exclude(from_state="")
            if row.from_state != row.to_state]


@pytest.fixture(autouse=True)
def books_balance(db):
    """After every test of this module, the ledger balances."""
    yield
    assert ledger_problems() == []


def test_full_path_changes_the_holder_only_at_registration_and_pays_the_seller(deal, holder, buyer, staff):
    patent = deal.patents.get()
    advance(deal, to=DealState.FILED, seller=holder, buyer=buyer, staff=staff)
    assert list(patent.ownerships.values_list("organisation", flat=True)) == [holder.organisation_id]
    deal = advance(deal, to=DealState.CLOSED, seller=holder, buyer=buyer, staff=staff)
    assert list(patent.ownerships.values_list("organisation", flat=True)) == [buyer.organisation_id]
    assert deal.price == Decimal("450000.00")
    assert deal.registration_number.startswith("BG")
    assert deal.escrow.state == EscrowState.RELEASED
    assert external_account(holder.organisation).balance() == Decimal("450000.00")
    assert external_account(buyer.organisation).balance() == Decimal("-450200.00")  # price + CNY 200 fee
    assert fees_account().balance() == Decimal("200.00")
    assert deal.listing.state == ListingState.CLOSED
    assert states(deal) == [("negotiating", "agreed"), ("agreed", "signed"), ("signed", "paid"), ("paid", "filed"),
                            ("filed", "registered"), ("registered", "closed")]
    log = TransitionLog.for_object(deal).get(transition="register")
    assert log.actor == staff and log.organisation == staff.organisation and "BG" in log.reason


def test_negotiation_alternates_and_the_accepted_offer_is_the_price(deal, holder, buyer):
    with pytest.raises(RuleViolation, match="等待对方"):
        deals.deal_counter(deal_id=deal.pk, actor=buyer, price="460000")
    with pytest.raises(RuleViolation, match="本方的报价"):
        deals.deal_accept(deal_id=deal.pk, actor=buyer)
    deals.deal_counter(deal_id=deal.pk, actor=holder, price="480000")
    deals.deal_counter(deal_id=deal.pk, actor=buyer, price="470000.50")
    deal = deals.deal_accept(deal_id=deal.pk, actor=holder)
    assert deal.state == DealState.AGREED and deal.price == Decimal("470000.50")
    assert [o.price for o in deal.offers.all()] == [Decimal("450000.00"), Decimal("480000.00"), Decimal("470000.50")]
    with pytest.raises(RuleViolation, match="议价中|Negotiating|agreed"):
        deals.deal_counter(deal_id=deal.pk, actor=buyer, price="1")


def test_outsider_can_do_nothing_on_the_deal(deal, outsider, holder, buyer, staff):
    for call in (lambda: deals.deal_accept(deal_id=deal.pk, actor=outsider),
                 lambda: deals.deal_counter(deal_id=deal.pk, actor=outsider, price="1"),
                 lambda: deals.deal_sign(deal_id=deal.pk, actor=outsider),
                 lambda: deals.deal_cancel(deal_id=deal.pk, actor=outsider, reason="x")):
        with pytest.raises(ActionForbidden):
            call()
    with pytest.raises(ActionForbidden):
        deals.deal_register(deal_id=deal.pk, actor=holder)
    deal.refresh_from_db()
    assert deal.state == DealState.NEGOTIATING


@pytest.mark.parametrize("price", ["0", "-5", "abc"])
def test_bad_price_is_a_field_error(listing, buyer, price):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as err:
        deals.deal_open(listing_id=listing.pk, actor=buyer, price=price)
    assert "price" in err.value.message_dict
    assert not TransferDeal.objects.exists()


def test_cannot_offer_on_own_or_unpublished_listing(listing, holder, buyer):
    with pytest.raises(ActionForbidden):
        deals.deal_open(listing_id=listing.pk, actor=holder, price="1")
    draft = ListingFactory(state=ListingState.DRAFT, published_at=None)
    with pytest.raises(RuleViolation, match="未发布"):
        deals.deal_open(listing_id=draft.pk, actor=buyer, price="1")


def test_unverified_organisation_may_not_offer(listing):
    unverified = UserFactory(organisation=OrganisationFactory(verified=False))
    with pytest.raises(ActionForbidden, match="认证"):
        deals.deal_open(listing_id=listing.pk, actor=unverified, price="1")


def test_signing_waits_for_both_and_a_second_click_changes_nothing(deal, holder, buyer, staff):
    advance(deal, to=DealState.AGREED, seller=holder, buyer=buyer, staff=staff)
    deals.deal_sign(deal_id=deal.pk, actor=holder)
    deals.deal_sign(deal_id=deal.pk, actor=holder)
    deal.refresh_from_db()
    assert deal.state == DealState.AGREED and deal.seller_signed_at and not deal.buyer_signed_at
    assert TransitionLog.for_object(deal).filter(transition="sign_seller").count() == 1
    deals.deal_sign(deal_id=deal.pk, actor=buyer)
    deal.refresh_from_db()
    assert deal.state == DealState.SIGNED


def test_payment_replay_with_same_key_moves_money_once(deal, holder, buyer, staff):
    advance(deal, to=DealState.SIGNED, seller=holder, buyer=buyer, staff=staff)
    deals.deal_pay(deal_id=deal.pk, actor=buyer, idempotency_key="k-1")
    entries = LedgerEntry.objects.count()
    deal = deals.deal_pay(deal_id=deal.pk, actor=buyer, idempotency_key="k-1")
    assert deal.state == DealState.PAID
    assert LedgerEntry.objects.count() == entries
    assert escrow_balances(deal.escrow)["escrow_held"] == Decimal("450000.00")
    with pytest.raises(RuleViolation, match="付款"):
        deals.deal_pay(deal_id=deal.pk, actor=buyer, idempotency_key="k-2")


def test_same_key_for_another_request_is_a_conflict(deal, holder, buyer, staff):
    advance(deal, to=DealState.FILED, seller=holder, buyer=buyer, staff=staff)  # paid with key pay-<id>
    with pytest.raises(IdempotencyConflict):
        deals.deal_pay_registration_fee(deal_id=deal.pk, actor=buyer, idempotency_key=f"pay-{deal.pk}")
    deal.refresh_from_db()
    assert deal.fee_paid_at is None


def test_only_the_buyer_pays(deal, holder, buyer, staff):
    advance(deal, to=DealState.SIGNED, seller=holder, buyer=buyer, staff=staff)
    with pytest.raises(ActionForbidden):
        deals.deal_pay(deal_id=deal.pk, actor=holder, idempotency_key="x")
    assert not LedgerEntry.objects.exists()


def test_pay_before_signing_is_refused(deal, buyer):
    with pytest.raises(RuleViolation, match="付款"):
        deals.deal_pay(deal_id=deal.pk, actor=buyer, idempotency_key="early")
    assert not LedgerEntry.objects.exists()


def test_registration_needs_the_fee(deal, holder, buyer, staff):
    advance(deal, to=DealState.PAID, seller=holder, buyer=buyer, staff=staff)
    deal = deals.deal_file_registration(deal_id=deal.pk, actor=holder)
    assert deal.registration_fee == Decimal("200.00")
    with pytest.raises(RuleViolation, match="登记费"):
        deals.deal_register(deal_id=deal.pk, actor=staff)
    deal.refresh_from_db()
    assert deal.state == DealState.FILED


def test_unpaid_fee_after_a_month_means_not_filed(deal, holder, buyer, staff):
    import datetime as dt

    advance(deal, to=DealState.PAID, seller=holder, buyer=buyer, staff=staff)
    deal = deals.deal_file_registration(deal_id=deal.pk, actor=holder)
    assert deals.deals_lapse_unpaid_filings(today=deal.fee_due_date) == 0
    assert deals.deals_lapse_unpaid_filings(today=deal.fee_due_date + dt.timedelta(days=1)) == 1
    deal.refresh_from_db()
    assert deal.state == DealState.PAID and deal.filed_at is None


def test_cancel_before_payment_moves_no_money(deal, holder, buyer, staff):
    advance(deal, to=DealState.SIGNED, seller=holder, buyer=buyer, staff=staff)
    deal = deals.deal_cancel(deal_id=deal.pk, actor=buyer, reason="董事会未批准")
    assert deal.state == DealState.CANCELLED and deal.cancel_reason == "董事会未批准"
    assert not LedgerEntry.objects.exists()


def test_cancel_after_payment_refunds_the_buyer(deal, holder, buyer, staff):
    advance(deal, to=DealState.FILED, seller=holder, buyer=buyer, staff=staff)
    deal = deals.deal_cancel(deal_id=deal.pk, actor=holder, reason="双方协商解除")
    assert deal.escrow.state == EscrowState.REFUNDED
    assert external_account(buyer.organisation).balance() == Decimal("0.00")
    assert external_account(holder.organisation).balance() == Decimal("0.00")
    # a repeated cancel is refused (the caller learns it lost the race), not a second refund
    with pytest.raises(RuleViolation, match="已取消"):
        deals.deal_cancel(deal_id=deal.pk, actor=holder, reason="again")
    assert external_account(buyer.organisation).balance() == Decimal("0.00")


def test_refused_registration_cancels_and_refunds(deal, holder, buyer, staff):
    advance(deal, to=DealState.FILED, seller=holder, buyer=buyer, staff=staff)
    deal = deals.deal_refuse_registration(deal_id=deal.pk, actor=staff, reason="合同缺少签章")
    assert deal.state == DealState.CANCELLED and "合同缺少签章" in deal.cancel_reason
    assert deal.escrow.state == EscrowState.REFUNDED
    assert list(deal.patents.get().ownerships.values_list("organisation", flat=True)) == [holder.organisation_id]


def test_no_cancel_after_registration(deal, holder, buyer, staff):
    advance(deal, to=DealState.REGISTERED, seller=holder, buyer=buyer, staff=staff)
    with pytest.raises(RuleViolation):
        deals.deal_cancel(deal_id=deal.pk, actor=buyer, reason="后悔")
    deal.refresh_from_db()
    assert deal.state == DealState.REGISTERED and deal.escrow.state == EscrowState.CAPTURED


def test_pledged_patent_needs_recorded_pledgee_consent_and_debt_is_paid_first(holder, buyer, staff, bank_org,
                                                                             bank_officer):
    patent = PatentFactory(holders=[holder.organisation])
    entry = pledge(patent, bank_org, secured_amount=Decimal("300000.00"))
    listing = ListingFactory(organisation=holder.organisation, created_by=holder, patents=[patent])
    deal = deals.deal_open(listing_id=listing.pk, actor=buyer, price="450000")
    deals.deal_accept(deal_id=deal.pk, actor=holder)
    with pytest.raises(RuleViolation, match="质权人同意") as err:
        deals.deal_sign(deal_id=deal.pk, actor=holder)
    assert err.value.reasons[0].code == "pledged_without_consent"
    with pytest.raises(ActionForbidden):
        deals.deal_consent(deal_id=deal.pk, actor=buyer, patent_id=patent.pk)
    deals.deal_consent(deal_id=deal.pk, actor=bank_officer, patent_id=patent.pk, note="同意转让，价款优先清偿")
    assert Consent.objects.get().capacity == "pledgee"
    advance(deal, to=DealState.CLOSED, seller=holder, buyer=buyer, staff=staff)
    assert external_account(bank_org).balance() == Decimal("300000.00")
    assert external_account(holder.organisation).balance() == Decimal("150000.00")
    entry.refresh_from_db()
    assert entry.released_at is not None


def test_co_owned_patent_is_transferred_by_every_co_owner_each_paid_its_share(holder, buyer, staff, outsider):
    from market.transfers.documents import deal_context

    partner_org = OrganisationFactory(name="温州共有科技有限公司")
    partner = UserFactory(organisation=partner_org)
    patent = PatentFactory(holders=[])
    hold(patent, holder.organisation, share=Decimal("60"))
    hold(patent, partner_org, share=Decimal("40"))
    listing = ListingFactory(organisation=holder.organisation, created_by=holder, patents=[patent])
    deal = deals.deal_open(listing_id=listing.pk, actor=buyer, price="100000")
    deals.deal_accept(deal_id=deal.pk, actor=holder)
    assert [(t.name, t.share) for t in deal.transferors.all()] == [
        (holder.organisation.name, Decimal("60.0000")), (partner_org.name, Decimal("40.0000"))]
    with pytest.raises(RuleViolation, match=partner_org.name):
        deals.deal_sign(deal_id=deal.pk, actor=holder)
    with pytest.raises(ActionForbidden):
        deals.deal_sign(deal_id=deal.pk, actor=outsider)
    assert "sign" in deal_allowed_actions(TransferDeal.objects.get(pk=deal.pk), partner)
    deals.deal_sign(deal_id=deal.pk, actor=partner)  # its signature is its written consent
    assert "sign" not in deal_allowed_actions(TransferDeal.objects.get(pk=deal.pk), partner)
    assert Consent.objects.get(organisation=partner_org).capacity == "co_owner"
    deals.deal_sign(deal_id=deal.pk, actor=holder)
    deals.deal_sign(deal_id=deal.pk, actor=buyer)
    deal.refresh_from_db()
    assert deal.state == DealState.SIGNED
    context = deal_context(deal)
    assert [(t["name"], t["share"], t["amount"]) for t in context["transferors"]] == [
        (holder.organisation.name, "60.00%", "¥60,000.00"), (partner_org.name, "40.00%", "¥40,000.00")]
    advance(deal, to=DealState.CLOSED, seller=holder, buyer=buyer, staff=staff)
    assert list(PatentOwner.objects.filter(patent=patent).values_list("organisation", flat=True)) == [
        buyer.organisation_id]
    assert external_account(holder.organisation).balance() == Decimal("60000.00")
    assert external_account(partner_org).balance() == Decimal("40000.00")


def test_the_seller_records_agreed_shares_before_anyone_signs(holder, buyer, staff):
    partner_org = OrganisationFactory(name="温州共有科技有限公司")
    partner = UserFactory(organisation=partner_org)
    patent = PatentFactory(holders=[holder.organisation, partner_org])  # no shares on the register: equal
    listing = ListingFactory(organisation=holder.organisation, created_by=holder, patents=[patent])
    deal = deals.deal_open(listing_id=listing.pk, actor=buyer, price="100000")
    deals.deal_accept(deal_id=deal.pk, actor=holder)
    assert [t.share for t in deal.transferors.all()] == [Decimal("50.0000")] * 2
    assert "shares" in deal_allowed_actions(TransferDeal.objects.get(pk=deal.pk), holder)

    def split(mine, theirs):
        return {holder.organisation.name: Decimal(mine), partner_org.name: Decimal(theirs)}

    with pytest.raises(ActionForbidden):
        deals.deal_set_shares(deal_id=deal.pk, actor=partner, shares=split(30, 70))
    with pytest.raises(ValidationError):
        deals.deal_set_shares(deal_id=deal.pk, actor=holder, shares=split(30, 60))
    deals.deal_set_shares(deal_id=deal.pk, actor=holder, shares=split(75, 25))
    deals.deal_sign(deal_id=deal.pk, actor=partner)
    with pytest.raises(RuleViolation, match="份额不能再变更"):
        deals.deal_set_shares(deal_id=deal.pk, actor=holder, shares=split(50, 50))
    deals.deal_sign(deal_id=deal.pk, actor=holder)
    deals.deal_sign(deal_id=deal.pk, actor=buyer)
    advance(deal, to=DealState.CLOSED, seller=holder, buyer=buyer, staff=staff)
    assert external_account(holder.organisation).balance() == Decimal("75000.00")
    assert external_account(partner_org).balance() == Decimal("25000.00")


def test_a_co_owner_that_has_not_joined_cannot_sign_and_blocks_the_deal(holder, buyer):
    patent = PatentFactory(holders=[holder.organisation])
    PatentOwner.objects.create(patent=patent, name="丽水未入驻材料有限公司")
    listing = ListingFactory(organisation=holder.organisation, created_by=holder, patents=[patent])
    deal = deals.deal_open(listing_id=listing.pk, actor=buyer, price="100000")
    deals.deal_accept(deal_id=deal.pk, actor=holder)
    assert [(t.name, t.organisation_id, t.share) for t in deal.transferors.order_by("pk")] == [
        (holder.organisation.name, holder.organisation_id, Decimal("50.0000")), ("丽水未入驻材料有限公司", None,
                                                                                  Decimal("50.0000"))]
    with pytest.raises(RuleViolation, match="尚未加入平台"):
        deals.deal_sign(deal_id=deal.pk, actor=holder)
    # it joins (claims its share), then signs as a transferor
    joined = UserFactory(organisation=OrganisationFactory(name="丽水未入驻材料有限公司"))
    PatentOwner.objects.filter(name="丽水未入驻材料有限公司").update(organisation=joined.organisation)
    deals.deal_sign(deal_id=deal.pk, actor=joined)
    assert deal.transferors.get(name="丽水未入驻材料有限公司").signed_at is not None


def test_rules_are_checked_again_at_registration(deal, holder, buyer, staff):
    from market.models import Encumbrance, EncumbranceKind

    advance(deal, to=DealState.FILED, seller=holder, buyer=buyer, staff=staff)
    deals.deal_pay_registration_fee(deal_id=deal.pk, actor=buyer, idempotency_key="fee")
    Encumbrance.objects.create(patent=deal.patents.get(), kind=EncumbranceKind.PRESERVATION,
                               beneficiary_name="杭州市中级人民法院")
    with pytest.raises(RuleViolation, match="保全"):
        deals.deal_register(deal_id=deal.pk, actor=staff)
    deal.refresh_from_db()
    assert deal.state == DealState.FILED
    assert list(deal.patents.get().ownerships.values_list("organisation", flat=True)) == [holder.organisation_id]


def test_public_university_deal_is_publicised_for_15_days(buyer, staff):
    import datetime as dt

    from django.utils import timezone

    uni = OrganisationFactory(name="浙江某理工大学", kind=OrganisationKind.UNIVERSITY, is_public_institution=True)
    seller = UserFactory(organisation=uni)
    listing = ListingFactory(organisation=uni, created_by=seller)
    deal = deals.deal_open(listing_id=listing.pk, actor=buyer, price="80000")
    deal = deals.deal_accept(deal_id=deal.pk, actor=seller)
    assert deal.state == DealState.PUBLICISED
    assert (deal.publicity_ends_at - timezone.now()) > dt.timedelta(days=14, hours=23)
    with pytest.raises(RuleViolation, match="公示"):
        deals.deal_sign(deal_id=deal.pk, actor=seller)
    objection = deals.deal_object(deal_id=deal.pk, actor=staff, text="价格明显偏低")
    TransferDeal.objects.filter(pk=deal.pk).update(publicity_ends_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(RuleViolation, match="异议"):
        deals.deal_sign(deal_id=deal.pk, actor=seller)
    deals.deal_resolve_objection(objection_id=objection.pk, actor=staff, resolution="经评估价格合理")
    deals.deal_sign(deal_id=deal.pk, actor=seller)
    deal = deals.deal_sign(deal_id=deal.pk, actor=buyer)
    assert deal.state == DealState.SIGNED


def test_foreign_buyer_needs_technology_export_registration(holder, listing, staff):
    foreign = UserFactory(organisation=OrganisationFactory(name="Acme Battery GmbH", is_foreign=True))
    deal = deals.deal_open(listing_id=listing.pk, actor=foreign, price="1000000")
    assert deal.export_registration_required
    advance(deal, to=DealState.PAID, seller=holder, buyer=foreign, staff=staff)
    with pytest.raises(RuleViolation, match="技术出口"):
        deals.deal_file_registration(deal_id=deal.pk, actor=holder)
    deal = deals.deal_file_registration(deal_id=deal.pk, actor=holder, export_registration_number="2026330100000123")
    assert deal.state == DealState.FILED


def test_closing_one_deal_cancels_and_refunds_the_others(listing, holder, buyer, staff):
    rival = UserFactory(organisation=OrganisationFactory(name="嘉兴竞买科技有限公司"))
    first = deals.deal_open(listing_id=listing.pk, actor=buyer, price="450000")
    second = deals.deal_open(listing_id=listing.pk, actor=rival, price="460000")
    advance(second, to=DealState.PAID, seller=holder, buyer=rival, staff=staff)
    advance(first, to=DealState.CLOSED, seller=holder, buyer=buyer, staff=staff)
    second.refresh_from_db()
    assert second.state == DealState.CANCELLED and second.escrow.state == EscrowState.REFUNDED
    assert external_account(rival.organisation).balance() == Decimal("0.00")


def test_a_second_release_is_refused_and_moves_no_money(deal, holder, buyer, staff):
    advance(deal, to=DealState.CLOSED, seller=holder, buyer=buyer, staff=staff)
    entries = LedgerEntry.objects.count()
    with pytest.raises(RuleViolation, match="已完成"):
        deals.deal_release(deal_id=deal.pk, actor=staff)
    assert LedgerEntry.objects.count() == entries


def test_listing_expiry_task_expires_only_listings_past_their_date(holder):
    import datetime as dt

    from django.utils import timezone

    from market.tasks import listings_expire_due_task

    old = ListingFactory(organisation=holder.organisation, created_by=holder,
                         expires_at=timezone.now() - dt.timedelta(minutes=1))
    fresh = ListingFactory(organisation=holder.organisation, created_by=holder,
                           expires_at=timezone.now() + dt.timedelta(days=1))
    assert listings_expire_due_task.delay().get() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.state, fresh.state) == (ListingState.EXPIRED, ListingState.PUBLISHED)
    assert TransitionLog.for_object(old).get().to_state == "expired"
    assert listings_expire_due_task.delay().get() == 0


def test_beat_schedule_names_real_tasks():
    from django.conf import settings

    from config.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


def test_no_consent_is_asked_after_registration(deal, holder, buyer, staff):
    from market.transfers.selectors import deal_allowed_actions, deal_pending_consents

    deal = advance(deal, to=DealState.REGISTERED, seller=holder, buyer=buyer, staff=staff)
    assert deal_pending_consents(deal) == []
    assert deal_allowed_actions(deal, buyer) == []
    assert deal_allowed_actions(deal, staff) == ["release"]


def test_database_refuses_a_second_document_with_the_same_version(deal):
    from django.contrib.contenttypes.models import ContentType
    from django.db import IntegrityError, transaction

    from market.models import Document

    common = {"kind": "deal_certificate", "deal_type": ContentType.objects.get_for_model(deal), "deal_id": deal.pk,
              "version": 1}
    Document.objects.create(number="N-1", **common)
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(number="N-2", **common)
    patent = deal.patents.get()
    Document.objects.create(number="N-3", patent=patent, **{**common, "kind": "change_request"})
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(number="N-4", patent=patent, **{**common, "kind": "change_request"})


def test_the_buyer_keeps_reading_the_listing_it_bought_once_it_closes(deal, holder, buyer, staff, outsider):
    from django.test import Client

    deal = advance(deal, to=DealState.CLOSED, seller=holder, buyer=buyer, staff=staff)
    assert deal.listing.state == ListingState.CLOSED
    for user, status in ((buyer, 200), (holder, 200), (outsider, 404)):
        client = Client()
        client.force_login(user)
        assert client.get(f"/listings/{deal.listing_id}/").status_code == status, user
    assert Client().get(f"/listings/{deal.listing_id}/").status_code == 404


def test_the_deal_page_says_who_must_act_next_and_by_when(deal, holder, buyer, staff):
    from django.test import Client

    def line(user, deal):
        client = Client()
        client.force_login(user)
        page = client.get(f"/deals/{deal.pk}/").content.decode()
        return page.split('id="next-step"')[1].split("</p>")[0] if 'id="next-step"' in page else ""

    assert "等待转让方回应最新报价" in line(buyer, deal) and "等待贵方回应最新报价" in line(holder, deal)
    deals.deal_accept(deal_id=deal.pk, actor=holder)
    deals.deal_sign(deal_id=deal.pk, actor=holder)
    assert "等待贵方阅读并签署转让合同" in line(buyer, deal) and "等待受让方阅读并签署" in line(holder, deal)
    deal = advance(deal, to=DealState.FILED, seller=holder, buyer=buyer, staff=staff)
    assert "前缴纳变更登记费" in line(buyer, deal) and f"{deal.fee_due_date:%Y-%m-%d}" in line(buyer, deal)
    deal = advance(deal, to=DealState.CLOSED, seller=holder, buyer=buyer, staff=staff)
    assert line(buyer, deal) == ""
