"""The Content-Security-Policy holds in a real browser: pages load only our own files, run no inline script,
and nothing is refused (no console error)."""

import pytest
from playwright.sync_api import Browser

from market.models import Listing
from search.backends import get_search_backend
from tests.factories import ListingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def listing(holder, holder_org):
    listing = ListingFactory(organisation=holder_org, created_by=holder, title="高安全性锂电池隔膜专利转让")
    get_search_backend().index_listings(Listing.objects.all())
    return listing


def visit(browser: Browser, base_url: str, paths: list[str]) -> list[str]:
    """Console errors and refused resources while opening ``paths``."""
    page = browser.new_context(base_url=base_url, locale="zh-CN").new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(f"{message.type}: {message.text}")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("response", lambda response: problems.append(f"{response.status} {response.url}")
            if response.status >= 400 else None)
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        page.wait_for_load_state("networkidle")
    return problems


def test_public_pages_and_the_api_docs_run_under_the_policy(browser, live_server, listing):
    problems = visit(browser, live_server.url, ["/", "/search/?q=电池", f"/listings/{listing.pk}/", "/login/",
                                                "/verify/", "/api/docs/"])

    assert problems == [], "\n".join(problems)


def test_the_swagger_ui_renders_its_operations(browser, live_server):
    page = browser.new_context(base_url=live_server.url).new_page()
    page.goto("/api/docs/")

    page.locator(".opblock").first.wait_for(timeout=15_000)  # Swagger UI renders what scrolls into view

    assert page.locator(".opblock-summary-path").first.inner_text() == "/api/v1/abandonments/"
