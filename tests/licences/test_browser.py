"""Open licensing in a real browser: the holder declares (live rules check), staff announce, a licensee takes a
licence in one step from the listing and downloads its notice and 备案 PDFs."""

import pytest
from playwright.sync_api import Browser, expect

from market.licensing.models import Licence, OpenLicenceDeclaration
from tests.browser.conftest import _needs_chromium, browser_type_launch_args, eager_tasks  # noqa: F401
from tests.browser.test_transfer_in_browser import screenshot, signed_in

from ..factories import PatentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_declare_announce_and_take_a_licence_in_one_step(live_server, browser: Browser, holder, holder_org, buyer,
                                                         staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    patent = PatentFactory(holders=[holder_org], title="一种高安全性锂电池隔膜及其制备方法")
    base = live_server.url

    holder_page = signed_in(browser, base, "holder")
    holder_page.goto("/me/open-licences/new/")
    holder_page.get_by_label("专利", exact=True).select_option(str(patent.pk))
    expect(holder_page.locator("#rules-check")).to_contain_text("该专利可以声明开放许可")  # htmx, no reload
    holder_page.get_by_label("许可使用费支付方式").select_option("annual")
    holder_page.get_by_label("年许可费（元）").fill("12000")
    holder_page.get_by_role("button", name="保存草稿").click()
    expect(holder_page.locator(".messages")).to_contain_text("开放许可声明草稿已保存")
    holder_page.get_by_role("button", name="提交审核").click()
    expect(holder_page.locator(".messages")).to_contain_text("已提交审核")

    staff_page = signed_in(browser, base, "staff")
    staff_page.goto("/staff/licences/")
    staff_page.get_by_role("button", name="审核通过并公告").click()
    expect(staff_page.locator(".messages")).to_contain_text("已公告")
    declaration = OpenLicenceDeclaration.objects.get()

    buyer_page = signed_in(browser, base, "buyer")
    buyer_page.goto(f"/listings/{declaration.listing_id}/")
    expect(buyer_page.locator("#open-licence-terms")).to_contain_text("年许可费 ¥12,000.00")
    buyer_page.get_by_role("link", name="立即获得许可").click()
    buyer_page.locator("#take-up").get_by_role("checkbox").check()
    screenshot(buyer_page, "open-licence", width=390)
    buyer_page.locator("#take-up").get_by_role("button", name="立即获得许可").click()
    expect(buyer_page.locator(".messages")).to_contain_text("已获得许可")
    licence = Licence.objects.get()
    expect(buyer_page.locator("h1")).to_contain_text(licence.number)
    links = buyer_page.locator("#documents a.download")
    expect(links).to_have_count(2)
    for href in [links.nth(i).get_attribute("href") for i in range(2)]:
        response = buyer_page.request.get(href)
        assert response.status == 200 and response.body().startswith(b"%PDF")
    buyer_page.goto("/me/licences/")
    expect(buyer_page.locator("#licences-taken")).to_contain_text(licence.number)
