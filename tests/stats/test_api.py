"""The cockpit's API: the figures of the tables, who may see which breakdown, bad input, the Excel export."""

import io

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from market.models import OrganisationKind
from tests.factories import OrganisationFactory, PatentFactory, UserFactory

from .builders import loan

pytestmark = pytest.mark.django_db
URL = "/api/v1/stats/indicators/"


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_anyone_reads_the_province_figures(market):
    listed = client_for().get(URL).json()
    assert {i["key"] for i in listed["indicators"]} >= {"deals", "disbursed", "outstanding", "conversion"}
    deals = next(i for i in listed["indicators"] if i["key"] == "deals")
    assert deals["target_per_year"] == "100000" and deals["definition"][0].startswith("转让、许可合同")
    body = client_for().get(URL + "deals/", {"from": "2025-03", "to": "2025-04"}).json()
    assert [(r["key"], r["label"], r["value"]) for r in body["rows"]] == [("2025-03", "2025年3月", 3),
                                                                          ("2025-04", "2025年4月", 1)]
    amounts = client_for().get(URL + "deal_amount/", {"from": "2025-03", "to": "2025-03"}).json()
    assert amounts["rows"][0]["value"] == "180000.00" and amounts["unit"] == "amount"
    by_city = client_for().get(URL + "transfers/", {"by": "city", "from": "2025-01", "to": "2025-12"}).json()
    assert [(r["key"], r["label"], r["value"]) for r in by_city["rows"]] == [("3301", "杭州", 2), ("3302", "宁波", 1)]


def test_english_labels_never_mixed_with_chinese(market):
    client = client_for()
    client.cookies["django_language"] = "en"
    body = client.get(URL + "transfers/", {"by": "industry", "from": "2025-01", "to": "2025-12"}).json()
    assert body["label"] == "Transfers (count)"
    assert [r["label"] for r in body["rows"]] == ["Digital economy", "Life and health", "New materials"]
    assert body["definition"] == ["Count", "Patent transfers, counted on the day the register records the change of "
                                           "holder, at the agreed price; city and holder type are the seller's"]
    monthly = client.get(URL + "transfers/", {"from": "2025-03", "to": "2025-03"}).json()
    assert monthly["rows"][0]["label"] == "2025-03"


def test_bank_and_holder_breakdowns_are_for_staff(market, bank_org, staff, bank_officer, holder):
    for user in (None, holder, bank_officer):
        for params in ({"by": "bank"}, {"by": "holder_type"}, {"holder_type": "enterprise"}, {"bank": bank_org.pk}):
            answer = client_for(user).get(URL + "disbursed/", params)
            if user is bank_officer and params == {"bank": bank_org.pk}:
                assert answer.status_code == 200  # its own id
                continue
            assert answer.status_code == 403, (user, params)
            assert "交易中心工作人员" in answer.json()["detail"] or "本行" in answer.json()["detail"]
    by_bank = client_for(staff).get(URL + "disbursed/", {"by": "bank", "from": "2025-01", "to": "2025-12"}).json()
    assert by_bank["rows"] == [{"key": str(bank_org.pk), "label": bank_org.name, "value": "800000.00"}]


def test_a_bank_sets_its_own_book_against_the_market(market, bank_org, bank_officer, holder_org):
    other = OrganisationFactory(name="宁波银行科技支行", kind=OrganisationKind.BANK)
    loan(holder_org, other, PatentFactory(holders=[holder_org]), "300000.00", applied="2025-03-09")
    from stats.rollups import rebuild
    rebuild()
    own = client_for(bank_officer).get(URL + "loan_applications/", {"bank": "own", "from": "2025-03", "to": "2025-03"})
    market_wide = client_for(bank_officer).get(URL + "loan_applications/", {"from": "2025-03", "to": "2025-03"})
    assert own.json()["rows"][0]["value"] == 2 and market_wide.json()["rows"][0]["value"] == 3
    # another bank's book is refused; "own" means nothing for anyone but a verified bank
    assert client_for(bank_officer).get(URL + "loan_applications/", {"bank": other.pk}).status_code == 403
    unverified = UserFactory(organisation=OrganisationFactory(kind=OrganisationKind.BANK, verified=False))
    assert client_for(unverified).get(URL + "loan_applications/", {"bank": "own"}).status_code == 400


def test_bad_input_is_a_400_naming_each_field(market):
    answer = client_for().get(URL + "deals/", {"by": "planet", "period": "week", "from": "2025-13", "city": "9999",
                                                "kind": "x"})
    assert answer.status_code == 400
    errors = answer.json()
    assert set(errors) == {"by", "period", "from", "city", "kind"}
    assert all(" / " in message[0] for message in errors.values())
    assert client_for().get(URL + "demands/", {"by": "kind"}).status_code == 400  # demands have no patent kind
    assert client_for().get(URL + "deals/", {"from": "2025-05", "to": "2025-01"}).status_code == 400
    assert client_for().get(URL + "nonsense/").status_code == 404


def test_the_export_holds_exactly_the_figures_shown(market):
    params = {"by": "city", "from": "2025-01", "to": "2025-12"}
    shown = client_for().get(URL + "transfer_amount/", params).json()
    answer = client_for().get(URL + "transfer_amount/export/", params)
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(answer.content)).active
    rows = {r[0]: r[1] for r in sheet.iter_rows(values_only=True) if r and len(r) > 1}
    for row in shown["rows"]:
        assert f"{rows[row['label']]:.2f}" == row["value"]
    assert f"{rows['合计']:.2f}" == shown["total"]


def test_the_schema_documents_the_stats_api(db):
    schema = client_for().get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert {"/api/v1/stats/indicators/{key}/", "/api/v1/stats/indicators/{key}/export/",
            "/api/v1/stats/price-index/", "/api/v1/stats/royalties/"} <= set(schema["paths"])
