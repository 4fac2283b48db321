"""Staff take a demand to a proposed match in the browser; the buyer sees the proposal and its notification."""

from decimal import Decimal

import pytest
from playwright.sync_api import Browser, expect

from market.models import Listing, ListingMode
from matching.models import MatchProposal, ProposalState
from matching.services.demands import demand_create
from search.backends import get_search_backend
from tests.factories import ListingFactory, PatentFactory

from .test_transfer_in_browser import screenshot, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demand(holder, holder_org, buyer):
    patent = PatentFactory(holders=[holder_org], title="一种高安全性锂电池隔膜及其制备方法",
                           abstract="本发明公开了一种锂电池隔膜，孔隙率高，热稳定性好。", ipc_codes=["H01M50/403"])
    ListingFactory(organisation=holder_org, created_by=holder, title="高安全性锂电池隔膜专利转让",
                   mode=ListingMode.TRANSFER, asking_price=Decimal("800000.00"), patents=[patent])
    get_search_backend().index_listings(Listing.objects.all())
    return demand_create(actor=buyer, title="锂电池隔膜技术需求", text="寻求热稳定性好的锂电池隔膜技术",
                         wanted_modes=["transfer"], ipc_prefixes=["H01M"], budget_max="1000000")


def test_staff_take_a_demand_to_a_proposed_match(live_server, browser: Browser, demand, staff, buyer):
    staff_page = signed_in(browser, live_server.url, "staff")
    staff_page.get_by_role("link", name="需求匹配").click()
    card = staff_page.locator(f"#demand-{demand.pk}")
    expect(card).to_contain_text("锂电池隔膜技术需求")
    match = card.locator(".match").first
    expect(match).to_contain_text("高安全性锂电池隔膜专利转让")
    expect(match.locator(".chip.ipc")).to_have_text("IPC H01M50")
    screenshot(staff_page, "matching-workspace")

    match.get_by_label("推荐说明（选填）").fill("热稳定性指标吻合")
    match.get_by_role("button", name="推荐给需求方").click()

    expect(staff_page.locator(".messages")).to_contain_text("已推荐“高安全性锂电池隔膜专利转让”，双方将收到通知。")
    expect(staff_page.locator(f"#demand-{demand.pk} .match").first).to_contain_text("已推荐")
    proposal = MatchProposal.objects.get()
    assert (proposal.state, proposal.note, proposal.proposed_by) == (ProposalState.PROPOSED, "热稳定性指标吻合", staff)
    expect(staff_page.locator(f"#proposal-{proposal.pk}")).to_contain_text("已推荐")

    buyer_page = signed_in(browser, live_server.url, "buyer")
    expect(buyer_page.locator(".main-nav")).to_contain_text("我的订阅 1")
    buyer_page.get_by_role("link", name="我的订阅").click()
    buyer_page.locator(".notification a").first.click()
    expect(buyer_page.locator(f"#proposal-{proposal.pk}")).to_contain_text("高安全性锂电池隔膜专利转让")
    expect(buyer_page.locator('button[data-action="start_deal"]')).to_be_visible()
    screenshot(buyer_page, "demand")
