"""The search page (also the home page): hits with highlights, facet counts as links, filters, htmx."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from market.models import Listing, ListingMode, ListingState
from market.regions import City
from search.backends import get_search_backend
from tests.factories import ListingFactory, OrganisationFactory, PatentFactory


def listed(title, *, mode=ListingMode.TRANSFER, city=City.HANGZHOU, price=Decimal("500000.00"), ipc="H01M10/0525",
           state=ListingState.PUBLISHED, days_ago=0, abstract="本发明涉及一种储能装置。"):
    org = OrganisationFactory(city=city)
    patent = PatentFactory(holders=[org], title=title, abstract=abstract, ipc_codes=[ipc])
    return ListingFactory(organisation=org, title=title, mode=mode, asking_price=price, state=state, patents=[patent],
                          published_at=timezone.now() - dt.timedelta(days=days_ago))


@pytest.fixture
def catalogue(db):
    listings = {
        "separator": listed("锂电池隔膜及其制备方法", price=Decimal("800000.00"), days_ago=2),
        "bms": listed("电池管理系统及均衡控制方法", mode=ListingMode.LICENCE, city=City.NINGBO, price=None,
                      ipc="H02J7/00", days_ago=1),
        "motor": listed("一种永磁同步电机控制方法", city=City.WENZHOU, ipc="H02P21/00",
                        abstract="本发明涉及电机的矢量控制。"),
        "draft": listed("电池热管理草稿", state=ListingState.DRAFT),
    }
    get_search_backend().index_listings(Listing.objects.all())
    return listings


def facet_link(html: str, facet: str, value: str) -> str:
    """The text of the facet link of ``value`` (label and count)."""
    part = html.split(f'data-facet="{facet}" data-value="{value}"', 1)[1].split("</a>", 1)[0]
    return " ".join(part.replace("<span>", " ").replace("</span>", " ").replace('<span class="n">', " ")
                    .split(">", 1)[1].split())


def test_a_chinese_query_finds_the_listings_with_that_word(client, catalogue):
    response = client.get("/search/", {"q": "电池"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "共 2 条挂牌" in html
    assert "锂<mark>电池</mark>隔膜及其制备方法" in html
    assert "<mark>电池</mark>管理系统及均衡控制方法" in html
    assert "永磁同步电机" not in html and "电池热管理草稿" not in html
    assert facet_link(html, "mode", "transfer") == "转让 1"
    assert facet_link(html, "mode", "licence") == "实施许可 1"
    assert facet_link(html, "city", "3302") == "宁波 1"
    assert "¥800,000.00" in html and "面议" in html


def test_clicking_a_facet_filters_and_keeps_the_other_values_countable(client, catalogue):
    html = client.get("/search/", {"q": "电池"}).content.decode()
    href = html.split('data-facet="mode" data-value="licence"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]
    assert href == "/search/?q=%E7%94%B5%E6%B1%A0&amp;mode=licence"

    filtered = client.get("/search/", {"q": "电池", "mode": "licence"}).content.decode()

    assert "共 1 条挂牌" in filtered
    assert "管理系统" in filtered and "隔膜及其制备方法" not in filtered
    assert facet_link(filtered, "mode", "transfer") == "转让 1"  # its own filter is left out of its counts
    assert '<input type="hidden" name="mode" value="licence">' in filtered


def test_filters_sort_and_the_home_page(client, catalogue):
    home = client.get("/").content.decode()
    assert "共 3 条挂牌" in home
    assert home.index("永磁同步电机") < home.index("电池管理系统") < home.index("锂电池隔膜")  # newest first

    by_price = client.get("/search/", {"sort": "price_desc"}).content.decode()
    assert by_price.index("锂电池隔膜") < by_price.index("永磁同步电机") < by_price.index("电池管理系统")

    ipc = client.get("/search/", {"ipc_prefix": "H02P"}).content.decode()
    assert "共 1 条挂牌" in ipc and "永磁同步电机" in ipc

    priced = client.get("/search/", {"price_min": "600000", "price_max": "900000"}).content.decode()
    assert "共 1 条挂牌" in priced and "锂电池隔膜" in priced


def test_an_invalid_filter_shows_its_message(client, catalogue):
    html = client.get("/search/", {"price_min": "abc"}).content.decode()

    assert "“abc”不是数字" in html


def test_htmx_gets_only_the_results_part(client, catalogue):
    response = client.get("/search/", {"q": "电池"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-results")

    html = response.content.decode()
    assert "<html" not in html and "<header" not in html
    assert "共 2 条挂牌" in html
    page = client.get("/search/", {"q": "电池"}).content.decode()
    assert 'hx-get="/search/"' in page and 'hx-push-url="true"' in page and 'hx-target="#search-results"' in page


def test_empty_form_fields_are_left_out_of_the_address(client, catalogue):
    form_submit = client.get("/search/", {"q": "电池", "ipc_prefix": "", "price_min": "", "sort": "relevance"})
    assert form_submit.status_code == 302
    assert form_submit["Location"] == "/search/?q=%E7%94%B5%E6%B1%A0&sort=relevance"

    htmx = client.get("/search/", {"q": "电池", "price_min": ""}, HTTP_HX_REQUEST="true",
                      HTTP_HX_TARGET="search-results")
    assert htmx.status_code == 200
    assert htmx["HX-Push-Url"] == "/search/?q=%E7%94%B5%E6%B1%A0"
    assert "HX-Request" in htmx["Vary"]


def test_listing_text_is_escaped_outside_the_marks(client, db):
    listed("电池<script>alert(1)</script>")
    get_search_backend().index_listings(Listing.objects.all())

    html = client.get("/search/", {"q": "电池"}).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_pages_of_results(client, db):
    for i in range(23):
        listed(f"储能电池模组{i}", days_ago=i)
    get_search_backend().index_listings(Listing.objects.all())

    first = client.get("/search/", {"q": "电池"}).content.decode()
    second = client.get("/search/", {"q": "电池", "page": "2"}).content.decode()

    assert first.count('class="hit"') == 20 and second.count('class="hit"') == 3
    assert "?q=%E7%94%B5%E6%B1%A0&amp;page=2" in first
    assert '<span class="current" aria-current="page">2</span>' in second


def test_price_ranges_without_results_are_not_offered(client, catalogue):
    from market.web.labels import pick_language
    from search.schema import PRICE_BUCKETS

    html = client.get("/search/").content.decode().split('class="facet facet-price"')[1].split("</ul>")[0]
    prices = [Decimal("800000.00"), Decimal("500000.00")]  # and one 面议
    for bucket in PRICE_BUCKETS:
        held = bucket.missing or any((bucket.lower is None or p >= bucket.lower)
                                     and (bucket.upper is None or p < bucket.upper) for p in prices)
        assert (pick_language(bucket.label) in html) == held, bucket.label


def test_a_first_visit_says_what_the_platform_does_with_its_figures(client, catalogue):
    html = client.get("/").content.decode()
    welcome = html.split('id="welcome"')[1].split("</section>")[0]
    assert "挂牌专利与注册商标" in welcome and "银行审查质押物" in welcome
    assert "在挂 3 项 · 累计成交 0 笔 · 质押融资放款 ¥0.00" in welcome
    assert 'id="welcome"' not in client.get("/search/", {"q": "电池"}).content.decode()
