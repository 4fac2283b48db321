"""A mark goes through the same flows as a patent, under its own rules: listing → transfer → registration
(the holder changes at the approved transfer's announcement), licence → 备案, pledge → registration →
release; a holder's similar marks on similar goods go together or the flow is refused."""

import datetime as dt
from decimal import Decimal

import pytest

from market.licensing.models import LicenceContractState
from market.licensing.services import licence_contracts as contracts
from market.models import Encumbrance, EncumbranceKind, ListingMode, ListingState, TransitionLog
from market.pledges.models import PledgeLoanState
from market.rules import RuleViolation
from market.services import listings as listing_services
from market.transfers import services as deals
from market.transfers.models import DealState
from tests.market.deal_steps import advance
from tests.pledges import steps as pledge_steps

from ..factories import trademark
from .steps import licence_in_effect, publish


def test_a_mark_is_listed_sold_and_registered_to_the_buyer(holder, buyer, staff):
    mark = trademark("丽水山耕", holders=[holder.organisation])
    listing = publish(holder, staff, [mark])
    assert listing.state == ListingState.PUBLISHED
    deal = deals.deal_open(listing_id=listing.pk, actor=buyer, price=Decimal("760000"))
    deal = advance(deal, to=DealState.FILED, seller=holder, buyer=buyer, staff=staff)
    assert list(mark.ownerships.values_list("organisation", flat=True)) == [holder.organisation_id]
    deal = advance(deal, to=DealState.CLOSED, seller=holder, buyer=buyer, staff=staff)
    assert list(mark.ownerships.values_list("organisation", flat=True)) == [buyer.organisation_id]
    log = TransitionLog.for_object(deal).get(transition="register")
    assert "公告之日起享有商标专用权" in log.reason


def test_a_mark_listed_without_its_identical_companion_is_refused_until_both_are_offered(holder, staff):
    tea = trademark("丽水山耕", groups=("3002",), holders=[holder.organisation])
    drinks = trademark("丽水山耕", groups=("3002", "3202"), holders=[holder.organisation])
    alone = listing_services.listing_create(actor=holder, title="丽水山耕商标转让", mode=ListingMode.TRANSFER,
                                            patent_ids=[tea.pk], asking_price=Decimal("800000"))
    with pytest.raises(RuleViolation) as refused:
        listing_services.listing_submit(listing_id=alone.pk, actor=holder)
    assert [r.code for r in refused.value.reasons] == ["companion_mark_missing"]
    assert "商标法第四十二条" in refused.value.reasons[0].source
    assert publish(holder, staff, [tea, drinks]).state == ListingState.PUBLISHED


def test_a_companion_acquired_after_listing_blocks_the_registration(holder, buyer, staff):
    tea = trademark("丽水山耕", holders=[holder.organisation])
    deal = deals.deal_open(listing_id=publish(holder, staff, [tea]).pk, actor=buyer, price=Decimal("700000"))
    deal = advance(deal, to=DealState.FILED, seller=holder, buyer=buyer, staff=staff)
    trademark("丽水山耕", holders=[holder.organisation])  # registered to the seller meanwhile
    deals.deal_pay_registration_fee(deal_id=deal.pk, actor=buyer, idempotency_key="fee-tm")
    with pytest.raises(RuleViolation, match="一并办理"):
        deals.deal_register(deal_id=deal.pk, actor=staff)
    assert list(tea.ownerships.values_list("organisation", flat=True)) == [holder.organisation_id]


def test_a_mark_is_licensed_and_its_licence_recorded(holder, buyer, staff):
    mark = trademark("丽水山耕", holders=[holder.organisation], registered=dt.date(2025, 3, 1))
    listing = publish(holder, staff, [mark], mode=ListingMode.LICENCE, price=Decimal("100000"))
    contract = licence_in_effect(listing, holder, buyer)
    contracts.contract_file_record(contract_id=contract.pk, actor=holder)
    contract = contracts.contract_record(contract_id=contract.pk, actor=staff)
    assert contract.state == LicenceContractState.RECORDED
    assert contract.record_number
    licence = Encumbrance.objects.get(patent=mark, kind=EncumbranceKind.ORDINARY_LICENCE)
    assert licence.beneficiary == buyer.organisation and licence.registration_number == contract.record_number


