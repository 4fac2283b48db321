"""A whole transfer in the browser: search, offer, accept, sign, pay, file, register, release, download."""

import os
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, Page, expect

from market.models import Listing, ListingMode
from market.transfers.models import DealState, TransferDeal
from search.backends import get_search_backend
from tests.factories import ListingFactory, PatentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass12345"  # tests.factories.UserFactory
TIMEOUT_MS = 15_000


@pytest.fixture
def published(holder, holder_org):
    patent = PatentFactory(holders=[holder_org], title="一种高安全性锂电池隔膜及其制备方法",
                           abstract="本发明公开了一种锂电池隔膜，提高了电池的热稳定性。")
    listing = ListingFactory(organisation=holder_org, created_by=holder, title="高安全性锂电池隔膜专利转让",
                             mode=ListingMode.TRANSFER, asking_price=Decimal("1200000.00"), patents=[patent])
    get_search_backend().index_listings(Listing.objects.all())
    return listing


def signed_in(browser: Browser, base_url: str, username: str) -> Page:
    """A new browser context (its own cookies) signed in as ``username``."""
    page = browser.new_context(base_url=base_url, locale="zh-CN").new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".who")).to_have_attribute("title", username)
    return page


def click_action(page: Page, action: str, flash: str) -> None:
    page.locator(f'button[data-action="{action}"]').click()
    expect(page.locator(".messages")).to_contain_text(flash)


def screenshot(page: Page, name: str, width: int = 1280) -> None:
    """With FRONTEND_SCREENSHOTS=<folder>, save the page there (to look at the layout by hand)."""
    if folder := os.environ.get("FRONTEND_SCREENSHOTS"):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})


def test_a_transfer_from_search_to_documents(live_server, browser: Browser, published, holder, buyer, staff):
    base = live_server.url

    # A visitor searches in Chinese; htmx swaps the results and pushes the URL.
    visitor = browser.new_context(base_url=base, locale="zh-CN").new_page()
    visitor.set_default_timeout(TIMEOUT_MS)
    visitor.goto("/")
    visitor.evaluate("window.stillTheSamePage = true")
    visitor.get_by_placeholder("专利名称、摘要、技术关键词，如：电池").fill("电池")
    visitor.get_by_role("button", name="搜索").click()
    expect(visitor).to_have_url(re.compile(r"/search/\?q=%E7%94%B5%E6%B1%A0"))
    hit = visitor.locator(".hit h2 a", has_text="高安全性锂电池隔膜专利转让")
    expect(hit).to_be_visible()
    expect(visitor.locator(".hit mark").first).to_have_text("电池")
    assert visitor.evaluate("window.stillTheSamePage") is True  # htmx swapped the results, no reload
    screenshot(visitor, "search")
    hit.click()
    expect(visitor.locator("h1")).to_have_text("高安全性锂电池隔膜专利转让")

    # The buyer signs in and makes an offer: the deal page opens.
    buyer_page = signed_in(browser, base, "buyer")
    buyer_page.goto(f"/listings/{published.pk}/")
    buyer_page.get_by_label("价格（元）").fill("1100000")
    screenshot(buyer_page, "listing", width=390)
    buyer_page.get_by_role("button", name="提交报价").click()
    expect(buyer_page.locator(".messages")).to_contain_text("报价已提交，交易已创建。")
    deal = TransferDeal.objects.get()
    deal_url = f"/deals/{deal.pk}/"

    # The seller, in a second context, accepts and signs.
    seller_page = signed_in(browser, base, "holder")
    seller_page.goto(deal_url)
    click_action(seller_page, "accept", "已接受报价")
    click_action(seller_page, "sign", "已签署转让合同")

    # The buyer signs, pays into escrow, files the change and pays its fee.
    buyer_page.goto(deal_url)
    click_action(buyer_page, "sign", "已签署转让合同")
    click_action(buyer_page, "pay", "价款已付至托管账户")
    click_action(buyer_page, "file_registration", "已提交著录项目变更登记")
    click_action(buyer_page, "pay_registration_fee", "已缴纳变更登记费")

    # Staff register the change and release the escrow from their queue.
    staff_page = signed_in(browser, base, "staff")
    staff_page.goto("/staff/listings/")
    screenshot(staff_page, "staff")
    staff_page.locator("#awaiting-registration").get_by_role("button", name="登记变更").click()
    expect(staff_page.locator(".messages")).to_contain_text("著录项目变更已登记")
    staff_page.locator("#awaiting-release").get_by_role("button", name="鉴证并放款").click()
    expect(staff_page.locator(".messages")).to_contain_text("已鉴证，托管价款已放款，交易完成。")
    assert TransferDeal.objects.get().state == DealState.CLOSED

    # The buyer downloads the three documents.
    buyer_page.goto(deal_url)
    expect(buyer_page.locator(".progress .step.done")).to_have_count(7)
    links = buyer_page.locator("#documents a.download")
    expect(links).to_have_count(3)
    for href in [links.nth(i).get_attribute("href") for i in range(3)]:
        response = buyer_page.request.get(href)
        assert response.status == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.body().startswith(b"%PDF")
    screenshot(buyer_page, "deal")
    buyer_page.goto("/me/")
    screenshot(buyer_page, "workspace", width=390)


def test_on_a_phone_the_results_come_before_the_filters(live_server, browser: Browser, published):
    page = browser.new_context(base_url=live_server.url, locale="zh-CN",
                               viewport={"width": 390, "height": 844}).new_page()
    page.goto("/search/?q=隔膜")
    first = page.locator(f'a[href="/listings/{published.pk}/"]').first
    expect(first).to_be_visible()
    assert first.bounding_box()["y"] < 844  # on the first screen
    assert page.locator("#filters").bounding_box()["y"] > first.bounding_box()["y"]
    expect(page.locator(".to-filters")).to_be_visible()
