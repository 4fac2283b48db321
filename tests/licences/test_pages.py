"""The licensing pages (Chinese first): declaration form with its live rules check, “立即获得许可”,
my licences with royalties due, the contract page, staff queue; other organisations get 404."""

import datetime as dt
import re
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from market.licensing.models import Licence, LicenceContract, OpenLicenceDeclaration, OpenLicenceState
from market.licensing.services import open_licences
from market.models import Encumbrance, EncumbranceKind, ListingMode

from ..factories import ListingFactory, PatentFactory
from ..frontend.conftest import chinese, client_for  # noqa: F401  (chinese: an autouse fixture)
from .conftest import ANNUAL, PERCENTAGE, declare, pdf_upload


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_declaration_form_checks_the_rules_live(holder, patent, utility_patent, buyer_org):
    page = client_for(holder)
    form = text(page.get("/me/open-licences/new/"))
    assert "声明开放许可" in form and 'hx-post="/me/open-licences/check/"' in form
    ok = page.post("/me/open-licences/check/", {"patent": patent.pk}, HTTP_HX_REQUEST="true")
    assert "该专利可以声明开放许可" in text(ok)
    needs_report = text(page.post("/me/open-licences/check/", {"patent": utility_patent.pk}))
    assert "提交审核前须完成" in needs_report and "专利权评价报告" in needs_report
    with_report = page.post("/me/open-licences/check/", {"patent": utility_patent.pk,
                                                          "evaluation_report": pdf_upload()})
    assert "该专利可以声明开放许可" in text(with_report)
    Encumbrance.objects.create(patent=patent, kind=EncumbranceKind.SOLE_LICENCE, beneficiary=buyer_org)
    refused = text(page.post("/me/open-licences/check/", {"patent": patent.pk}))
    assert "不能声明开放许可" in refused and "排他许可" in refused


def test_the_holder_declares_submits_and_staff_publish_from_the_pages(holder, staff, patent):
    page = client_for(holder)
    response = page.post("/me/open-licences/new/", {
        "patent": patent.pk, "royalty_method": "annual", "annual_fee": "12000", "period_months": "12",
        "licence_years": "3", "covers_whole_patent": "on"})
    assert response.status_code == 302 and response["Location"] == "/me/open-licences/"
    declaration = OpenLicenceDeclaration.objects.get()
    listing = text(page.get("/me/open-licences/"))
    assert declaration.number in listing and "年许可费 ¥12,000.00" in listing and "提交审核" in listing
    assert page.post(f"/me/open-licences/{declaration.pk}/submit/").status_code == 302
    queue = text(client_for(staff).get("/staff/licences/"))
    assert patent.title in queue and "审核通过并公告" in queue
    assert client_for(holder).get("/staff/licences/").status_code == 403
    assert client_for(staff).post(f"/staff/open-licences/{declaration.pk}/publish/").status_code == 302
    declaration.refresh_from_db()
    assert declaration.state == OpenLicenceState.PUBLISHED


def test_a_refused_draft_shows_rule_and_reason(holder, patent, buyer_org):
    Encumbrance.objects.create(patent=patent, kind=EncumbranceKind.PRESERVATION, beneficiary_name="杭州市中级人民法院")
    response = client_for(holder).post("/me/open-licences/new/", {
        "patent": patent.pk, "royalty_method": "annual", "annual_fee": "12000", "period_months": "12",
        "licence_years": "3"})
    assert response.status_code == 409
    assert "open_licence" in text(response) and "保全" in text(response)
    assert not OpenLicenceDeclaration.objects.exists()


def test_the_open_licence_listing_shows_its_terms_and_the_take_up_button(declaration, buyer):
    page = text(client_for(buyer).get(f"/listings/{declaration.listing_id}/"))
    assert "开放许可条件" in page and "年许可费 ¥12,000.00" in page and "立即获得许可" in page
    assert declaration.announcement_number in page
    public_list = text(Client().get("/open-licences/?sort=royalty"))
    assert declaration.patent.title in public_list and "立即获得许可" in public_list


