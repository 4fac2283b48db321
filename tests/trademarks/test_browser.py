"""A registered mark in a real browser: the holder lists it (refused until its identical mark on similar goods
goes with it), staff publish it, the buyer reads the mark's register facts and buys; the transfer is registered
and the trademark office's forms are downloaded; staff record a similarity decision at the similar-mark desk."""

from decimal import Decimal

import pytest
from playwright.sync_api import Browser, expect

from market.models import MarkSimilarity
from market.transfers.models import DealState, TransferDeal
from tests.browser.conftest import _needs_chromium, browser_type_launch_args, eager_tasks  # noqa: F401
from tests.browser.test_transfer_in_browser import click_action, signed_in

from ..factories import trademark

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_mark_listed_sold_and_registered_in_the_browser(live_server, browser: Browser, holder, holder_org, buyer,
                                                          staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    tea = trademark("丽水山耕", groups=("3002",), holders=[holder_org])
    drinks = trademark("丽水山耕", groups=("3002", "3202"), holders=[holder_org])
    near = trademark("丽水山耕园", groups=("3002",), holders=[holder_org])
    base = live_server.url

    # Staff first decide that 丽水山耕园 is not similar (else the listing would wait for their decision).
    staff_page = signed_in(browser, base, "staff")
    staff_page.goto("/staff/marks/?q=山耕")
    staff_page.get_by_role("link", name=tea.application_number).click()
    row = staff_page.locator("#similar tr", has_text=near.application_number)
    row.locator("select[name=similar]").select_option("no")
    row.get_by_placeholder("理由").fill("“园”字使整体含义不同")
    row.get_by_role("button", name="记录判定").click()
    expect(staff_page.locator(".messages")).to_contain_text("判定已记录")
    assert MarkSimilarity.objects.get().similar is False
    expect(staff_page.locator("#similar tr", has_text=drinks.application_number)).to_contain_text("相同商标")

    # The holder lists one mark alone: refused, naming its identical companion; then both together.
    holder_page = signed_in(browser, base, "holder")
    holder_page.goto("/me/")
    form = holder_page.locator("#new-listing")
    form.get_by_label("标题").fill("丽水山耕商标转让（茶）")
    form.get_by_label(f"第{tea.application_number}号 丽水山耕").check()
    form.get_by_label("挂牌价（元，留空为面议）").fill("800000")
    form.get_by_role("button", name="保存草稿").click()
    expect(holder_page.locator(".messages")).to_contain_text("挂牌草稿已创建")
    holder_page.locator("tr", has_text="丽水山耕商标转让（茶）").get_by_role("button", name="提交审核").click()
    expect(holder_page.locator("body")).to_contain_text("须一并办理")
    expect(holder_page.locator("body")).to_contain_text(drinks.application_number)
    holder_page.goto("/me/")
    form = holder_page.locator("#new-listing")
    form.get_by_label("标题").fill("丽水山耕商标转让（茶与饮料）")
    form.get_by_label(f"第{tea.application_number}号 丽水山耕").check()
    form.get_by_label(f"第{drinks.application_number}号 丽水山耕").check()
    form.get_by_label("挂牌价（元，留空为面议）").fill("1200000")
    form.get_by_role("button", name="保存草稿").click()
    holder_page.locator("tr", has_text="丽水山耕商标转让（茶与饮料）").get_by_role("button", name="提交审核").click()
    expect(holder_page.locator(".messages")).to_contain_text("已提交审核")

    staff_page.goto("/staff/listings/")
    staff_page.locator(".queue-item", has_text="丽水山耕商标转让（茶与饮料）").get_by_role("button", name="通过并发布").click()
    expect(staff_page.locator(".messages")).to_contain_text("已发布")

    # The buyer reads the mark's register facts on the listing page and makes an offer.
    buyer_page = signed_in(browser, base, "buyer")
    listing_id = TransferDeal._meta.apps.get_model("market", "Listing").objects.get(
        title="丽水山耕商标转让（茶与饮料）").pk
    buyer_page.goto(f"/listings/{listing_id}/")
    section = buyer_page.locator(f"#patent-{tea.pk}")
    expect(section).to_contain_text("第30类 方便食品")
    expect(section).to_contain_text("专用权期限至")
    buyer_page.get_by_label("价格（元）").fill("1150000")
    buyer_page.get_by_role("button", name="提交报价").click()
    expect(buyer_page.locator(".messages")).to_contain_text("报价已提交，交易已创建。")
    deal = TransferDeal.objects.get()
    deal_url = f"/deals/{deal.pk}/"

    holder_page.goto(deal_url)
    click_action(holder_page, "accept", "已接受报价")
    click_action(holder_page, "sign", "已签署转让合同")
    buyer_page.goto(deal_url)
    click_action(buyer_page, "sign", "已签署转让合同")
    click_action(buyer_page, "pay", "价款已付至托管账户")
    click_action(buyer_page, "file_registration", "已提交")
    click_action(buyer_page, "pay_registration_fee", "已缴纳变更登记费")

    staff_page.goto("/staff/listings/")
    staff_page.locator("#awaiting-registration").get_by_role("button", name="登记变更").click()
    expect(staff_page.locator(".messages")).to_contain_text("已登记")
    staff_page.locator("#awaiting-release").get_by_role("button", name="鉴证并放款").click()
    deal.refresh_from_db()
    assert deal.state == DealState.CLOSED
    assert set(tea.ownerships.values_list("organisation", flat=True)) == {buyer.organisation_id}

    # The trademark office's forms, by their names, as PDFs.
    buyer_page.goto(deal_url)
    documents = buyer_page.locator("#documents")
    expect(documents).to_contain_text("注册商标转让合同")
    expect(documents).to_contain_text("转让/移转申请/注册商标申请书")
    links = documents.locator("a.download")
    expect(links).to_have_count(4)  # the contract, one application per mark, the deal certificate
    for href in [links.nth(i).get_attribute("href") for i in range(4)]:
        response = buyer_page.request.get(href)
        assert response.status == 200 and response.body().startswith(b"%PDF")
    assert Decimal(deal.price) == Decimal("1150000.00")


def examine(staff_page, loan_url):
    """The registry examines what was filed: at once in process (the task runs eagerly), else by staff."""
    from market.pledges.models import PledgeFiling

    if PledgeFiling.objects.filter(state="filed").exists():
        staff_page.goto(loan_url)
        click_action(staff_page, "examine", "登记机关已作出决定")


def test_a_mark_pledged_registered_repaid_and_released_in_the_browser(live_server, browser: Browser, holder,
                                                                      holder_org, bank_officer, staff, settings,
                                                                      tmp_path):
    from market.pledges.models import PledgeLoan, PledgeLoanState

    settings.MEDIA_ROOT = tmp_path / "media"
    mark = trademark("越州本草", groups=("0501",), holders=[holder_org])
    base = live_server.url

    holder_page = signed_in(browser, base, "holder")
    holder_page.goto("/pledges/")
    holder_page.get_by_label(f"第{mark.application_number}号 越州本草").check()
    holder_page.get_by_label("贷款银行").select_option(label=bank_officer.organisation.name)
    holder_page.get_by_label("申请金额（元）").fill("300000")
    holder_page.get_by_label("借款用途").fill("补充流动资金")
    holder_page.get_by_role("button", name="提交申请").click()
    expect(holder_page.locator(".messages")).to_contain_text("质押融资申请已提交")
    loan = PledgeLoan.objects.get()
    loan_url = f"/pledges/{loan.pk}/"

    bank_page = signed_in(browser, base, "bank")
    bank_page.goto(f"/bank/applications/{loan.pk}/")
    expect(bank_page.locator("body")).to_contain_text("正式评估")  # a mark has no quick value
    approve = bank_page.locator("form.action-approve")
    approve.get_by_label("批准金额（元）").fill("300000")
    approve.get_by_label("年利率（%）").fill("3.6")
    approve.get_by_label("期限（月）").fill("12")
    approve.get_by_label("质押率（%）").fill("20")
    approve.get_by_label("高于建议的理由").fill("已委托正式评估，评估值足以覆盖")  # a mark has no quick value
    click_action(bank_page, "approve", "已批准")
    bank_page.goto(loan_url)
    click_action(bank_page, "draft_contract", "质押合同已起草")
    click_action(bank_page, "sign_contract", "已签署质押合同")
    holder_page.goto(loan_url)
    click_action(holder_page, "sign_contract", "已签署质押合同")
    click_action(holder_page, "file_registration", "已提交质押登记申请")

    staff_page = signed_in(browser, base, "staff")
    examine(staff_page, loan_url)
    assert PledgeLoan.objects.get().state == PledgeLoanState.REGISTERED
    bank_page.goto(loan_url)
    click_action(bank_page, "disburse", "贷款已发放")

    loan = PledgeLoan.objects.get()
    owed = sum(i.outstanding for i in loan.instalments.all())
    holder_page.goto(loan_url)
    holder_page.locator("form.action-repay").get_by_label("还款金额（元）").fill(str(owed))
    click_action(holder_page, "repay", "还款成功")
    examine(staff_page, loan_url)
    assert PledgeLoan.objects.get().state == PledgeLoanState.RELEASED

    holder_page.goto(loan_url)
    documents = holder_page.locator("#documents")
    for name in ("注册商标专用权质押合同", "商标专用权质权登记申请书", "商标专用权质权登记证", "商标专用权质权登记注销申请书"):
        expect(documents).to_contain_text(name)


def test_a_mark_licensed_and_its_licence_recorded_in_the_browser(live_server, browser: Browser, holder, holder_org,
                                                                  buyer, staff, settings, tmp_path):
    import datetime as dt

    from market.licensing.models import LicenceContract, LicenceContractState
    from market.models import ListingMode
    from tests.factories import ListingFactory

    settings.MEDIA_ROOT = tmp_path / "media"
    mark = trademark("越州本草", groups=("0501",), holders=[holder_org], registered=dt.date(2025, 3, 1))
    listing = ListingFactory(organisation=holder_org, created_by=holder, title="“越州本草”商标使用许可",
                             mode=ListingMode.LICENCE, asking_price=Decimal("50000"), patents=[mark])
    base = live_server.url
    today = dt.date.today()

    buyer_page = signed_in(browser, base, "buyer")
    buyer_page.goto(f"/listings/{listing.pk}/licence-offer/")
    buyer_page.get_by_label("许可类型").select_option("ordinary_licence")
    buyer_page.get_by_label("许可起始日").fill(today.isoformat())
    buyer_page.get_by_label("许可终止日").fill((today + dt.timedelta(days=700)).isoformat())
    buyer_page.get_by_label("许可使用费支付方式").select_option("annual")
    buyer_page.get_by_label("年许可费（元）").fill("50000")
    buyer_page.get_by_role("button", name="提交报价").click()
    contract = LicenceContract.objects.get()
    contract_url = f"/licence-contracts/{contract.pk}/"

    holder_page = signed_in(browser, base, "holder")
    holder_page.goto(contract_url)
    click_action(holder_page, "accept", "已接受")
    click_action(holder_page, "sign", "已签署")
    buyer_page.goto(contract_url)
    click_action(buyer_page, "sign", "已签署")
    if LicenceContract.objects.get().state == LicenceContractState.SIGNED:
        click_action(buyer_page, "pay", "首期许可使用费已支付")
    holder_page.goto(contract_url)
    click_action(holder_page, "file_record", "备案")
    staff_page = signed_in(browser, base, "staff")
    staff_page.goto(contract_url)
    click_action(staff_page, "record", "已备案")
    assert LicenceContract.objects.get().state == LicenceContractState.RECORDED
    buyer_page.goto(contract_url)
    documents = buyer_page.locator("#documents")
    expect(documents).to_contain_text("商标使用许可合同")
    expect(documents).to_contain_text("商标使用许可备案表")
