"""IP finance in a real browser: a licensor pledges a licence's royalties and the bank registers the pledge
from its review of their value; staff assemble, simulate and issue a pool and distribute its first period,
which its investor reads."""

import datetime as dt

import pytest
from playwright.sync_api import Browser, expect

from finance.models import PoolState, ReceivablePledge, ReceivablePledgeState, SecuritisationPool
from market.licensing.services import open_licences
from tests.browser.conftest import _needs_chromium, browser_type_launch_args, eager_tasks  # noqa: F401
from tests.browser.test_transfer_in_browser import click_action, signed_in
from tests.factories import OrganisationFactory, PatentFactory, UserFactory
from tests.finance.test_receivable_pledges import licence  # noqa: F401  (fixture)
from tests.licences.conftest import ANNUAL, declare

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_royalty_pledge_and_a_pool_in_the_browser(live_server, browser: Browser, licence, holder,  # noqa: F811
                                                     bank_officer, buyer, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url

    holder_page = signed_in(browser, base, "holder")
    holder_page.goto("/me/receivable-pledges/new/")
    holder_page.get_by_label(f"{licence.number} · {licence.patent.title} · {buyer.organisation.name}").check()
    holder_page.get_by_label("质权银行").select_option(label=bank_officer.organisation.name)
    holder_page.get_by_label("融资金额（元）").fill("15000")
    holder_page.get_by_label("年利率（%）").fill("4")
    holder_page.get_by_label("质押期限至").fill(f"{dt.date.today() + dt.timedelta(days=365):%Y-%m-%d}")
    holder_page.get_by_role("button", name="提交申请").click()
    expect(holder_page.locator(".messages")).to_contain_text("应收账款质押申请已提交")
    pledge = ReceivablePledge.objects.get()

    bank_page = signed_in(browser, base, "bank")
    bank_page.goto("/me/receivable-pledges/")
    bank_page.get_by_role("link", name=pledge.number).click()
    expect(bank_page.locator("#receivable-value")).to_contain_text(licence.number)
    click_action(bank_page, "register", "已批准并登记")
    pledge.refresh_from_db()
    assert pledge.state == ReceivablePledgeState.REGISTERED
    expect(bank_page.locator("body")).to_contain_text(pledge.registration_number)

    buyer_page = signed_in(browser, base, "buyer")  # the licensee is told whom to pay
    buyer_page.goto(f"/receivable-pledges/{pledge.pk}/")
    expect(buyer_page.locator("body")).to_contain_text(bank_officer.organisation.name)

    # Staff open a pool of another licence (the pledged one is not offered), set one tranche and issue it.
    declaration = declare(holder, staff, PatentFactory(holders=[holder.organisation], title="一种电池管理系统"),
                          terms=ANNUAL, licence_years=3)
    other = open_licences.open_licence_take_up(declaration_id=declaration.pk, actor=buyer, idempotency_key="two",
                                               notice_confirmed=True)
    investor = OrganisationFactory(name="浙商证券资管")
    UserFactory(username="investor", organisation=investor)
    staff_page = signed_in(browser, base, "staff")
    staff_page.goto("/pools/")
    staff_page.get_by_label("专项计划名称").fill("许可收益浏览器1号")
    staff_page.get_by_label("期数").fill("2")
    staff_page.get_by_label("每期月数").select_option("12")
    staff_page.get_by_label("每期管理费（元）").fill("100")
    staff_page.locator('button[data-action="pool_new"]').click()
    pool = SecuritisationPool.objects.get()
    expect(staff_page.locator("#receivables")).not_to_contain_text(licence.number)
    staff_page.get_by_label(f"{other.number} · {other.patent.title} · {buyer.organisation.name}").check()
    click_action(staff_page, "pool_licences", "已加入许可")
    value = pool.receivables.get().present_value
    tranches = staff_page.locator("#tranches")
    tranches.get_by_label("规模（元）").first.fill(str(int(value * 8 / 10)))
    tranches.get_by_label("年票面利率（%）").first.fill("4")
    tranches.get_by_label("投资者").first.select_option(label=investor.name)
    click_action(staff_page, "pool_tranches", "分层结构已保存")
    click_action(staff_page, "pool_simulate", "模拟测算已完成")
    expect(staff_page.locator("#simulation")).to_contain_text("预期损失率")
    click_action(staff_page, "pool_issue", "专项计划已发行")
    click_action(staff_page, "pool_distribute", "本期收益已分配")
    pool.refresh_from_db()
    assert pool.state == PoolState.ISSUED and pool.distributions.count() == 1

    investor_page = signed_in(browser, base, "investor")
    investor_page.goto(f"/pools/{pool.pk}/")
    expect(investor_page.locator("#statements")).to_contain_text("第 1 期")
    expect(investor_page.locator("#statements")).to_contain_text(investor.name)
