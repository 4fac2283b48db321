"""The pledge pages (Chinese first): the holder applies with a pre-check, the bank reviews with the collateral
summary and exports its queue, the loan page offers each side its actions; nobody sees what is not theirs."""

import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from market.pledges.models import PledgeAlert, PledgeLoan, PledgeLoanState

from .steps import advance, apply

S = PledgeLoanState


@pytest.fixture(autouse=True)
def chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_holder_applies_from_the_page_after_a_precheck(holder, bank_officer, patent):
    page = client_for(holder)
    assert "申请质押融资" in page.get(reverse("frontend:pledges")).content.decode()
    precheck = page.post(reverse("frontend:pledge_precheck"), {"patents": [patent.pk], "term_months": 12})
    assert "可以出质" in precheck.content.decode()

    answer = page.post(reverse("frontend:pledge_apply"), {
        "patents": [patent.pk], "bank": bank_officer.organisation_id, "amount": "500000", "term_months": 12,
        "purpose": "流动资金", "repayment_plan": "bullet"})
    loan = PledgeLoan.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("frontend:pledge_detail", args=[loan.pk])


def test_a_term_past_the_patents_term_is_shown_on_the_form_and_nothing_is_written(holder, bank_officer, patent):
    answer = client_for(holder).post(reverse("frontend:pledge_apply"), {
        "patents": [patent.pk], "bank": bank_officer.organisation_id, "amount": "500000", "term_months": 300,
        "purpose": "流动资金", "repayment_plan": "bullet"})
    assert answer.status_code == 400 and "晚于专利权期限" in answer.content.decode()
    assert not PledgeLoan.objects.exists()


def test_the_bank_reviews_with_the_collateral_summary_and_approves(holder, bank_officer, patent):
    loan = apply(holder, bank_officer.organisation, [patent])
    bank = client_for(bank_officer)
    queue = bank.get(reverse("frontend:bank_queue")).content.decode()
    assert loan.number in queue
    review = bank.get(reverse("frontend:bank_review", args=[loan.pk])).content.decode()
    for text in ("质押物汇总", "P10", "建议质押率", "建议最高贷款额", patent.patent_number):
        assert text in review

    answer = bank.post(reverse("frontend:pledge_action", args=[loan.pk, "approve"]), {
        "amount": "400000", "rate_percent": "3.5", "term_months": 12, "pledge_ratio": "25", "back": "review",
        "above_advice_reason": "另有保证担保"})
    assert answer.status_code == 302 and answer.url == reverse("frontend:pledge_detail", args=[loan.pk])
    approved = PledgeLoan.objects.get(pk=loan.pk)
    assert approved.state == S.APPROVED and approved.pledge_ratio == Decimal("0.2500")  # entered in percent
    loan_page = bank.get(answer.url).content.decode()
    assert 'data-action="draft_contract"' in loan_page  # the next step, on the page the approval lands on


