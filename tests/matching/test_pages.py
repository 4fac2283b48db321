"""The matching pages without a browser: the staff workspace, demand pages, proposal actions, 保存搜索, 我的订阅."""

import pytest
from django.urls import reverse

from market.transfers.models import DealState, TransferDeal
from matching.models import Demand, DemandState, MatchProposal, ProposalState, SavedSearch
from matching.services.proposals import proposal_create, proposal_start_deal
from notifications.services import notify
from tests.market.deal_steps import advance

from .conftest import page_client

WORKSPACE = "/matching/"


@pytest.fixture(autouse=True)
def chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"


def test_the_workspace_shows_open_demands_with_their_top_matches_to_staff(market, demand, staff):
    response = page_client(staff).get(WORKSPACE)

    assert response.status_code == 200
    html = response.content.decode()
    assert "需求匹配工作台" in html and "高安全性锂电池隔膜技术" in html and "宁波甬江电池科技有限公司" in html
    assert html.index("一种高安全性锂电池隔膜及其制备方法") < html.index("锂离子电池电解液及其制备方法")
    assert '<span class="chip ipc mono">IPC H01M50</span>' in html and '<span class="chip term">孔隙率</span>' in html
    assert "在预算内" in html and "面议" in html
    assert html.count('data-action="propose"') == 2
    assert '<strong data-figure="proposals">0</strong>' in html


@pytest.mark.parametrize("who", ["buyer", "holder", "outsider", "bank_officer"])
def test_the_workspace_is_for_staff_only(demand, request, who):
    response = page_client(request.getfixturevalue(who)).get(WORKSPACE)

    assert response.status_code == 403
    assert "只有交易中心工作人员可以访问" in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(demand, client):
    for path in (WORKSPACE, f"/demands/{demand.pk}/", "/demands/", "/subscriptions/"):
        assert client.get(path)["Location"].startswith(reverse("frontend:login"))


def test_staff_propose_a_match_from_the_workspace(market, demand, staff, django_capture_on_commit_callbacks):
    client = page_client(staff)

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(f"/demands/{demand.pk}/propose/", {
            "listing_id": market["separator"].pk, "note": "指标吻合", "next": WORKSPACE})

    assert response.status_code == 302 and response["Location"] == WORKSPACE
    proposal = MatchProposal.objects.get()
    assert (proposal.listing, proposal.note, proposal.proposed_by) == (market["separator"], "指标吻合", staff)
    html = client.get(WORKSPACE).content.decode()
    assert "已推荐“一种高安全性锂电池隔膜及其制备方法”，双方将收到通知。" in html
    assert html.count('data-action="propose"') == 1 and '<span class="badge state-published">已推荐</span>' in html
    assert 'id="follow-ups"' in html and f'id="proposal-{proposal.pk}"' in html


def test_a_refused_proposal_shows_its_reason(market, demand, staff):
    response = page_client(staff).post(f"/demands/{demand.pk}/propose/", {"listing_id": market["own"].pk})

    assert response.status_code == 409
    assert "不能向需求方推荐其自己的挂牌" in response.content.decode()
    assert not MatchProposal.objects.exists()


def test_only_staff_propose_from_the_page(market, demand, buyer):
    response = page_client(buyer).post(f"/demands/{demand.pk}/propose/", {"listing_id": market["separator"].pk})

    assert response.status_code == 403
    assert not MatchProposal.objects.exists()


def test_the_demand_page_is_its_organisations_and_staffs(market, demand, buyer, staff, holder, outsider):
    proposal_create(demand_id=demand.pk, listing_id=market["separator"].pk, actor=staff)

    html = page_client(buyer).get(f"/demands/{demand.pk}/").content.decode()
    assert "匹配推荐" in html and 'data-action="start_deal"' in html and "寻求高安全性锂电池隔膜技术" in html
    assert 'data-action="propose"' not in html
    assert page_client(staff).get(f"/demands/{demand.pk}/").status_code == 200
    for other in (holder, outsider):
        assert page_client(other).get(f"/demands/{demand.pk}/").status_code == 404