def test_a_licensee_takes_a_licence_in_one_step_from_the_page(declaration, buyer):
    page = client_for(buyer)
    detail = text(page.get(f"/open-licences/{declaration.pk}/"))
    assert "现在应付" in detail and "¥12,000.00" in detail and "年费（开放许可期间减缴）" in detail
    key = re.search(r'name="idempotency_key" value="([^"]+)"', detail).group(1)
    unconfirmed = page.post(f"/open-licences/{declaration.pk}/take-up/", {"idempotency_key": key})
    assert unconfirmed.status_code == 400 and "请确认书面通知" in text(unconfirmed)
    taken = page.post(f"/open-licences/{declaration.pk}/take-up/", {"idempotency_key": key, "notice_confirmed": "on"})
    licence = Licence.objects.get()
    assert taken.status_code == 302 and taken["Location"] == f"/licences/{licence.pk}/"
    # a double submit of the same form is the same licence
    again = page.post(f"/open-licences/{declaration.pk}/take-up/", {"idempotency_key": key, "notice_confirmed": "on"})
    assert again["Location"] == f"/licences/{licence.pk}/" and Licence.objects.count() == 1
    licence_page = text(page.get(f"/licences/{licence.pk}/"))
    assert "已支付" in licence_page and "开放许可实施通知书" in licence_page and "备案申请表" in licence_page
    mine = text(page.get("/me/licences/"))
    assert licence.number in mine and "¥12,000.00" in mine  # the second year is due later


def test_royalties_are_reported_and_paid_from_the_licence_page(holder, staff, patent, buyer, clock):
    clock(dt.date(2026, 1, 5))
    declaration = declare(holder, staff, patent, terms=PERCENTAGE)
    licence = open_licences.open_licence_take_up(declaration_id=declaration.pk, actor=buyer, idempotency_key="p",
                                                 notice_confirmed=True)
    quarter = licence.periods.get(sequence=1)
    clock(dt.date(2026, 5, 10))
    page = client_for(buyer)
    assert "待报告" in text(page.get("/me/licences/"))
    due = f"{quarter.due_date:%Y-%m-%d}"
    assert f"等待贵方于 {due} 前报告本期数额" in text(page.get(f"/licences/{licence.pk}/"))  # the next step
    assert f"等待被许可方于 {due} 前报告本期数额" in text(client_for(holder).get(f"/licences/{licence.pk}/"))
    late = text(client_for(holder).get("/me/open-licences/"))
    assert "逾期未报告或未支付的许可使用费" in late and "未报告" in late and buyer.organisation.name in late
    reported = page.post(f"/licences/{licence.pk}/royalties/report/", {"period_id": quarter.pk, "quantity": "200000"})
    assert reported.status_code == 302
    quarter.refresh_from_db()
    assert quarter.amount_due == Decimal("7000.00")  # 200,000 × 3.5 %
    paid = page.post(f"/licences/{licence.pk}/royalties/pay/", {"period_id": quarter.pk, "idempotency_key": "pay-q1"})
    assert paid.status_code == 302
    quarter.refresh_from_db()
    assert quarter.paid_at is not None
    refused = page.post(f"/licences/{licence.pk}/royalties/pay/", {"period_id": quarter.pk, "idempotency_key": "x"})
    assert refused.status_code == 409 and "already_paid" not in text(refused) and "已支付" in text(refused)


def test_a_period_of_another_licence_is_refused_on_this_licences_page(holder, staff, patent, buyer):
    first = open_licences.open_licence_take_up(declaration_id=declare(holder, staff, patent).pk, actor=buyer,
                                               idempotency_key="first", notice_confirmed=True)
    second_patent = PatentFactory(holders=[holder.organisation], title="一种电池包热管理系统")
    second = open_licences.open_licence_take_up(declaration_id=declare(holder, staff, second_patent).pk, actor=buyer,
                                                idempotency_key="second", notice_confirmed=True)
    other_period = second.periods.get(sequence=2)
    answer = client_for(buyer).post(f"/licences/{first.pk}/royalties/pay/",
                                    {"period_id": other_period.pk, "idempotency_key": "cross"})
    assert answer.status_code == 400 and "该期不属于本许可" in text(answer)
    other_period.refresh_from_db()
    assert other_period.paid_at is None


