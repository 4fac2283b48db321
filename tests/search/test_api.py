"""GET /api/v1/search/listings/: anyone may search public listings; bad parameters get 400 with field messages."""

import pytest
from django.urls import include, path, reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from search.schema import FACETS

URL = "/api/v1/search/listings/"


@pytest.fixture
def client():
    return APIClient()


def test_the_route_is_named():
    assert reverse("search:listings") == URL


def test_anonymous_search_returns_hits_total_facets_and_highlights(client, catalogue):
    response = client.get(URL, {"q": "电池", "page_size": 50})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == len(catalogue.containing("电池")) == len(body["hits"])
    assert (body["page"], body["page_size"], body["num_pages"]) == (1, 50, 1)
    assert set(body["facets"]) == set(FACETS)
    assert body["facets"]["price"][0] == {"value": "negotiable", "label": "面议 Negotiable",
                                          "count": body["facets"]["price"][0]["count"]}
    separator = catalogue.named["锂电池隔膜"]
    patent = separator.patents.get()
    hit = next(h for h in body["hits"] if h["listing_id"] == separator.pk)
    assert hit == {
        "listing_id": separator.pk,
        "title": "一种锂电池隔膜及其制备方法",
        "score": hit["score"],
        "mode": "transfer",
        "mode_label": "转让 Transfer",
        "asking_price": "800000.00",
        "holder": "杭州之江新材有限公司",
        "city": "3301",
        "city_label": "杭州",
        "industry": "new_materials",
        "industry_label": "新材料 New materials",
        "patent_numbers": [patent.patent_number],
        "remaining_years": round(patent.remaining_years(), 2),
        "published_at": hit["published_at"],
        "highlights": {"title": "一种锂<mark>电池</mark>隔膜及其制备方法",
                       "abstract": "本发明公开了一种锂<mark>电池</mark>隔膜，孔隙率高，热稳定性好。"},
    }
    assert hit["score"] > 0 and hit["published_at"].startswith("20")


def test_negotiable_price_is_null(client, catalogue):
    body = client.get(URL, {"q": "电池管理系统"}).json()
    assert [(h["title"], h["asking_price"]) for h in body["hits"]] == [("一种电池管理系统及均衡方法", None)]


def test_filters_repeat_or_take_commas(client, catalogue):
    repeated = client.get(URL + "?mode=transfer&mode=licence&city=宁波&page_size=100").json()
    commas = client.get(URL, {"mode": "transfer,licence", "city": "3302", "page_size": 100}).json()
    expected = catalogue.ids(lambda listing: listing.mode in ("transfer", "licence")
                             and listing.organisation.city == "3302")
    assert {h["listing_id"] for h in repeated["hits"]} == {h["listing_id"] for h in commas["hits"]} == expected
    assert repeated["total"] == len(expected)


def test_pages_and_sort(client, catalogue):
    body = client.get(URL, {"sort": "price_desc", "page": 2, "page_size": 5}).json()
    everything = client.get(URL, {"sort": "price_desc", "page_size": 100}).json()
    assert [h["listing_id"] for h in body["hits"]] == [h["listing_id"] for h in everything["hits"]][5:10]
    assert body["num_pages"] == 7 and body["total"] == 35


def test_unpublished_listings_never_appear(client, catalogue):
    body = client.get(URL, {"q": "电池热管理", "page_size": 100}).json()
    assert body["total"] == 0 and body["hits"] == []


def test_signed_in_users_search_the_same(client, catalogue, holder):
    client.force_authenticate(holder)
    assert client.get(URL, {"q": "隔膜"}).json()["total"] == len(catalogue.containing("隔膜")) == 3


@pytest.mark.parametrize("params, field, fragment", [
    ({"sort": "cheapest"}, "sort", "未知的取值“cheapest”"),
    ({"mode": "gift"}, "mode", "Unknown value 'gift'"),
    ({"page": "0"}, "page", "页码须为正整数 / page must be a positive integer"),
    ({"page": "abc"}, "page", "“abc”不是正整数 / 'abc' is not a positive integer"),
    ({"page_size": "500"}, "page_size", "每页条数须在 1 至 100 之间"),
    ({"price_min": "9", "price_max": "1"}, "price_max", "最高价不能低于最低价 / price_max must not be below price_min"),
    ({"remaining_years_min": "many"}, "remaining_years_min", "is not a number"),
    ({"ipc_prefix": "电池"}, "ipc_prefix", "IPC"),
    ({"q": "电" * 201}, "q", "检索词不能超过 200 个字符"),
])
def test_bad_parameters_get_400_with_field_messages_case(client, backend, params, field, fragment):
    response = client.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [field]
    assert fragment in body[field][0]
    assert " / " in body[field][0]