def test_the_demand_organisation_starts_a_deal_from_the_page(market, demand, buyer, staff):
    proposal = proposal_create(demand_id=demand.pk, listing_id=market["separator"].pk, actor=staff)

    response = page_client(buyer).post(f"/proposals/{proposal.pk}/actions/start_deal/", {"price": "780000",
                                                                                         "message": "按推荐报价"})

    deal = TransferDeal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/deals/{deal.pk}/"
    assert MatchProposal.objects.get().state == ProposalState.DEAL_STARTED


def test_staff_mark_outcomes_from_the_page_and_the_workspace_shows_conversion(market, demand, buyer, holder, staff):
    started = proposal_create(demand_id=demand.pk, listing_id=market["separator"].pk, actor=staff)
    rejected = proposal_create(demand_id=demand.pk, listing_id=market["electrolyte"].pk, actor=staff)
    client = page_client(staff)

    assert client.post(f"/proposals/{rejected.pk}/actions/reject/", {"reason": "价格不合适"}).status_code == 302
    deal = proposal_start_deal(proposal_id=started.pk, actor=buyer, price="800000").deal
    refused = client.post(f"/proposals/{started.pk}/actions/deal_closed/")
    assert refused.status_code == 409 and "尚未完成" in refused.content.decode()
    advance(deal, to=DealState.CLOSED, seller=holder, buyer=buyer, staff=staff)
    assert client.post(f"/proposals/{started.pk}/actions/deal_closed/").status_code == 302

    html = client.get(WORKSPACE).content.decode()
    assert '<strong data-figure="proposals">2</strong>' in html
    assert '<strong data-figure="deals_started">1</strong>' in html and '<strong data-figure="deals_closed">1</strong>' in html
    assert '<span data-figure="started_rate">50.0%</span>' in html
    assert '<span data-figure="closed_of_started_rate">100.0%</span>' in html
    assert page_client(buyer).post(f"/proposals/{rejected.pk}/actions/accept/").status_code == 403


def test_a_buyer_posts_a_demand_from_the_page(buyer, buyer_org):
    client = page_client(buyer)
    assert 'name="organisation"' not in client.get("/demands/new/").content.decode()

    response = client.post("/demands/new/", {
        "title": "耐高温隔膜", "text": "需要耐高温隔膜", "wanted_modes": ["transfer"], "ipc_prefixes": "H01M50，H01M10",
        "budget_min": "100000", "budget_max": "200000", "regions": ["3301", "3302"]})

    demand = Demand.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/demands/{demand.pk}/"
    assert (demand.organisation, demand.ipc_prefixes, demand.regions) == (buyer_org, ["H01M50", "H01M10"],
                                                                          ["3301", "3302"])


def test_an_inverted_budget_is_shown_on_the_form(buyer):
    response = page_client(buyer).post("/demands/new/", {
        "title": "耐高温隔膜", "text": "需要耐高温隔膜", "wanted_modes": ["transfer"], "budget_min": "300000",
        "budget_max": "200000"})

    assert response.status_code == 400
    assert "预算上限不能低于预算下限 / The budget maximum must not be below the minimum" in response.content.decode()
    assert not Demand.objects.exists()


def test_staff_post_a_demand_on_behalf_from_the_page(staff, buyer_org):
    client = page_client(staff)
    assert 'name="organisation"' in client.get("/demands/new/").content.decode()

    response = client.post("/demands/new/", {"organisation": buyer_org.pk, "title": "耐高温隔膜", "text": "需要耐高温隔膜",
                                             "wanted_modes": ["licence"]})

    assert response.status_code == 302
    demand = Demand.objects.get()
    assert (demand.organisation, demand.created_by) == (buyer_org, staff)
    assert "交易中心代录" in client.get(f"/demands/{demand.pk}/").content.decode()


def test_the_owner_withdraws_from_the_page_and_others_cannot(demand, buyer, outsider):
    assert page_client(outsider).post(f"/demands/{demand.pk}/actions/withdraw/").status_code == 404

    response = page_client(buyer).post(f"/demands/{demand.pk}/actions/withdraw/", {"reason": "不再需要"})

    assert response.status_code == 302
    assert Demand.objects.get().state == DemandState.WITHDRAWN