def test_the_holder_uploads_an_evaluation_report_and_withdraws_from_the_list(holder, utility_patent):
    declaration = open_licences.open_licence_create(actor=holder, patent_id=utility_patent.pk, licence_years=3,
                                                    **ANNUAL)
    page = client_for(holder)
    not_a_pdf = page.post(f"/me/open-licences/{declaration.pk}/evaluation_report/",
                          {"evaluation_report": SimpleUploadedFile("报告.pdf", b"hello", "application/pdf")})
    assert not_a_pdf.status_code == 400
    declaration.refresh_from_db()
    assert not declaration.evaluation_report
    uploaded = page.post(f"/me/open-licences/{declaration.pk}/evaluation_report/", {"evaluation_report": pdf_upload()})
    assert uploaded.status_code == 302 and uploaded["Location"] == "/me/open-licences/"
    declaration.refresh_from_db()
    assert declaration.evaluation_report
    assert page.post(f"/me/open-licences/{declaration.pk}/unknown/").status_code == 404
    assert page.post(f"/me/open-licences/{declaration.pk}/withdraw/").status_code == 302
    declaration.refresh_from_db()
    assert declaration.state == OpenLicenceState.WITHDRAWN


def test_other_organisations_cannot_see_licences_or_contracts(declaration, buyer, outsider, holder, patent):
    licence = open_licences.open_licence_take_up(declaration_id=declaration.pk, actor=buyer, idempotency_key="o",
                                                 notice_confirmed=True)
    nosy = client_for(outsider)
    assert nosy.get(f"/licences/{licence.pk}/").status_code == 404
    period = licence.periods.get(sequence=2)
    assert nosy.post(f"/licences/{licence.pk}/royalties/pay/", {"period_id": period.pk,
                                                                "idempotency_key": "x"}).status_code == 404
    assert licence.number not in text(nosy.get("/me/licences/"))
    listing = ListingFactory(organisation=holder.organisation, created_by=holder, mode=ListingMode.LICENCE,
                             patents=[patent])
    page = client_for(buyer)
    start = timezone.localdate()
    response = page.post(f"/listings/{listing.pk}/licence-offer/", {
        "licence_kind": "ordinary_licence", "start_date": start.isoformat(),
        "end_date": (start + dt.timedelta(days=700)).isoformat(), "royalty_method": "annual", "annual_fee": "9000",
        "period_months": "12"})
    contract = LicenceContract.objects.get()
    assert response["Location"] == f"/licence-contracts/{contract.pk}/"
    assert nosy.get(f"/licence-contracts/{contract.pk}/").status_code == 404
    assert nosy.post(f"/licence-contracts/{contract.pk}/actions/accept/").status_code == 404


def test_a_negotiated_licence_from_the_pages(holder, buyer, staff, patent, declaration):
    listing = ListingFactory(organisation=holder.organisation, created_by=holder, mode=ListingMode.LICENCE,
                             patents=[patent])
    assert "洽谈实施许可" in text(client_for(buyer).get(f"/listings/{listing.pk}/"))
    start = timezone.localdate()
    offer = {"licence_kind": "exclusive_licence", "start_date": start.isoformat(),
             "end_date": (start + dt.timedelta(days=700)).isoformat(), "royalty_method": "annual",
             "annual_fee": "9000", "period_months": "12"}
    refused = client_for(buyer).post(f"/listings/{listing.pk}/licence-offer/", offer)
    assert refused.status_code == 409 and "开放许可声明有效期间不得授予独占或排他许可" in text(refused)
    client_for(buyer).post(f"/listings/{listing.pk}/licence-offer/", {**offer, "licence_kind": "ordinary_licence"})
    contract = LicenceContract.objects.get()
    seller, licensee = client_for(holder), client_for(buyer)
    assert "接受对方条件" in text(seller.get(f"/licence-contracts/{contract.pk}/"))
    for client, action, data in [(seller, "accept", {}), (seller, "sign", {}), (licensee, "sign", {}),
                                 (licensee, "pay", {"idempotency_key": "c"}), (seller, "file_record", {}),
                                 (client_for(staff), "record", {"record_number": ""})]:
        response = client.post(f"/licence-contracts/{contract.pk}/actions/{action}/", data)
        assert response.status_code == 302, (action, text(response)[-2000:])
    contract.refresh_from_db()
    assert contract.state == "recorded"
    page = text(licensee.get(f"/licence-contracts/{contract.pk}/"))
    assert "已备案" in page and contract.record_number in page and "专利实施许可合同" in page
