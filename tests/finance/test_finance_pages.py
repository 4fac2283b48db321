"""The IP-finance pages and API for each role: the licensor applies for a receivable pledge and the bank
registers it from its review page; staff run a pool from assembly to distribution; investors read statements
(Excel too); staff set up a risk-sharing scheme. Other organisations can neither read nor act."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from finance.models import PoolState, ReceivablePledge, ReceivablePledgeState, RiskScheme, SecuritisationPool
from tests.factories import OrganisationFactory, UserFactory

from .test_pools import licences  # noqa: F401  (fixture)
from .test_receivable_pledges import END, licence  # noqa: F401  (fixture)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def outsider():
    return UserFactory(organisation=OrganisationFactory(name="无关科技有限公司"))


def test_a_receivable_pledge_through_the_pages(client, licence, holder, buyer, bank_officer, bank_org,  # noqa: F811
                                               outsider):
    client.force_login(holder)
    page = client.get(reverse("frontend:receivable_pledge_new"))
    assert page.status_code == 200 and licence.number in page.content.decode()
    refused = client.post(reverse("frontend:receivable_pledge_new"), {
        "licences": [licence.pk], "bank": bank_org.pk, "amount": "10000", "rate_percent": "4",
        "end_date": "2020-01-01"})
    assert refused.status_code == 400 and "质押期限须晚于今天" in refused.content.decode()
    created = client.post(reverse("frontend:receivable_pledge_new"), {
        "licences": [licence.pk], "bank": bank_org.pk, "amount": "10000", "rate_percent": "4",
        "end_date": END.isoformat()})
    pledge = ReceivablePledge.objects.get()
    url = reverse("frontend:receivable_pledge", args=[pledge.pk])
    assert created.status_code == 302 and created["Location"] == url

    client.force_login(bank_officer)
    review = client.get(url).content.decode()
    assert "应收账款价值" in review and licence.number in review and 'data-action="register"' in review
    client.post(reverse("frontend:receivable_pledge_act", args=[pledge.pk, "register"]))
    pledge.refresh_from_db()
    assert pledge.state == ReceivablePledgeState.REGISTERED
    book = client.get(reverse("frontend:receivable_pledges") + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(book.content)).active
    assert sheet.cell(row=2, column=1).value == pledge.number

    client.force_login(buyer)  # the licensee reads whom it pays
    assert pledge.registration_number in client.get(url).content.decode()
    assert client.post(reverse("frontend:receivable_pledge_act", args=[pledge.pk, "repay"]),
                       {"idempotency_key": "x"}).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.post(reverse("frontend:receivable_pledge_act", args=[pledge.pk, "register"])).status_code == 404


def test_staff_run_a_pool_and_investors_read_its_statements(client, staff, licences, outsider):  # noqa: F811
    senior, junior = OrganisationFactory(name="浙商证券资管"), OrganisationFactory(name="杭州产业投资基金")
    client.force_login(staff)
    client.post(reverse("frontend:pool_new"), {"name": "许可收益1号", "periods": 2, "period_months": 12,
                                               "fee_per_period": "1000"})
    pool = SecuritisationPool.objects.get()
    act = lambda action, data=None: client.post(reverse("frontend:pool_act", args=[pool.pk, action]),  # noqa: E731
                                                data or {})
    act("licences", {"licences": [lic.pk for lic in licences]})
    act("tranches", {"name_1": "优先级", "size_1": "20000", "coupon_1": "4", "investor_1": senior.pk,
                     "name_2": "次级", "size_2": "10000", "coupon_2": "8", "investor_2": junior.pk})
    act("simulate")
    act("issue")
    pool.refresh_from_db()
    assert pool.state == PoolState.ISSUED and pool.tranches.count() == 2
    act("distribute")
    assert pool.distributions.count() == 1

    investor = UserFactory(organisation=senior)
    client.force_login(investor)
    page = client.get(reverse("frontend:pool", args=[pool.pk])).content.decode()
    assert "许可收益1号" in page and "第 1 期" in page and 'data-action="pool_distribute"' not in page
    sheet = load_workbook(io.BytesIO(client.get(reverse("frontend:pool_statements", args=[pool.pk])).content)).active
    assert [c.value for c in sheet[2]][:5] == [1, sheet.cell(row=2, column=2).value, 0, 0, "优先级"]
    assert client.post(reverse("frontend:pool_act", args=[pool.pk, "distribute"])).status_code == 403
    client.force_login(outsider)
    assert client.get(reverse("frontend:pool", args=[pool.pk])).status_code == 404
    assert client.get(reverse("frontend:pool_statements", args=[pool.pk])).status_code == 404


def test_staff_set_up_a_scheme(client, staff, holder):
    insurer = OrganisationFactory(name="人保财险浙江分公司")
    data = {"name": "杭州市知识产权质押融资风险池", "max_amount": "5000000", "max_rate_percent": "4.5",
            "right_kinds": ["invention"], "industries": "", "premium_rate": "1",
            "organisation_1": insurer.pk, "role_1": "insurer", "share_1": "60", "cap_1": "2000000"}
    client.force_login(holder)
    assert client.post(reverse("frontend:staff_risk_scheme_new"), data).status_code == 403
    client.force_login(staff)
    too_much = client.post(reverse("frontend:staff_risk_scheme_new"), {**data, "share_1": "120"})
    assert too_much.status_code == 400 and "分担比例须在0到100%之间" in too_much.content.decode()
    assert client.post(reverse("frontend:staff_risk_scheme_new"), data).status_code == 302
    scheme = RiskScheme.objects.get()
    assert scheme.premium_rate == Decimal("0.0100") and scheme.bank_share == Decimal("0.4")
    assert client.get(reverse("frontend:risk_shares")).status_code == 200


def test_the_api(licence, holder, bank_officer, bank_org, staff, outsider):  # noqa: F811
    api = APIClient()
    api.force_authenticate(holder)
    created = api.post("/api/v1/finance/receivable-pledges/", {
        "bank": bank_org.pk, "licences": [licence.pk], "amount": "10000", "rate_percent": "4",
        "end_date": END.isoformat()}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert api.post(f"/api/v1/finance/receivable-pledges/{pk}/register/").status_code == 403
    api.force_authenticate(outsider)
    assert api.get(f"/api/v1/finance/receivable-pledges/{pk}/").status_code == 404
    api.force_authenticate(bank_officer)
    registered = api.post(f"/api/v1/finance/receivable-pledges/{pk}/register/")
    assert registered.status_code == 200 and registered.json()["state"] == "registered"
    assert api.post(f"/api/v1/finance/receivable-pledges/{pk}/register/").status_code == 409
    assert api.post("/api/v1/finance/pools/", {"name": "x", "periods": 4, "fee_per_period": "0"},
                    format="json").status_code == 403
    api.force_authenticate(staff)
    insurer = OrganisationFactory(name="担保公司")
    scheme = {"name": "方案", "max_amount": "1000000.00", "max_rate_percent": "5.000", "right_kinds": ["invention"],
              "premium_rate": "0.0100", "participants": [{"organisation": insurer.pk, "role": "guarantor",
                                                          "share": "0.5000", "yearly_cap": "100000.00"}]}
    assert api.post("/api/v1/finance/risk-schemes/", scheme, format="json").status_code == 201
    bad = api.post("/api/v1/finance/risk-schemes/", {**scheme, "right_kinds": ["car"]}, format="json")
    assert bad.status_code == 400 and "right_kinds" in bad.json()
    assert api.post("/api/v1/finance/pools/", {"name": "许可收益2号", "periods": 4, "fee_per_period": "0"},
                    format="json").status_code == 201


def test_staff_assess_an_enterprises_size(client, staff, holder, holder_org):
    from django.urls import reverse as url

    data = {"credit_code": holder_org.credit_code, "size": "small"}
    client.force_login(holder)  # an enterprise does not assess itself
    assert client.post(url("frontend:staff_organisation_size"), data).status_code == 403
    client.force_login(staff)
    unknown = client.post(url("frontend:staff_organisation_size"), {**data, "credit_code": "91330100MA00000000"})
    assert unknown.status_code == 400 and "没有该统一社会信用代码的企业" in unknown.content.decode()
    assert client.post(url("frontend:staff_organisation_size"), data).status_code == 302
    holder_org.refresh_from_db()
    assert holder_org.enterprise_size == "small"