def test_every_bad_parameter_is_reported(client, backend):
    response = client.get(URL, {"sort": "x", "city": "北京", "page": "-2"})
    assert response.status_code == 400
    assert set(response.json()) == {"sort", "city", "page"}


def test_searching_is_read_only(client, backend):
    assert client.post(URL, {"q": "电池"}).status_code == 405


def test_the_schema_documents_parameters_and_response():
    generator = SchemaGenerator(patterns=[path("api/v1/search/", include("search.urls"))])
    schema = generator.get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/search/listings/"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert {"q", "mode", "kind", "industry", "city", "legal_status", "ipc_prefix", "price_min", "price_max",
            "remaining_years_min", "sort", "page", "page_size"} <= set(parameters)
    assert parameters["mode"]["schema"]["type"] == "array"
    assert "transfer" in parameters["mode"]["schema"]["items"]["enum"]
    assert set(parameters["sort"]["schema"]["enum"]) == {"relevance", "price_asc", "price_desc", "newest",
                                                         "remaining_life", "royalty"}
    assert set(operation["responses"]) == {"200", "400", "401", "403", "404", "429", "503"}
    page = schema["components"]["schemas"]["SearchPage"]["properties"]
    assert {"total", "page", "page_size", "hits", "facets"} <= set(page)
    hit = schema["components"]["schemas"]["SearchHit"]["properties"]
    assert hit["asking_price"]["type"] == "string" and hit["asking_price"]["nullable"] is True


# -- suggestions
SUGGEST_URL = "/api/v1/search/suggest/"


def test_suggest_returns_titles_holders_and_ipc_classes(client, catalogue):
    assert reverse("search:suggest") == SUGGEST_URL
    body = client.get(SUGGEST_URL, {"q": "锂电"}).json()
    kinds = {item["kind"] for item in body["suggestions"]}
    assert {"text": "一种锂电池隔膜及其制备方法", "kind": "title", "kind_label": "挂牌 Listing",
            "params": {"q": "一种锂电池隔膜及其制备方法"}} in body["suggestions"]
    assert kinds == {"title"}
    holder = client.get(SUGGEST_URL, {"q": "之江"}).json()["suggestions"]
    assert holder == [{"text": "杭州之江新材有限公司", "kind": "holder", "kind_label": "权利人 Holder",
                       "params": {"q": "杭州之江新材有限公司"}}]
    ipc = client.get(SUGGEST_URL, {"q": "H01M"}).json()["suggestions"]
    assert ipc[-1]["params"] == {"ipc_prefix": "H01M"} and ipc[-1]["kind"] == "ipc"


def test_suggest_without_text_suggests_nothing(client, backend):
    assert client.get(SUGGEST_URL).json() == {"suggestions": []}
    assert client.get(SUGGEST_URL, {"q": "  "}).json() == {"suggestions": []}


# -- similar listings
def similar_url(pk: int) -> str:
    return f"/api/v1/search/listings/{pk}/similar/"


def test_similar_listings_of_a_published_listing(client, catalogue):
    listing = catalogue.named["锂电池隔膜"]
    assert reverse("search:similar", args=[listing.pk]) == similar_url(listing.pk)
    hits = client.get(similar_url(listing.pk)).json()["hits"]
    ids = [hit["listing_id"] for hit in hits]
    assert 0 < len(ids) <= 6 and listing.pk not in ids
    assert set(ids) <= catalogue.ids()
    assert {"title", "mode_label", "asking_price", "holder"} <= set(hits[0])


def test_similar_listings_of_a_draft_only_for_its_organisation(client, catalogue):
    draft = next(item for item in catalogue.hidden if item.state == "draft")
    assert client.get(similar_url(draft.pk)).status_code == 404  # anonymous: not visible
    client.force_authenticate(draft.created_by)
    response = client.get(similar_url(draft.pk))
    assert response.status_code == 200
    assert not {item.pk for item in catalogue.hidden} & {hit["listing_id"] for hit in response.json()["hits"]}


def test_similar_listings_of_an_unknown_listing_is_404(client, backend):
    assert client.get(similar_url(10**9)).status_code == 404
