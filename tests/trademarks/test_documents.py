"""A mark's deals issue the trademark office's forms, read back from the real PDFs with pdftotext."""

import subprocess
from decimal import Decimal

from market.documents.issue import document_render
from market.models import Document, DocumentKind, DocumentState, ListingMode
from market.pledges.models import PledgeLoanState
from market.services.documents import documents_for
from market.transfers import services as deals
from market.transfers.models import DealState
from tests.market.deal_steps import advance
from tests.pledges import steps as pledge_steps

from ..factories import ListingFactory, trademark


def text_of(deal, kind) -> str:
    document = Document.objects.for_deal(deal).latest_versions().get(kind=kind)
    document = document_render(document_id=document.pk)
    assert document.state == DocumentState.ISSUED
    out = subprocess.run(["pdftotext", "-layout", document.file.path, "-"], check=True, capture_output=True,
                         text=True).stdout
    return "".join(out.split())


def test_a_mark_transfer_issues_the_trademark_contract_and_the_transfer_application(holder, buyer, staff):
    mark = trademark("丽水山耕", groups=("3002",), holders=[holder.organisation])
    listing = ListingFactory(organisation=holder.organisation, created_by=holder, patents=[mark],
                             mode=ListingMode.TRANSFER, asking_price=Decimal("800000"))
    deal = deals.deal_open(listing_id=listing.pk, actor=buyer, price=Decimal("800000"))
    deal = advance(deal, to=DealState.FILED, seller=holder, buyer=buyer, staff=staff)
    contract = text_of(deal, DocumentKind.TRANSFER_CONTRACT)
    assert "注册商标转让合同" in contract and "商标法》第四十二条" in contract and "自公告之日起享有商标专用权" in contract
    assert f"注册号{mark.application_number}" in contract and "第30类方便食品" in contract
    assert "专利法" not in contract and "IPC" not in contract
    request = text_of(deal, DocumentKind.CHANGE_REQUEST)
    assert "转让/移转申请/注册商标申请书" in request and "国家知识产权局商标局" in request
    assert "注册商标转让合同" in request and buyer.organisation.name in request


def test_a_mark_pledge_issues_the_trademark_pledge_application_and_registration_certificate(holder, bank_org,
                                                                                            bank_officer):
    mark = trademark("丽水山耕", holders=[holder.organisation])
    loan = pledge_steps.apply(holder, bank_org, [mark], amount="500000")
    loan = pledge_steps.advance(loan, to=PledgeLoanState.REGISTERED, holder=holder, bank_officer=bank_officer)
    filing = loan.filings.get(kind="registration")
    application = text_of(filing, DocumentKind.PLEDGE_REGISTRATION)
    assert "商标专用权质权登记申请书" in application and "一并出质" in application
    certificate = text_of(filing, DocumentKind.PLEDGE_NOTICE)
    assert "商标专用权质权登记证" in certificate and filing.registration_number in certificate
    assert "专利" not in certificate
    assert "注册商标专用权质押合同" in text_of(loan, DocumentKind.PLEDGE_CONTRACT)
    loan = pledge_steps.advance(loan, to=PledgeLoanState.RELEASED, holder=holder, bank_officer=bank_officer)
    release = text_of(loan.filings.get(kind="release"), DocumentKind.PLEDGE_RELEASE)
    assert "商标专用权质权登记注销申请书" in release and "专利" not in release
    assert documents_for(loan).filter(kind=DocumentKind.PLEDGE_CONTRACT).exists()


def test_a_mark_licence_contract_carries_the_origin_clause_and_its_record_is_the_trademark_form(holder, buyer, staff):
    import datetime as dt

    from market.licensing.services import licence_contracts as contracts

    from .steps import licence_in_effect

    mark = trademark("丽水山耕", holders=[holder.organisation], registered=dt.date(2025, 3, 1))
    listing = ListingFactory(organisation=holder.organisation, created_by=holder, patents=[mark],
                             mode=ListingMode.LICENCE, asking_price=Decimal("100000"))
    contract = licence_in_effect(listing, holder, buyer)
    contracts.contract_file_record(contract_id=contract.pk, actor=holder)
    text = text_of(contract, DocumentKind.LICENCE_CONTRACT)
    assert "商标使用许可合同" in text and "标明被许可人的名称和商品产地" in text and "不得对抗善意第三人" in text
    record = text_of(contract, DocumentKind.LICENCE_RECORD)
    assert "商标使用许可备案表" in record and "国家知识产权局商标局" in record and "专利" not in record