def test_a_mark_is_pledged_registered_and_released(holder, bank_org, bank_officer):
    mark = trademark("丽水山耕", holders=[holder.organisation])
    loan = pledge_steps.apply(holder, bank_org, [mark], amount="500000")
    loan = pledge_steps.advance(loan, to=PledgeLoanState.REGISTERED, holder=holder, bank_officer=bank_officer)
    pledged = Encumbrance.objects.in_force().get(patent=mark, kind=EncumbranceKind.PLEDGE)
    assert pledged.beneficiary == bank_org
    loan = pledge_steps.advance(loan, to=PledgeLoanState.RELEASED, holder=holder, bank_officer=bank_officer)
    assert not Encumbrance.objects.in_force().filter(patent=mark, kind=EncumbranceKind.PLEDGE).exists()


def test_a_pledge_application_names_the_companion_mark_to_add(holder, bank_org):
    from market.pledges.services.applications import pledge_precheck

    tea = trademark("丽水山耕", holders=[holder.organisation])
    trademark("丽水山耕", holders=[holder.organisation])
    [check] = pledge_precheck(applicant=holder.organisation, patents=[tea], term_months=12)
    assert [r.code for r in check.blocking] == ["companion_mark_missing"]


def test_the_office_may_refuse_a_confusing_transfer_which_cancels_the_deal_and_refunds_the_buyer(holder, buyer, staff):
    mark = trademark("丽水山耕", holders=[holder.organisation])
    deal = deals.deal_open(listing_id=publish(holder, staff, [mark]).pk, actor=buyer, price=Decimal("700000"))
    deal = advance(deal, to=DealState.FILED, seller=holder, buyer=buyer, staff=staff)
    deal = deals.deal_refuse_registration(deal_id=deal.pk, actor=staff,
                                          reason="转让后易使公众对商品来源产生混淆（商标法第四十二条第三款）")
    assert deal.state == DealState.CANCELLED and "混淆" in deal.cancel_reason
    assert list(mark.ownerships.values_list("organisation", flat=True)) == [holder.organisation_id]


def test_a_marks_licence_shows_unrecorded_until_its_record(holder, buyer, staff):
    from django.test import Client

    mark = trademark("丽水山耕", holders=[holder.organisation], registered=dt.date(2025, 3, 1))
    listing = publish(holder, staff, [mark], mode=ListingMode.LICENCE, price=Decimal("100000"))
    contract = licence_in_effect(listing, holder, buyer)
    assert "未备案，不得对抗善意第三人" in Client().get(f"/listings/{listing.pk}/").content.decode()
    contracts.contract_file_record(contract_id=contract.pk, actor=holder)
    contracts.contract_record(contract_id=contract.pk, actor=staff)
    assert "未备案，不得对抗善意第三人" not in Client().get(f"/listings/{listing.pk}/").content.decode()


def test_the_licence_contract_page_says_who_must_act_next(holder, buyer, staff):
    from django.test import Client

    mark = trademark("丽水山耕", holders=[holder.organisation], registered=dt.date(2025, 3, 1))
    listing = publish(holder, staff, [mark], mode=ListingMode.LICENCE, price=Decimal("100000"))
    contract = licence_in_effect(listing, holder, buyer)

    def line(user):
        client = Client()
        client.force_login(user)
        page = client.get(f"/licence-contracts/{contract.pk}/").content.decode()
        return page.split('id="next-step"')[1].split("</p>")[0] if 'id="next-step"' in page else ""

    contract.refresh_from_db()
    assert f"等待贵方于 {contract.filing_due_date:%Y-%m-%d} 前提交合同备案" in line(holder)
    assert "等待许可方于" in line(buyer)
    contracts.contract_file_record(contract_id=contract.pk, actor=holder)
    assert "等待登记机关作出备案决定" in line(buyer)
    contracts.contract_record(contract_id=contract.pk, actor=staff)
    assert line(buyer) == ""
