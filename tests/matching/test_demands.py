"""Demands: posted by a buyer or by staff on its behalf, checked (budget, modes, IPC), seen only by their
organisation and staff, state changes logged."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from market.models import TransitionLog
from matching.models import Demand, DemandState
from matching.services.demands import demand_withdraw

from .conftest import DEMAND_TEXT, api_for

PAYLOAD = {"title": "高安全性锂电池隔膜技术", "text": DEMAND_TEXT, "wanted_modes": ["transfer", "licence"],
           "industry": "new_materials", "ipc_prefixes": ["h01m 10", "H01M50/403"], "budget_min": "500000",
           "budget_max": "1000000", "regions": ["杭州", "3302"]}


def test_a_buyer_posts_a_demand_for_its_organisation(buyer, buyer_org):
    response = api_for(buyer).post("/api/v1/demands/", PAYLOAD, format="json")

    assert response.status_code == 201
    body = response.json()
    demand = Demand.objects.get()
    assert (demand.organisation, demand.created_by, demand.state) == (buyer_org, buyer, DemandState.OPEN)
    assert body["ipc_prefixes"] == ["H01M10", "H01M50/403"]
    assert body["regions"] == ["3301", "3302"]
    assert (body["budget_min"], body["budget_max"]) == ("500000.00", "1000000.00")
    assert body["number"] == f"XQ{demand.created_at:%Y}{demand.pk:06d}"
    log = TransitionLog.for_object(demand).get()
    assert (log.transition, log.from_state, log.to_state, log.actor) == ("create", "", "open", buyer)


def test_staff_post_a_demand_on_a_companys_behalf(staff, buyer, buyer_org):
    response = api_for(staff).post("/api/v1/demands/", {**PAYLOAD, "organisation": buyer_org.pk}, format="json")

    assert response.status_code == 201
    demand = Demand.objects.get()
    assert (demand.organisation, demand.created_by) == (buyer_org, staff)
    assert "代 宁波甬江电池科技有限公司 录入" in TransitionLog.for_object(demand).get().reason
    assert [d["id"] for d in api_for(buyer).get("/api/v1/demands/").json()["results"]] == [demand.pk]


def test_staff_must_say_for_whom(staff):
    response = api_for(staff).post("/api/v1/demands/", PAYLOAD, format="json")

    assert response.status_code == 400
    assert response.json() == {"organisation": ["请选择需求方机构 / Choose the organisation the demand is for"]}
    assert not Demand.objects.exists()


def test_a_member_cannot_post_for_another_organisation(buyer, holder_org):
    response = api_for(buyer).post("/api/v1/demands/", {**PAYLOAD, "organisation": holder_org.pk}, format="json")

    assert response.status_code == 403
    assert not Demand.objects.exists()


def test_a_budget_maximum_below_the_minimum_is_refused_in_both_languages(buyer):
    response = api_for(buyer).post("/api/v1/demands/", {**PAYLOAD, "budget_min": "800000", "budget_max": "300000"},
                                   format="json")

    assert response.status_code == 400
    assert response.json() == {"budget_max": ["预算上限不能低于预算下限 / The budget maximum must not be below the minimum"]}
    assert not Demand.objects.exists()


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"budget_min": "abc"}, "budget_min", "请输入金额（元） / Enter an amount in yuan"),
    ({"budget_max": "-1"}, "budget_max", "金额不能为负 / The amount must not be negative"),
    ({"budget_max": "1.234"}, "budget_max", "金额最多保留2位小数 / At most 2 decimal places"),
    ({"wanted_modes": ["pledge"]}, "wanted_modes",
     "未知的交易方式“pledge”，可选：licence, transfer, open_licence / Unknown mode 'pledge'; choose from: licence, "
     "transfer, open_licence"),
    ({"ipc_prefixes": ["电池"]}, "ipc_prefixes",
     "IPC分类号“电池”格式不正确，应如 H01M 或 H01M50/403 / IPC prefix '电池' must look like H01M or H01M50/403"),
    ({"regions": ["3399"]}, "regions",
     "未知的取值“3399”，可选：3301, 3302, 3303, 3304, 3305, 3306, 3307, 3308, 3309, 3310, 3311, 0000 / Unknown value "
     "'3399'; choose from: 3301, 3302, 3303, 3304, 3305, 3306, 3307, 3308, 3309, 3310, 3311, 0000"),
], ids=["not_a_number_case", "negative_case", "fraction_of_a_cent_case", "pledge_mode_case", "bad_ipc_case",
        "unknown_city_case"])
def test_bad_fields_are_refused_in_both_languages(buyer, changes, field, message):
    response = api_for(buyer).post("/api/v1/demands/", {**PAYLOAD, **changes}, format="json")

    assert response.status_code == 400
    assert response.json()[field] == [message]
    assert not Demand.objects.exists()


def test_the_database_refuses_an_inverted_budget_too(buyer, buyer_org):
    with pytest.raises(IntegrityError), transaction.atomic():
        Demand.objects.create(organisation=buyer_org, created_by=buyer, title="x", text="x", wanted_modes=["transfer"],
                              budget_min=Decimal(2), budget_max=Decimal(1))


@pytest.mark.parametrize("who", ["holder", "outsider", "bank_officer"])
def test_other_organisations_see_nothing_of_a_demand(demand, request, who):
    api = api_for(request.getfixturevalue(who))

    assert api.get("/api/v1/demands/").json()["count"] == 0
    for path in ("", "matches/", "proposals/"):
        assert api.get(f"/api/v1/demands/{demand.pk}/{path}").status_code == 404
    assert api.patch(f"/api/v1/demands/{demand.pk}/", {"title": "改"}, format="json").status_code == 404
    assert api.post(f"/api/v1/demands/{demand.pk}/withdraw/", {}, format="json").status_code == 404
    demand = Demand.objects.get(pk=demand.pk)
    assert (demand.title, demand.state) == ("高安全性锂电池隔膜技术", DemandState.OPEN)


def test_anonymous_visitors_are_refused(demand):
    assert api_for().get("/api/v1/demands/").status_code in (401, 403)
    assert api_for().get(f"/api/v1/demands/{demand.pk}/").status_code in (401, 403)


def test_the_owner_edits_an_open_demand_and_only_an_open_one(demand, buyer):
    api = api_for(buyer)

    response = api.patch(f"/api/v1/demands/{demand.pk}/", {"budget_max": "1200000", "regions": []}, format="json")

    assert response.status_code == 200
    assert (response.json()["budget_max"], response.json()["regions"]) == ("1200000.00", [])
    assert response.json()["title"] == "高安全性锂电池隔膜技术"
    refused = api.patch(f"/api/v1/demands/{demand.pk}/", {"budget_min": "2000000"}, format="json")
    assert refused.status_code == 400
    assert "budget_max" in refused.json()

    demand_withdraw(demand_id=demand.pk, actor=buyer)
    response = api.patch(f"/api/v1/demands/{demand.pk}/", {"title": "改名"}, format="json")
    assert response.status_code == 409
    assert response.json()["reasons"][0]["code"] == "invalid_state"
    assert Demand.objects.get(pk=demand.pk).title == "高安全性锂电池隔膜技术"


def test_withdraw_close_and_reopen_are_logged_with_actor_and_reason(demand, buyer, staff):
    api = api_for(buyer)

    response = api.post(f"/api/v1/demands/{demand.pk}/withdraw/", {"reason": "项目暂停"}, format="json")

    assert response.status_code == 200 and response.json()["state"] == "withdrawn"
    log = TransitionLog.for_object(demand).get(transition="withdraw")
    assert (log.from_state, log.to_state, log.actor, log.reason) == ("open", "withdrawn", buyer, "项目暂停")
    again = api_for(staff).post(f"/api/v1/demands/{demand.pk}/close/", {}, format="json")
    assert again.status_code == 409
    assert "当前状态“已撤回 Withdrawn”下不能执行“关闭需求”" in again.json()["reasons"][0]["message"]
    assert api.post(f"/api/v1/demands/{demand.pk}/reopen/", {}, format="json").status_code == 409


def test_list_filters_by_state(demand, buyer):
    api = api_for(buyer)

    assert api.get("/api/v1/demands/?state=open").json()["count"] == 1
    assert api.get("/api/v1/demands/?state=closed").json()["count"] == 0
    assert api.get("/api/v1/demands/?state=nonsense").status_code == 400
