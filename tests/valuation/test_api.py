"""The valuation API: 201 with the result, 400 with field messages, 403 / 404, history, score, sign-off."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from valuation.models import Valuation

from ..factories import UserFactory

URL = "/api/v1/valuations/"
FLAT_INCOME = {"revenue": "1000000.00", "royalty_rate": 0.05, "share": 0.5, "discount_rate": 0.10, "economic_life": 3}


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def value(user, patent, **inputs):
    return client_for(user).post(URL, {"patent": patent.pk, **inputs}, format="json")


def test_post_values_a_patent_and_answers_201_with_the_result(holder, patent):
    response = value(holder, patent, income=FLAT_INCOME, seed=3)
    assert response.status_code == 201, response.json()
    body = response.json()
    valuation = Valuation.objects.get()
    assert body["id"] == valuation.pk and body["number"] == valuation.number
    assert (body["p10"], body["p50"], body["p90"]) == ("62171.30", "62171.30", "62171.30")
    assert body["patent_number"] == patent.patent_number and body["weights_version"] == "2026.1"
    assert body["method"] == "income" and body["seed"] == 3 and body["draws"] == 10000
    assert body["requested_by_organisation"] == holder.organisation.name
    assert body["score"] == str(valuation.score)
    assert len(body["score_breakdown"]["indicators"]) == 16
    assert body["pledge"] is None    # the advice is for banks


def test_distribution_inputs_give_a_range(buyer, patent):
    response = value(buyer, patent, income={
        "revenue": {"distribution": "lognormal", "median": 2000000, "sigma": 0.5}, "royalty_rate":
        {"distribution": "triangular", "low": 0.02, "mode": 0.04, "high": 0.07}, "discount_rate": 0.12})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert Decimal(body["p10"]) < Decimal(body["p50"]) < Decimal(body["p90"])
    assert sum(body["results"]["methods"]["income"]["histogram"]["counts"]) == 10000


REVENUE_RANGE = "收入须在 0 至 1 万亿元之间 / Revenue must be between 0 and CNY 1 trillion"


@pytest.mark.parametrize(("case", "income", "field", "message"), [
    ("discount_zero", {"discount_rate": 0}, "discount_rate",
     "折现率须大于 0 且小于 1 / The discount rate must be greater than 0 and less than 1"),
    ("discount_one", {"discount_rate": 1}, "discount_rate",
     "折现率须大于 0 且小于 1 / The discount rate must be greater than 0 and less than 1"),
    ("discount_triangular_past_one", {"discount_rate": {"distribution": "triangular", "low": 0.1, "mode": 0.5,
                                                        "high": 1.2}}, "discount_rate",
     "折现率须大于 0 且小于 1 / The discount rate must be greater than 0 and less than 1"),
    ("royalty_zero", {"royalty_rate": 0}, "royalty_rate",
     "提成率须大于 0 且小于 1 / The royalty rate must be greater than 0 and less than 1"),
    ("royalty_above_one", {"royalty_rate": 1.5}, "royalty_rate",
     "提成率须大于 0 且小于 1 / The royalty rate must be greater than 0 and less than 1"),
    ("negative_revenue", {"revenue": "-5"}, "revenue", REVENUE_RANGE),
    ("huge_revenue", {"revenue": 1e300}, "revenue", REVENUE_RANGE),
    ("revenue_not_a_number", {"revenue": "abc"}, "revenue", "须为数值 / Must be a number"),
    ("royalty_lognormal", {"royalty_rate": {"distribution": "lognormal", "median": 0.05, "sigma": 0.3}}, "royalty_rate",
     "该参数只能是数值或三角分布 / This input takes a number or a triangular distribution"),
    ("economic_life_past_legal_life", {"economic_life": 30}, "economic_life", "经济寿命不能超过法定剩余保护期"),
])
def test_out_of_range_inputs_answer_400_with_field_messages(holder, patent, case, income, field, message):
    response = value(holder, patent, income={**FLAT_INCOME, **income})
    assert response.status_code == 400
    messages = response.json()["income"][field]
    assert len(messages) == 1 and messages[0].startswith(message) and " / " in messages[0]
    assert not Valuation.objects.exists()


def test_several_problems_are_reported_together(holder, patent):
    response = value(holder, patent, seed=-1, draws=10, income={"revenue": -1, "discount_rate": 2})
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"seed", "draws", "income"}
    assert set(body["income"]) == {"revenue", "royalty_rate", "discount_rate"}
    assert body["income"]["royalty_rate"] == ["必填 / Required"]


def test_unknown_patent_is_400(holder):
    response = client_for(holder).post(URL, {"patent": 999999, "income": FLAT_INCOME}, format="json")
    assert response.status_code == 400
    assert response.json() == {"patent": ["专利不存在 / No such patent"]}


def test_anonymous_and_users_without_organisation_may_not_value(patent):
    assert client_for().post(URL, {"patent": patent.pk, "income": FLAT_INCOME}, format="json").status_code == 401
    assert client_for().get(URL).status_code == 401
    loner = UserFactory(organisation=None)
    assert value(loner, patent, income=FLAT_INCOME).status_code == 403
    assert not Valuation.objects.exists()


def test_another_organisation_cannot_read_a_valuation_that_is_not_theirs(holder, buyer, outsider, bank_officer,
                                                                         staff, patent):
    """The requester (buyer) and the patent's holder see it; the outsider gets 404; banks and staff see it."""
    valuation_id = value(buyer, patent, income=FLAT_INCOME).json()["id"]
    detail = f"{URL}{valuation_id}/"
    assert client_for(outsider).get(detail).status_code == 404
    assert client_for(outsider).get(f"{detail}score/").status_code == 404
    assert client_for(outsider).get(URL, {"patent": patent.pk}).json()["count"] == 0
    for user in (buyer, holder, bank_officer, staff):
        assert client_for(user).get(detail).status_code == 200, user
    assert client_for(holder).get(f"{URL}424242/").status_code == 404