def test_my_demands_and_the_proposals_of_my_listings(market, demand, buyer, holder, staff):
    proposal_create(demand_id=demand.pk, listing_id=market["separator"].pk, actor=staff)

    assert "高安全性锂电池隔膜技术" in page_client(buyer).get("/demands/").content.decode()
    holder_html = page_client(holder).get("/demands/").content.decode()
    assert 'id="incoming"' in holder_html and "宁波甬江电池科技有限公司" in holder_html
    assert f'href="/demands/{demand.pk}/"' not in holder_html


def test_the_search_page_offers_to_save_the_search(buyer, client, db):
    assert 'data-action="save-search"' in page_client(buyer).get("/search/?q=隔膜").content.decode()
    assert "登录后保存搜索" in client.get("/search/?q=隔膜").content.decode()


def test_saving_a_search_without_javascript(buyer):
    response = page_client(buyer).post("/subscriptions/save/", {"name": "", "query": "q=隔膜&mode=transfer&page=2"})

    assert response.status_code == 302 and response["Location"] == "/subscriptions/"
    saved = SavedSearch.objects.get()
    assert (saved.user, saved.name, saved.params) == (buyer, "隔膜", {"q": ["隔膜"], "mode": ["transfer"]})


def test_saving_a_search_with_htmx_takes_the_address_bars_query(buyer):
    response = page_client(buyer).post("/subscriptions/save/", {"name": "杭州隔膜", "query": "q=隔膜",
                                                                "current_query": "q=隔膜&city=3301"},
                                       HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "已保存搜索“杭州隔膜”" in response.content.decode()
    assert SavedSearch.objects.get().params == {"q": ["隔膜"], "city": ["3301"]}


def test_a_bad_search_is_not_saved(buyer):
    response = page_client(buyer).post("/subscriptions/save/", {"current_query": "price_min=abc"},
                                       HTTP_HX_REQUEST="true")

    assert response.status_code == 200  # htmx swaps only 2xx answers into the page
    assert "“abc”不是数字 / &#x27;abc&#x27; is not a number" in response.content.decode()
    assert not SavedSearch.objects.exists()


def test_my_subscriptions_lists_saved_searches_and_notifications(buyer, outsider):
    page_client(buyer).post("/subscriptions/save/", {"query": "q=隔膜&mode=transfer"})
    notify(key="test:1", kind="saved_search_digest", title="您订阅的“隔膜”有 1 条新挂牌", body="· 复合隔膜", users=[buyer])
    client = page_client(buyer)

    html = client.get("/subscriptions/").content.decode()

    assert "关键词：隔膜" in html and "交易方式：转让" in html
    assert "您订阅的“隔膜”有 1 条新挂牌" in html and "未读" in html
    assert '我的订阅 <span class="count">1</span>' in html  # the nav's unread badge
    assert client.post("/subscriptions/notifications/read/").status_code == 302
    assert '我的订阅 <span class="count">' not in client.get("/subscriptions/").content.decode()
    saved = SavedSearch.objects.get()
    assert page_client(outsider).post(f"/subscriptions/{saved.pk}/delete/").status_code == 404
    assert client.post(f"/subscriptions/{saved.pk}/delete/").status_code == 302
    assert not SavedSearch.objects.exists()


def test_the_nav_links_matching_for_staff_only(staff, buyer):
    assert 'href="/matching/"' in page_client(staff).get("/").content.decode()
    buyer_html = page_client(buyer).get("/").content.decode()
    assert 'href="/matching/"' not in buyer_html and 'href="/demands/"' in buyer_html


def test_the_matching_pages_in_english(market, demand, staff, buyer):
    client = page_client(staff)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    html = client.get(WORKSPACE).content.decode()

    assert "Matching workspace" in html and "Open demands" in html and "Propose to the buyer" in html
    assert "Budget：¥500,000.00 – ¥1,000,000.00" in html and "Within budget" in html and "Transfer" in html
    assert "需求匹配工作台" not in html
    buyer_client = page_client(buyer)
    buyer_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Our demands" in buyer_client.get("/demands/").content.decode()
