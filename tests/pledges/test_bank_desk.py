"""The bank's desk: the queue and the loan book searched, filtered, sorted, paged and exported; the book's
columns (outstanding principal, rate, maturity, next instalment, days overdue); alerts with their severity,
filtered, acknowledged by the loan's bank alone, exported — and Chinese headers only in Chinese."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from market.pledges import desk
from market.pledges.models import InstalmentStatus, PledgeAlert, PledgeLoan, PledgeLoanState
from market.pledges.services.loans import loans_mark_overdue
from market.pledges.services.monitoring import alert_raise
from tests.factories import OrganisationFactory, PatentFactory, UserFactory

from .steps import advance, apply
from .test_pages import chinese, client_for  # noqa: F401  (the pages' Chinese, a signed-in client)

S = PledgeLoanState


def rows_of(answer) -> list[tuple]:
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(load_workbook(io.BytesIO(answer.content)).active.iter_rows(values_only=True))


@pytest.fixture
def three_applications(holder, bank_officer, patent, second_patent):
    """Two applicants: the 杭州 holder twice (¥1,000,000 and ¥300,000) and a 温州 one (¥500,000)."""
    wenzhou = OrganisationFactory(name="温州瓯越电气有限公司")
    applicant = UserFactory(username="wz", organisation=wenzhou)
    third = PatentFactory(holders=[wenzhou], title="一种断路器灭弧装置", applicants=wenzhou.name,
                          filing_date=dt.date(2020, 1, 6), grant_date=dt.date(2021, 9, 1))
    return [apply(holder, bank_officer.organisation, [patent]),
            apply(applicant, bank_officer.organisation, [third], amount="500000"),
            apply(holder, bank_officer.organisation, [second_patent], amount="300000")]


def test_the_queue_searches_sorts_pages_and_exports_what_it_shows(three_applications, bank_officer, monkeypatch):
    big, wenzhou, small = three_applications
    bank = client_for(bank_officer)
    url = reverse("frontend:bank_queue")

    found = bank.get(url, {"q": "温州"}).content.decode()
    assert wenzhou.number in found and big.number not in found and small.number not in found
    assert big.number in bank.get(url, {"q": big.number}).content.decode()  # by the application's number

    by_amount = bank.get(url, {"sort": "-amount"}).content.decode()
    assert by_amount.index(big.number) < by_amount.index(wenzhou.number) < by_amount.index(small.number)
    assert 'aria-sort="descending"' in by_amount

    monkeypatch.setattr(desk, "PAGE_SIZE", 2)
    second = bank.get(url, {"sort": "amount", "page": 2}).content.decode()
    assert big.number in second and small.number not in second and "2 / 2" in second

    rows = rows_of(bank.get(reverse("frontend:bank_queue_export"), {"q": "温州"}))
    assert rows[0][:2] == ("申请编号", "申请人") and [row[0] for row in rows[1:]] == [wenzhou.number]


def test_the_loan_book_shows_what_is_owed_and_when(holder, bank_officer, patent):
    loan = advance(apply(holder, bank_officer.organisation, [patent], amount="120000", term_months=3),
                   to=S.DISBURSED, holder=holder, bank_officer=bank_officer)
    first = loan.instalments.order_by("number").first()
    line = desk.book_lines(desk.book_rows(PledgeLoan.objects.all(), desk.DeskQuery(sort="number")))[0]
    assert line.outstanding == Decimal("120000.00") and line.maturity == loan.final_due_date()
    assert line.next_due_date == first.due_date and line.next_due_amount == first.principal + first.interest
    assert line.days_overdue == 0

    page = client_for(bank_officer).get(reverse("frontend:bank_loans")).content.decode()
    for text in ("未偿本金", "年利率", "到期日", "下期应还", "逾期天数", "¥120,000.00", "3.600%"):
        assert text in page

    # Ten days after the first due date, unpaid: overdue for ten days, and the filter finds it.
    late = first.due_date + dt.timedelta(days=10)
    loans_mark_overdue(today=late)
    assert loan.instalments.get(pk=first.pk).status == InstalmentStatus.OVERDUE
    line = desk.book_lines(desk.book_rows(PledgeLoan.objects.all(), desk.DeskQuery(filters={"overdue": "1"})),
                           on=late)[0]
    assert line.days_overdue == 9  # overdue from the day after the due date

    rows = rows_of(client_for(bank_officer).get(reverse("frontend:bank_loans_export"), {"overdue": "1"}))
    header = rows[0]
    assert header[:2] == ("贷款编号", "出质人") and rows[1][0] == loan.number
    assert rows[1][header.index("未偿本金")] == 120000.0 and rows[1][header.index("年利率(%)")] == 3.6
    assert rows_of(client_for(bank_officer).get(reverse("frontend:bank_loans_export"), {"state": "released"}))[1:] == []


def test_the_books_export_speaks_english_in_the_english_interface(holder, bank_officer, patent):
    apply(holder, bank_officer.organisation, [patent])
    bank = client_for(bank_officer)
    bank.cookies["django_language"] = "en"
    header = rows_of(bank.get(reverse("frontend:bank_queue_export")))[0]
    assert header[:2] == ("Application", "Applicant") and not any("申请" in str(cell) for cell in header)


@pytest.fixture
def alerts(holder, bank_officer, patent):
    loan = advance(apply(holder, bank_officer.organisation, [patent], amount="120000", term_months=3),
                   to=S.DISBURSED, holder=holder, bank_officer=bank_officer)
    fee = alert_raise(loan=loan, kind="annual_fee_due", key="fee", message="年费应于 2027-03-01 前缴纳 / Annual fee due",
                      patent=patent)
    invalid = alert_raise(loan=loan, kind="invalidation", key="inv", message="已提出无效宣告请求 / Invalidation filed",
                          patent=patent)
    return fee, invalid


def test_alerts_carry_their_severity_and_filter_by_it(alerts, bank_officer):
    fee, invalid = alerts
    assert (fee.severity, invalid.severity) == ("low", "medium")
    bank = client_for(bank_officer)
    page = bank.get(reverse("frontend:bank_monitoring")).content.decode()
    assert "severity-low" in page and "severity-medium" in page and "Invalidation filed" not in page
    medium = bank.get(reverse("frontend:bank_monitoring"), {"severity": "medium"}).content.decode()
    assert "已提出无效宣告请求" in medium and "年费应于" not in medium
    assert f'{reverse("frontend:pledge_detail", args=[invalid.loan_id])}#alerts' in medium  # the link to the loan


def test_the_loans_bank_acknowledges_an_alert_once_others_cannot(alerts, bank_officer, other_banker, holder):
    fee, _ = alerts
    url = reverse("frontend:bank_alert_acknowledge", args=[fee.pk])
    assert client_for(other_banker).post(url, {"note": "x"}).status_code == 404
    assert client_for(holder).post(url, {"note": "x"}).status_code == 403
    assert PledgeAlert.objects.get(pk=fee.pk).acknowledged_at is None

    bank = client_for(bank_officer)
    assert bank.post(url, {"note": "已通知出质人缴费"}).status_code == 302
    acknowledged = PledgeAlert.objects.get(pk=fee.pk)
    assert acknowledged.acknowledged_by == bank_officer and acknowledged.acknowledgement_note == "已通知出质人缴费"
    bank.post(url, {"note": "again"})
    assert PledgeAlert.objects.get(pk=fee.pk).acknowledged_at == acknowledged.acknowledged_at  # once

    open_page = bank.get(reverse("frontend:bank_monitoring")).content.decode()
    taken = bank.get(reverse("frontend:bank_monitoring"), {"status": "acknowledged"}).content.decode()
    assert "年费应于" not in open_page and "年费应于" in taken and "已通知出质人缴费" in taken
    rows = rows_of(bank.get(reverse("frontend:bank_monitoring_export"), {"status": "acknowledged"}))
    assert rows[0][:3] == ("发生时间", "级别", "类型") and rows[1][1] == "低" and rows[1][8] == "已通知出质人缴费"


def test_a_cleared_alert_is_not_acknowledged(alerts, bank_officer):
    _, invalid = alerts
    PledgeAlert.objects.filter(pk=invalid.pk).update(cleared_at=timezone.now())
    answer = client_for(bank_officer).post(reverse("frontend:bank_alert_acknowledge", args=[invalid.pk]), follow=True)
    assert "预警已解除，无需确认" in answer.content.decode()
    assert PledgeAlert.objects.get(pk=invalid.pk).acknowledged_at is None


def test_terms_above_the_advice_need_the_banks_reason(holder, bank_officer, patent):
    """The review advises a maximum loan and ratio; approving above them without a reason is refused field by
    field, with the advice in the message; with a reason the loan is approved and the reason kept in its log."""
    from django.core.exceptions import ValidationError

    from market.models import TransitionLog
    from market.pledges.collateral import collateral_summary
    from market.pledges.services.applications import pledge_approve

    loan = apply(holder, bank_officer.organisation, [patent], amount="1000000")
    advice = collateral_summary(loan, user=bank_officer)
    terms = {"loan_id": loan.pk, "actor": bank_officer, "rate_percent": "3.6", "term_months": 12}
    above = advice.max_loan + Decimal("1000.00")
    with pytest.raises(ValidationError) as refused:
        pledge_approve(amount=above, pledge_ratio=advice.ratio, **terms)
    assert list(refused.value.message_dict) == ["above_advice_reason"]
    assert "高于建议" in refused.value.message_dict["above_advice_reason"][0]
    assert PledgeLoan.objects.get(pk=loan.pk).state == S.SUBMITTED

    page = client_for(bank_officer).post(reverse("frontend:pledge_action", args=[loan.pk, "approve"]), {
        "amount": str(above), "rate_percent": "3.6", "term_months": 12, "pledge_ratio": "1", "back": "review"})
    assert page.status_code == 400 and "请说明理由" in page.content.decode()

    pledge_approve(amount=above, pledge_ratio=advice.ratio, above_advice_reason="另有保证人连带责任担保", **terms)
    log = TransitionLog.for_object(loan).get(to_state=S.APPROVED)
    assert "高于建议，理由：另有保证人连带责任担保" in log.reason


def test_terms_within_the_advice_need_no_reason(holder, bank_officer, patent):
    from market.pledges.collateral import collateral_summary
    from market.pledges.services.applications import pledge_approve

    loan = apply(holder, bank_officer.organisation, [patent], amount="1000000")
    advice = collateral_summary(loan, user=bank_officer)
    assert advice.max_loan > 0
    approved = pledge_approve(loan_id=loan.pk, actor=bank_officer, amount=advice.max_loan, rate_percent="3.6",
                              term_months=12, pledge_ratio=advice.ratio)
    assert approved.state == S.APPROVED


def test_the_review_page_derives_ratio_and_amount_from_the_collateral_value(holder, bank_officer, patent):
    loan = apply(holder, bank_officer.organisation, [patent], amount="1000000")
    page = client_for(bank_officer).get(reverse("frontend:bank_review", args=[loan.pk])).content.decode()
    from market.pledges.collateral import collateral_summary

    value = collateral_summary(loan, user=bank_officer).p50
    assert page.count(f'data-collateral-value="{value}"') == 2  # on the amount and on the ratio
    assert "建议最高贷款额 ¥" in page and "高于建议的理由" in page
