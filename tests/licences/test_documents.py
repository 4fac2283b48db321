"""The licensing documents are rendered from the real data: read back with pdftotext."""

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from market.licensing.services import licence_contracts as contracts
from market.licensing.services import open_licences
from market.models import Document, DocumentKind, DocumentState, ListingMode
from market.services.documents import documents_for

from ..factories import ListingFactory
from ..market.test_documents import parties, pdf_text  # noqa: F401  (parties: organisations with addresses)
from .conftest import PERCENTAGE, declare

pytestmark = pytest.mark.usefixtures("parties")


def issued(deal, kind) -> Document:
    document = documents_for(deal).get(kind=kind)
    assert document.state == DocumentState.ISSUED, document.error
    return document


def test_declaration_notice_and_filing_record_carry_the_take_up(holder, staff, patent, buyer,
                                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        declaration = declare(holder, staff, patent, terms=PERCENTAGE)
    with django_capture_on_commit_callbacks(execute=True):
        licence = open_licences.open_licence_take_up(declaration_id=declaration.pk, actor=buyer,
                                                     idempotency_key="doc", notice_confirmed=True)
    text = pdf_text(issued(declaration, DocumentKind.OPEN_LICENCE_DECLARATION))
    for expected in ("专利开放许可声明", holder.organisation.name, patent.patent_number, patent.title,
                     declaration.announcement_number, "入门费¥50,000.00", "净销售额的3.50%", "减缴15%",
                     "许可期限为3年"):
        assert expected in text, expected
    notice = pdf_text(issued(licence, DocumentKind.LICENCE_NOTICE))
    start, end = licence.start_date, licence.end_date
    for expected in ("开放许可实施通知书", buyer.organisation.name, buyer.organisation.credit_code,
                     holder.organisation.name, patent.patent_number, declaration.announcement_number,
                     f"{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日",
                     "¥50,000.00", "伍万元整", licence.periods.get(sequence=0).escrow.reference, licence.record_number):
        assert expected in notice, expected
    record = pdf_text(issued(licence, DocumentKind.LICENCE_RECORD))
    for expected in ("专利实施许可合同备案申请表", "专利开放许可实施合同", licence.record_number, "普通许可",
                     buyer.organisation.address, holder.organisation.address, patent.patent_number):
        assert expected in record, expected


def test_licence_contract_and_its_filing_application(holder, staff, patent, buyer,
                                                     django_capture_on_commit_callbacks):
    listing = ListingFactory(organisation=holder.organisation, created_by=holder, mode=ListingMode.LICENCE,
                             patents=[patent])
    start = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        contract = contracts.contract_open(
            listing_id=listing.pk, actor=buyer, licence_kind="exclusive_licence", start_date=start,
            end_date=start + relativedelta(years=5, days=-1), territory="浙江省", royalty_method="per_unit",
            unit_fee="1.20", period_months=6)
        contracts.contract_accept(contract_id=contract.pk, actor=holder)
        contracts.contract_sign(contract_id=contract.pk, actor=holder)
        contracts.contract_sign(contract_id=contract.pk, actor=buyer)
        contracts.contract_file_record(contract_id=contract.pk, actor=holder)
    contract.refresh_from_db()
    text = pdf_text(issued(contract, DocumentKind.LICENCE_CONTRACT))
    for expected in ("专利实施许可合同", "独占许可", "甲方不得在许可地域内自行实施", "浙江省", "每件许可费¥1.20",
                     patent.patent_number, holder.organisation.name, buyer.organisation.name):
        assert expected in text, expected
    due = contract.filing_due_date
    record = pdf_text(issued(contract, DocumentKind.LICENCE_RECORD))
    for expected in ("专利实施许可合同备案申请表", f"合同编号{contract.number}", "独占许可", "浙江省",
                     f"{due.year}年{due.month}月{due.day}日", "（待国家知识产权局备案）"):
        assert expected in record, expected
    assert due == start + relativedelta(months=3) and isinstance(due, dt.date)


def test_the_public_verification_page_knows_a_licence_document(declaration, buyer, django_capture_on_commit_callbacks,
                                                               client):
    with django_capture_on_commit_callbacks(execute=True):
        licence = open_licences.open_licence_take_up(declaration_id=declaration.pk, actor=buyer, idempotency_key="v",
                                                     notice_confirmed=True)
    notice = issued(licence, DocumentKind.LICENCE_NOTICE)
    page = client.get(f"/verify/{notice.verification_code_display}/")
    assert page.status_code == 200 and notice.number in page.content.decode()
    assert buyer.organisation.name not in page.content.decode()  # anonymous: kind, number, date, state only
    assert client.get(f"/documents/{notice.number}/download/").status_code == 404  # anonymous
    client.force_login(buyer)
    page = client.get(f"/verify/{notice.verification_code_display}/")
    for label, name in (("许可方", licence.licensor.name), ("被许可方", buyer.organisation.name)):
        assert f"<th>{label}</th><td>{name}</td>" in page.content.decode()
    download = client.get(f"/documents/{notice.number}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF-")