def test_the_queue_exports_to_excel(holder, bank_officer, patent):
    loan = apply(holder, bank_officer.organisation, [patent])
    answer = client_for(bank_officer).get(reverse("frontend:bank_queue_export"))
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(answer.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "申请编号" and rows[1][0] == loan.number
    assert rows[1][4] == patent.application_number and float(rows[1][5]) == 1000000.0


def test_a_refused_action_shows_the_reasons(holder, bank_officer, patent):
    loan = advance(apply(holder, bank_officer.organisation, [patent]), to=S.APPROVED, holder=holder,
                   bank_officer=bank_officer)
    answer = client_for(bank_officer).post(reverse("frontend:pledge_action", args=[loan.pk, "draft_contract"]), {
        "debt_kind": "流动资金借款", "security_scope": "本金", "forfeiture_clause": "on"})
    assert answer.status_code == 409 and "流质" in answer.content.decode()


def test_other_banks_and_holders_get_nothing(holder, bank_officer, other_banker, outsider, patent):
    loan = apply(holder, bank_officer.organisation, [patent])
    other = client_for(other_banker)
    assert other.get(reverse("frontend:pledge_detail", args=[loan.pk])).status_code == 404
    assert other.get(reverse("frontend:bank_review", args=[loan.pk])).status_code == 404
    assert loan.number not in other.get(reverse("frontend:bank_queue")).content.decode()
    assert other.post(reverse("frontend:pledge_action", args=[loan.pk, "reject"]), {"reason": "x"}).status_code == 404
    holder_page = client_for(holder)
    assert holder_page.get(reverse("frontend:bank_queue")).status_code == 403
    assert holder_page.get(reverse("frontend:bank_queue_export")).status_code == 403
    assert client_for(outsider).get(reverse("frontend:pledge_detail", args=[loan.pk])).status_code == 404


def test_the_loan_page_follows_the_loan_to_disbursement(holder, bank_officer, patent):
    loan = advance(apply(holder, bank_officer.organisation, [patent], amount="120000", term_months=3),
                   to=S.DISBURSED, holder=holder, bank_officer=bank_officer)
    page = client_for(holder).get(reverse("frontend:pledge_detail", args=[loan.pk])).content.decode()
    for text in ("还款计划", "质押登记号", "专利权质押合同", "专利权质押登记通知书", 'data-action="repay"'):
        assert text in page
    bank_page = client_for(bank_officer).get(reverse("frontend:pledge_detail", args=[loan.pk])).content.decode()
    assert 'data-action="declare_default"' in bank_page and 'data-action="repay"' not in bank_page


def test_defaulted_loans_offer_the_auction_and_alerts_show_on_monitoring(holder, bank_officer, staff, patent):
    from market.pledges.services import loans
    from market.pledges.services.monitoring import alert_raise

    loan = advance(apply(holder, bank_officer.organisation, [patent], amount="120000", term_months=3),
                   to=S.DISBURSED, holder=holder, bank_officer=bank_officer)
    for instalment in loan.instalments.all():
        instalment.due_date = instalment.due_date.replace(year=instalment.due_date.year - 1)
        instalment.save()
    loans.loan_declare_default(loan_id=loan.pk, actor=bank_officer, reason="逾期")
    link = f'{reverse("frontend:auction_create")}?loan={loan.pk}'
    for page in (reverse("frontend:bank_loans"), reverse("frontend:pledge_detail", args=[loan.pk])):
        assert link in client_for(staff).get(page).content.decode()
        # opening an auction is the trading centre's: the bank is told so, not shown a button it may not press
        bank_page = client_for(bank_officer).get(page).content.decode()
        assert link not in bank_page and "交易中心将开启拍卖处置质押专利" in bank_page
    assert client_for(bank_officer).get(link).status_code == 403

    alert_raise(loan=loan, kind="invalidation", key="test-event", message="有人提出无效宣告请求", patent=patent)
    assert "有人提出无效宣告请求" in client_for(bank_officer).get(reverse("frontend:bank_monitoring")).content.decode()
    assert PledgeAlert.objects.count() == 1


def test_the_whole_flow_through_the_pages(holder, bank_officer, staff, patent):
    loan = apply(holder, bank_officer.organisation, [patent], amount="120000", term_months=3)
    bank, owner, centre = client_for(bank_officer), client_for(holder), client_for(staff)

    def act(client, action, **data):
        answer = client.post(reverse("frontend:pledge_action", args=[loan.pk, action]), data)
        assert answer.status_code == 302, answer.content.decode()[-3000:]
        return PledgeLoan.objects.get(pk=loan.pk)

    act(bank, "approve", amount="120000", rate_percent="3.6", term_months=3, pledge_ratio="30",
        above_advice_reason="另有保证担保")
    act(bank, "draft_contract", debt_kind="流动资金借款", security_scope="主债权本金及利息")
    act(bank, "sign_contract")
    assert act(owner, "sign_contract").state == S.SIGNED
    assert act(owner, "file_registration").state == S.FILED
    assert act(centre, "examine").state == S.REGISTERED
    assert act(bank, "disburse", idempotency_key="page-disburse").state == S.DISBURSED
    owed = sum(i.outstanding for i in PledgeLoan.objects.get(pk=loan.pk).instalments.all())
    assert act(owner, "repay", amount=str(owed), idempotency_key="page-repay").state == S.REPAID
    assert act(centre, "examine").state == S.RELEASED


def test_the_loan_page_says_who_must_act_next_and_by_when(holder, bank_officer, patent):
    loan = apply(holder, bank_officer.organisation, [patent], amount="120000", term_months=3)

    def line(user):
        page = client_for(user).get(reverse("frontend:pledge_detail", args=[loan.pk])).content.decode()
        return page.split('id="next-step"')[1].split("</p>")[0] if 'id="next-step"' in page else ""

    assert "等待银行审查申请" in line(holder) and "等待贵方审查申请" in line(bank_officer)
    advance(loan, to=S.APPROVED, holder=holder, bank_officer=bank_officer)
    assert "等待贵方起草质押合同" in line(bank_officer)
    loan = advance(loan, to=S.DISBURSED, holder=holder, bank_officer=bank_officer)
    first = loan.instalments.order_by("due_date").first()
    assert f"于 {first.due_date:%Y-%m-%d} 前偿还第 1 期 ¥" in line(holder) and "等待贵方" in line(holder)
    advance(loan, to=S.RELEASED, holder=holder, bank_officer=bank_officer)
    assert line(holder) == ""


def test_a_bank_offers_financing_on_a_pledge_listing_and_the_holder_applies_to_it(holder, holder_org, bank_officer,
                                                                                  patent, buyer,
                                                                                  django_capture_on_commit_callbacks):
    from market.models import ListingMode
    from notifications.models import Notification
    from tests.factories import ListingFactory

    listing = ListingFactory(organisation=holder_org, created_by=holder, title="锂电池隔膜专利质押融资",
                             mode=ListingMode.PLEDGE, asking_price=Decimal("2000000"), patents=[patent])
    page = client_for(bank_officer).get(reverse("frontend:listing_detail", args=[listing.pk])).content.decode()
    assert 'data-action="pledge_interest"' in page
    assert 'data-action="pledge_interest"' not in client_for(buyer).get(
        reverse("frontend:listing_detail", args=[listing.pk])).content.decode()  # banks only
    assert client_for(buyer).post(reverse("frontend:pledge_interest", args=[listing.pk])).status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        answer = client_for(bank_officer).post(reverse("frontend:pledge_interest", args=[listing.pk]),
                                               {"note": "可提供一年期流动资金贷款"})
    assert answer.status_code == 302
    note = Notification.objects.get(recipient=holder, kind="pledge_interest")
    assert bank_officer.organisation.name in note.title and note.body == "可提供一年期流动资金贷款"
    form = client_for(holder).get(note.url).content.decode()  # the link opens the application, prefilled
    assert f'value="{bank_officer.organisation_id}" selected' in form
    import re

    assert re.search(rf'<input type="checkbox" name="patents" value="{patent.pk}"[^>]*checked', form)
