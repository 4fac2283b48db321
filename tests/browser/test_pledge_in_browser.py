"""Pledge financing of a patent in a real browser, from the application to the release, with the bank's desk
along the way; and the valuation agency's flow: a bank orders a formal valuation from its review, the agency
values and signs it off on its desk, the bank's review reads it and the report is issued."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, expect

from market.models import OrganisationKind
from market.pledges.models import PledgeLoan, PledgeLoanState
from tests.browser.conftest import _needs_chromium, browser_type_launch_args, eager_tasks  # noqa: F401
from tests.browser.test_transfer_in_browser import click_action, signed_in
from tests.factories import OrganisationFactory, PatentFactory, UserFactory
from tests.trademarks.test_browser import examine

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def patent(holder_org):
    return PatentFactory(holders=[holder_org], title="一种高安全性锂电池隔膜及其制备方法", applicants=holder_org.name,
                         filing_date=dt.date(2019, 3, 1), grant_date=dt.date(2021, 6, 1))


def apply_in_browser(page, bank_officer, patent, amount: str) -> PledgeLoan:
    page.goto("/pledges/")
    page.get_by_label(f"{patent.patent_number} {patent.title}").check()
    page.get_by_label("贷款银行").select_option(label=bank_officer.organisation.name)
    page.get_by_label("申请金额（元）").fill(amount)
    page.get_by_label("期限（月）").fill("12")
    page.get_by_label("借款用途").fill("补充流动资金")
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".messages")).to_contain_text("质押融资申请已提交")
    return PledgeLoan.objects.get()


def test_a_patent_pledged_from_application_to_release_in_the_browser(live_server, browser: Browser, holder,
                                                                      holder_org, bank_officer, staff, patent,
                                                                      settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    holder_page = signed_in(browser, base, "holder")
    loan = apply_in_browser(holder_page, bank_officer, patent, "200000")
    loan_url = f"/pledges/{loan.pk}/"

    # The bank finds it on its start page and in its queue (searched by the applicant), then reviews it.
    bank_page = signed_in(browser, base, "bank")
    bank_page.goto("/me/")
    expect(bank_page.locator("#waiting")).to_contain_text(loan.number)
    bank_page.goto("/bank/queue/")
    bank_page.get_by_placeholder("申请人、编号、专利号或名称").fill(holder_org.name[:4])
    bank_page.get_by_role("button", name="筛选").click()
    bank_page.get_by_role("link", name="审查", exact=True).click()
    expect(bank_page.locator("#collateral")).to_contain_text("建议最高贷款额")

    # Typing the amount sets the ratio (in percent of the collateral's P50), and back.
    approve = bank_page.locator("form.action-approve")
    value = Decimal(approve.get_by_label("批准金额（元）").get_attribute("data-collateral-value"))
    approve.get_by_label("批准金额（元）").fill("")
    approve.get_by_label("批准金额（元）").press_sequentially("100000")
    expect(approve.get_by_label("质押率（%）")).to_have_value(f"{Decimal(100000) / value * 100:.2f}")
    approve.get_by_label("质押率（%）").fill("")
    approve.get_by_label("质押率（%）").press_sequentially("10")
    expect(approve.get_by_label("批准金额（元）")).to_have_value(f"{value / 10:.2f}")
    approve.get_by_label("批准金额（元）").fill("100000")  # the ratio follows
    approve.get_by_label("年利率（%）").fill("3.6")
    approve.get_by_label("期限（月）").fill("12")
    approve.get_by_label("高于建议的理由").fill("出质人另提供房产抵押")
    click_action(bank_page, "approve", "已批准")
    click_action(bank_page, "draft_contract", "质押合同已起草")

    # Both read the draft before signing.
    holder_page.goto(loan_url)
    expect(holder_page.locator("#contract-draft")).to_contain_text("合同草稿（PDF）")
    draft = holder_page.request.get(f"{base}/pledges/{loan.pk}/contract-draft.pdf")
    assert draft.status == 200 and draft.headers["content-type"] == "application/pdf"
    bank_page.goto(loan_url)
    click_action(bank_page, "sign_contract", "已签署质押合同")
    holder_page.goto(loan_url)
    click_action(holder_page, "sign_contract", "已签署质押合同")
    click_action(holder_page, "file_registration", "已提交质押登记申请")

    staff_page = signed_in(browser, base, "staff")
    examine(staff_page, loan_url)
    assert PledgeLoan.objects.get().state == PledgeLoanState.REGISTERED
    bank_page.goto(loan_url)
    click_action(bank_page, "disburse", "贷款已发放")

    # The loan book shows what is owed and when.
    bank_page.goto("/bank/loans/")
    row = bank_page.locator("table.loan-book tr", has_text=loan.number)
    expect(row).to_contain_text("¥100,000.00")
    expect(row).to_contain_text("3.600%")

    loan = PledgeLoan.objects.get()
    owed = sum(i.outstanding for i in loan.instalments.all())
    holder_page.goto(loan_url)
    holder_page.locator("form.action-repay").get_by_label("还款金额（元）").fill(str(owed))
    click_action(holder_page, "repay", "还款成功")
    examine(staff_page, loan_url)
    assert PledgeLoan.objects.get().state == PledgeLoanState.RELEASED

    holder_page.goto(loan_url)
    documents = holder_page.locator("#documents")
    for name in ("专利权质押合同", "专利权质押登记申请表", "专利权质押登记通知书"):
        expect(documents).to_contain_text(name)


def test_a_bank_orders_a_formal_valuation_and_the_agency_signs_it_off_in_the_browser(
        live_server, browser: Browser, holder, bank_officer, patent, settings, tmp_path):
    from tests.pledges.steps import apply

    settings.MEDIA_ROOT = tmp_path / "media"
    agency_org = OrganisationFactory(name="之江资产评估有限公司", kind=OrganisationKind.VALUATION_AGENCY)
    UserFactory(username="appraiser", organisation=agency_org, display_name="胡评估师")
    loan = apply(holder, bank_officer.organisation, [patent])
    base = live_server.url

    bank_page = signed_in(browser, base, "bank")
    bank_page.goto(f"/bank/applications/{loan.pk}/")
    bank_page.get_by_text("委托正式评估").click()
    bank_page.get_by_label("委托说明").fill("请按收益法评估，用于质押融资")
    bank_page.locator('button[data-action="order_valuation"]').click()
    expect(bank_page.locator(".messages")).to_contain_text("已委托之江资产评估有限公司评估")

    # The agency lands on its desk, opens the order, values with its inputs and signs off.
    agency_page = signed_in(browser, base, "appraiser")
    expect(agency_page).to_have_url(f"{base}/valuations/desk/")
    agency_page.locator("#waiting").get_by_role("link", name="评估").click()
    form = agency_page.locator("#valuate")
    form.get_by_label("首年收入（元）").fill("3000000")
    form.get_by_label("提成率（%）").fill("4")
    form.get_by_label("专利分成比例（%）").fill("60")
    form.get_by_label("折现率（%）").fill("150")
    agency_page.locator('button[data-action="complete"]').click()
    expect(agency_page.locator("#valuate")).to_contain_text("折现率须大于 0 且小于 1")  # refused, field by field
    agency_page.locator("#valuate").get_by_label("折现率（%）").fill("12")
    agency_page.locator('button[data-action="complete"]').click()
    expect(agency_page.locator(".messages")).to_contain_text("评估已完成并签署")
    expect(agency_page.locator("body")).to_contain_text("之江资产评估有限公司已签署")
    agency_page.locator('button[data-action="report"]').click()
    expect(agency_page.locator("#documents")).to_contain_text("下载 PDF")

    # The bank's review now reads the signed valuation.
    from valuation.models import ValuationRequest

    number = ValuationRequest.objects.get().valuation.number
    bank_page.goto(f"/bank/applications/{loan.pk}/")
    expect(bank_page.locator("body")).to_contain_text(f"评估 {number}")
    bank_page.goto("/me/")
    expect(bank_page.locator("#waiting")).to_contain_text(loan.number)


def test_a_long_list_of_rights_is_searched_in_the_form(live_server, browser: Browser, holder, holder_org):
    titles = ["锂电池隔膜", "电池管理系统", "储能变流器", "光伏支架", "洗衣机排水阀", "空调变频器", "聚酯薄膜",
              "石墨烯纤维素", "海岛复合纤维"]
    patents = [PatentFactory(holders=[holder_org], title=f"一种{title}", filing_date=dt.date(2020, 1, 1 + i))
               for i, title in enumerate(titles)]
    page = signed_in(browser, live_server.url, "holder")
    page.goto("/pledges/")
    search = page.get_by_placeholder("按申请号或名称筛选")
    search.fill("排水阀")
    expect(page.get_by_label(f"{patents[4].patent_number} 一种洗衣机排水阀")).to_be_visible()
    expect(page.get_by_label(f"{patents[0].patent_number} 一种锂电池隔膜")).to_be_hidden()
    search.fill(patents[7].patent_number[:-2])
    expect(page.get_by_label(f"{patents[7].patent_number} 一种石墨烯纤维素")).to_be_visible()
