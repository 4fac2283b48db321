"""SearchQuery: values normalised and checked when the query is built, before any backend sees it."""

import re
from decimal import Decimal

import pytest
from django.http import QueryDict

from search.backends import InvalidSearchQuery, SearchQuery


def test_defaults():
    query = SearchQuery()
    assert (query.text, query.sort, query.page, query.page_size, query.offset) == ("", "relevance", 1, 20, 0)
    assert query.words == [] and query.effective_sort == "newest"


def test_values_are_normalised():
    query = SearchQuery(text="  锂电池   隔膜 ", mode="transfer", city=("杭州", "3302", "杭州"), ipc_prefix="h01m 50/403")
    assert query.text == "锂电池 隔膜"
    assert query.mode == ("transfer",)
    assert query.city == ("3301", "3302")
    assert query.ipc_prefix == "H01M50/403"
    assert query.effective_sort == "relevance"


@pytest.mark.parametrize("prefix, canonical", [("h", "H"), ("H01", "H01"), ("g06f", "G06F"), ("G06F16", "G06F16")])
def test_ipc_prefix_levels(prefix, canonical):
    assert SearchQuery(ipc_prefix=prefix).ipc_prefix == canonical


@pytest.mark.parametrize("fields, field, fragment", [
    ({"sort": "cheapest"}, "sort", "未知的取值“cheapest”"),
    ({"mode": ("transfer", "gift")}, "mode", "Unknown value 'gift'"),
    ({"kind": "patent"}, "kind", "invention, utility_model, design"),
    ({"city": "北京"}, "city", "未知的取值“北京”"),
    ({"industry": "steel"}, "industry", "Unknown value"),
    ({"legal_status": "alive"}, "legal_status", "Unknown value"),
    ({"ipc_prefix": "H0"}, "ipc_prefix", "H01M50/403"),
    ({"price_min": Decimal(-1)}, "price_min", "between 0"),
    ({"price_min": Decimal(10), "price_max": Decimal(5)}, "price_max", "最高价不能低于最低价"),
    ({"remaining_years_min": Decimal(31)}, "remaining_years_min", "between 0 and 30"),
    ({"page": 0}, "page", "positive integer"),
    ({"page_size": 101}, "page_size", "between 1 and 100"),
    ({"page": 501, "page_size": 20}, "page", "10000"),
    ({"text": "电" * 201}, "text", "200"),
    ({"text": " ".join(f"w{i}" for i in range(17))}, "text", "16"),
])
def test_invalid_values_are_refused_with_bilingual_messages_case(fields, field, fragment):
    with pytest.raises(InvalidSearchQuery) as refused:
        SearchQuery(**fields)
    assert list(refused.value.errors) == [field]
    (message,) = refused.value.errors[field]
    assert fragment in message
    chinese, english = message.split(" / ")
    assert re.search("[\u4e00-\u9fff]", chinese) and re.match("[A-Za-z]", english)


def test_all_invalid_fields_are_reported_at_once():
    with pytest.raises(InvalidSearchQuery) as refused:
        SearchQuery(sort="x", mode="y", page=0, page_size=0, price_min=-1)
    assert set(refused.value.errors) == {"sort", "mode", "page", "page_size", "price_min"}
    assert isinstance(refused.value, ValueError)


def test_from_params_reads_a_query_dict():
    params = QueryDict("q=电池&mode=transfer&mode=licence&kind=invention,utility_model&city=宁波&ipc_prefix=H01M"
                       "&price_min=100000&price_max=2000000.50&remaining_years_min=5&sort=price_asc&page=2&page_size=10"
                       "&unknown=ignored")
    query = SearchQuery.from_params(params)
    assert query == SearchQuery(text="电池", mode=("transfer", "licence"), kind=("invention", "utility_model"),
                                city=("3302",), ipc_prefix="H01M", price_min=Decimal("100000"),
                                price_max=Decimal("2000000.50"), remaining_years_min=Decimal(5), sort="price_asc",
                                page=2, page_size=10)


def test_numbers_become_decimals():
    query = SearchQuery(price_min=100_000, price_max=2.5e5, remaining_years_min="7.5")
    assert (query.price_min, query.price_max, query.remaining_years_min) == (
        Decimal(100_000), Decimal("250000.0"), Decimal("7.5"))


def test_from_params_reads_a_plain_dict():
    assert SearchQuery.from_params({"q": "隔膜", "mode": ["pledge"], "page": "3"}) == SearchQuery(
        text="隔膜", mode=("pledge",), page=3)


def test_from_params_reports_parse_and_value_errors_by_parameter_name():
    params = QueryDict("q=" + "电" * 201 + "&page=abc&price_min=cheap&mode=gift&page_size=-1")
    with pytest.raises(InvalidSearchQuery) as refused:
        SearchQuery.from_params(params)
    errors = refused.value.errors
    assert set(errors) == {"q", "page", "price_min", "mode", "page_size"}
    assert errors["page"] == ["“abc”不是正整数 / 'abc' is not a positive integer"]
    assert errors["price_min"] == ["“cheap”不是数字 / 'cheap' is not a number"]
    assert errors["page_size"] == ["“-1”不是正整数 / '-1' is not a positive integer"]


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "1e400000"])
def test_from_params_refuses_non_finite_numbers_case(raw):
    with pytest.raises(InvalidSearchQuery) as refused:
        SearchQuery.from_params({"price_max": raw})
    assert list(refused.value.errors) == ["price_max"]
