"""Matching a demand to listings: candidates through the search interface, reasons and score in Python."""

import math
from decimal import Decimal

import pytest

from matching.matcher import WEIGHTS, DemandProfile, budget_fit, demand_words, match_demand, shared_ipc_groups

from .conftest import DEMAND_TEXT, api_for

WORDS = ["安全性", "锂电池", "隔膜", "热稳定性", "孔隙率", "动力电池"]


def test_the_demand_words_are_its_jieba_words_without_stop_words_codes_or_single_characters():
    assert demand_words(DEMAND_TEXT) == WORDS
    # 材料 is a generic patent word
    assert demand_words("需要 LiFePO4 正极材料，IPC H01M4/58，专利号 ZL201910001234.5") == ["lifepo4", "正极"]


def test_only_the_longest_words_are_kept_in_the_order_of_the_text():
    assert demand_words(DEMAND_TEXT, limit=3) == ["安全性", "热稳定性", "动力电池"]  # the 4-character words first


def test_matches_are_explained_exactly(market, demand):
    matches = match_demand(demand)

    assert [m.listing_id for m in matches] == [market["separator"].pk, market["electrolyte"].pk]
    separator, electrolyte = matches
    assert separator.explanation.as_dict() == {
        "matched_terms": WORDS, "ipc_groups": ["H01M50"], "budget": "within", "budget_label": "在预算内 Within budget",
        "mode_match": True, "region_match": True, "industry_match": True}
    assert electrolyte.explanation.as_dict() == {
        "matched_terms": ["动力电池"], "ipc_groups": ["H01M10"], "budget": "negotiable", "budget_label": "面议 Negotiable",
        "mode_match": True, "region_match": False, "industry_match": True}
    assert (separator.title, separator.holder, separator.city, separator.mode, separator.asking_price) == (
        "一种高安全性锂电池隔膜及其制备方法", "杭州锂能新材料有限公司", "3301", "transfer", Decimal("800000.00"))
    assert separator.score > electrolyte.score


def test_the_score_follows_the_documented_formula(market, demand):
    separator, electrolyte = match_demand(demand)

    # N = 5 tradeable listings in the index (pledge and draft are not); hits: 安全性, 热稳定性, 孔隙率 1;
    # 锂电池, 隔膜 2 (the separator, the buyer's own); 动力电池 2 (separator, electrolyte).
    rare, common = math.log(1 + 5 / 1), math.log(1 + 5 / 2)
    assert electrolyte.signals["text"] == round(common / (3 * rare + 3 * common), 4)
    assert separator.signals["text"] == 1.0
    assert {name: value for name, value in electrolyte.signals.items() if name not in ("text", "engine")} == {
        "ipc": 1.0, "budget": 0.5, "mode": 1.0, "region": 0.0, "industry": 1.0}
    weighted = sum(WEIGHTS[name] * value for name, value in electrolyte.signals.items())
    assert electrolyte.score == Decimal(100 * weighted).quantize(Decimal("0.1"))
    # The separator is found by every word's query: first for its rare words, and never below second.
    assert set(separator.ranks) == set(WORDS) and max(separator.ranks.values()) <= 2
    assert 0.9 <= separator.signals["engine"] <= 1.0


def test_pledge_listings_drafts_and_the_demand_organisations_own_listings_are_never_matched(market, demand):
    found = {m.listing_id for m in match_demand(demand, limit=50)}

    assert not found & {market["pledged"].pk, market["draft"].pk, market["own"].pk}


def test_a_listing_found_only_by_its_ipc_class_is_a_match(market, buyer):
    profile = DemandProfile(text="需要储能变流器", wanted_modes=("open_licence",), ipc_prefixes=("H02J",),
                            organisation_id=buyer.organisation_id)

    [bms] = match_demand(profile)

    assert bms.listing_id == market["bms"].pk
    assert bms.explanation.matched_terms == () and bms.explanation.ipc_groups == ("H02J7",)
    assert "region" not in bms.signals and "budget" not in bms.signals and "industry" not in bms.signals


def test_a_demand_without_ipc_prefixes_is_not_scored_on_them(market, buyer):
    profile = DemandProfile(text="醋酸纤维素分离膜", wanted_modes=("transfer",), organisation_id=buyer.organisation_id)

    [cellulose] = match_demand(profile)

    assert cellulose.listing_id == market["cellulose"].pk
    assert set(cellulose.signals) == {"text", "engine", "mode"}
    assert cellulose.explanation.matched_terms == ("醋酸纤维", "分离")  # jieba: 醋酸纤维/素/分离/膜


@pytest.mark.parametrize(("price", "low", "high", "fit"), [
    (Decimal(800), Decimal(500), Decimal(1000), "within"),
    (Decimal(1000), Decimal(500), Decimal(1000), "within"),
    (Decimal(100), Decimal(500), Decimal(1000), "below"),
    (Decimal(1001), None, Decimal(1000), "above"),
    (None, Decimal(500), None, "negotiable"),
    (Decimal(800), None, None, "any"),
], ids=["inside_case", "at_maximum_case", "under_minimum_case", "over_case", "no_price_case", "no_budget_case"])
def test_budget_fit(price, low, high, fit):
    assert budget_fit(price, low, high) == fit


@pytest.mark.parametrize(("prefixes", "codes", "groups"), [
    (["H01M"], ["H01M50/403", "H01M10/0525", "H02J7/00"], ["H01M50", "H01M10"]),
    (["H01M10/0525"], ["H01M10/056"], ["H01M10"]),
    (["H01M10"], ["H01M10/0525"], ["H01M10"]),
    (["H"], ["H02J7/00"], ["H02J7"]),
    (["H01M50"], ["H01M10/0525"], []),
], ids=["subclass_case", "same_group_deeper_prefix_case", "group_case", "section_case", "other_group_case"])
def test_shared_ipc_groups(prefixes, codes, groups):
    assert shared_ipc_groups(prefixes, codes) == groups


def test_the_matches_api_explains_each_match(market, demand, buyer):
    response = api_for(buyer).get(f"/api/v1/demands/{demand.pk}/matches/?limit=1")

    assert response.status_code == 200
    [first] = response.json()
    assert first["listing"] == market["separator"].pk
    assert first["asking_price"] == "800000.00"
    assert first["explanation"]["matched_terms"] == WORDS
    assert first["explanation"]["ipc_groups"] == ["H01M50"]
    assert first["explanation"]["budget"] == "within"


@pytest.mark.parametrize("limit", ["0", "51", "x"])
def test_the_matches_api_refuses_a_bad_limit(demand, buyer, limit):
    response = api_for(buyer).get(f"/api/v1/demands/{demand.pk}/matches/?limit={limit}")

    assert response.status_code == 400
    assert "须为 1 至 50 的整数 / Must be an integer from 1 to 50" in response.json()["limit"]