def test_banks_see_the_pledge_advice(bank_officer, holder, patent):
    valuation_id = value(holder, patent, income=FLAT_INCOME).json()["id"]
    pledge = client_for(bank_officer).get(f"{URL}{valuation_id}/").json()["pledge"]
    valuation = Valuation.objects.get()
    assert pledge["ratio"] == str(valuation.pledge_ratio) and pledge["max_loan"] == str(valuation.max_loan)
    assert pledge["lines"][-1] == "本建议仅供参考，由银行最终决定 / This is advice: the bank decides"


def test_history_per_patent(holder, buyer, patent, holder_org):
    from ..factories import PatentFactory

    other_patent = PatentFactory(holders=[holder_org])
    first = value(holder, patent, income=FLAT_INCOME).json()["id"]
    second = value(buyer, patent, income={**FLAT_INCOME, "economic_life": 2}).json()["id"]
    value(holder, other_patent, income=FLAT_INCOME)
    page = client_for(holder).get(URL, {"patent": patent.pk}).json()
    assert [row["id"] for row in page["results"]] == [second, first]   # newest first
    assert [row["p50"] for row in page["results"]] == ["43388.43", "62171.30"]
    assert client_for(buyer).get(URL, {"patent": patent.pk}).json()["count"] == 1
    assert client_for(holder).get(URL, {"patent": "x"}).status_code == 400


def test_score_breakdown(holder, patent):
    valuation_id = value(holder, patent, income=FLAT_INCOME).json()["id"]
    body = client_for(holder).get(f"{URL}{valuation_id}/score/").json()
    assert body["version"] == "2026.1" and set(body["dimensions"]) == {"legal", "technical", "economic"}
    row = next(r for r in body["indicators"] if r["code"] == "claims")
    assert row == {"code": "claims", "dimension": "legal", "label": "权利要求 Claims", "score": 56.7, "weight": 0.06,
                   "weighted": 3.4, "reason": "权利要求 10 项，其中独立权利要求 2 项 / 10 claims, 2 independent"}


def test_sign_off_only_by_a_valuation_agency(holder, bank_officer, agency, patent):
    valuation_id = value(holder, patent, income=FLAT_INCOME).json()["id"]
    url = f"{URL}{valuation_id}/sign_off/"
    for user in (holder, bank_officer):
        response = client_for(user).post(url)
        assert response.status_code == 403
        assert response.json()["detail"].startswith("只有评估机构的用户可以签署评估")
    assert Valuation.objects.get().signed_off_at is None
    response = client_for(agency).post(url)
    assert response.status_code == 200
    assert response.json()["signed_off_organisation"] == agency.organisation.name
    assert response.json()["signed_off_by"] == "胡评估师"


def test_schema_documents_the_valuation_endpoints(db):
    response = client_for().get("/api/schema/", {"format": "json"})
    paths = response.json()["paths"]
    assert {"/api/v1/valuations/", "/api/v1/valuations/{id}/", "/api/v1/valuations/{id}/score/",
            "/api/v1/valuations/{id}/sign_off/"} <= set(paths)
    body = response.json()["components"]["schemas"]["ValuationRequestRequest"]["properties"]
    assert {"patent", "method", "seed", "income", "cost"} <= set(body)


def test_malformed_sections_and_market_without_comparables_are_400(holder, patent):
    response = value(holder, patent, income="lots")
    assert response.status_code == 400
    assert response.json() == {"income": {"non_field_errors": ["须为对象 / Must be an object"]}}
    response = value(holder, patent, method="market")
    assert response.status_code == 400
    assert response.json()["method"][0].startswith("平台可比成交仅 0 笔，少于最低要求 3 笔")
    response = value(holder, patent, method="magic", income=FLAT_INCOME)
    assert response.status_code == 400 and "income / market / cost" in response.json()["method"][0]
    assert not Valuation.objects.exists()


def test_a_result_too_large_to_record_is_400(holder, patent):
    response = value(holder, patent, income={**FLAT_INCOME, "revenue": {"distribution": "lognormal",
                                                                        "median": "1e12", "sigma": 2},
                                             "royalty_rate": 0.9, "share": 1})
    assert response.status_code == 400
    assert response.json()["non_field_errors"][0].startswith("评估结果超过可记录的上限")
    assert not Valuation.objects.exists()
