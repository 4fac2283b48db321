"""The licensing API: each transition a POST action, 409 with rule and reason, idempotent payments, permissions."""

from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from market.licensing.models import Licence, OpenLicenceDeclaration
from market.models import Encumbrance, EncumbranceKind, ListingMode

from ..api.test_api import client_for
from ..factories import ListingFactory, PatentFactory
from .conftest import PDF_BYTES, declare, pdf_upload

DECLARATION = {"royalty_method": "percentage", "entry_fee": "50000.00", "royalty_rate": "3.50", "period_months": 3,
               "licence_years": 3}


def test_declare_check_submit_publish_through_the_api(holder, staff, patent):
    api = client_for(holder)
    check = api.post("/api/v1/open-licences/check/", {"patent": patent.pk}, format="json")
    assert check.status_code == 200 and check.json() == {"allowed": True, "reasons": []}
    created = api.post("/api/v1/open-licences/", {"patent": patent.pk, **DECLARATION}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["state"], body["royalty_summary"], body["allowed_actions"]) == (
        "draft", "入门费 ¥50,000.00，另按净销售额的 3.50% 提成（每季度结算）", ["evaluation_report", "submit", "withdraw"])
    pk = body["id"]
    assert api.post(f"/api/v1/open-licences/{pk}/submit/").json()["state"] == "submitted"
    assert api.post(f"/api/v1/open-licences/{pk}/publish/").status_code == 403
    published = client_for(staff).post(f"/api/v1/open-licences/{pk}/publish/").json()
    assert published["state"] == "published" and published["announcement_number"].startswith("CNKFXK")
    assert published["take_up_payment"] == "50000.00"
    register = client_for().get(f"/api/v1/patents/{patent.pk}/encumbrances/").json()
    assert [e["kind"] for e in register] == ["open_licence"]


def test_a_refusal_is_409_with_rule_and_reason(holder, patent, buyer_org):
    Encumbrance.objects.create(patent=patent, kind=EncumbranceKind.EXCLUSIVE_LICENCE, beneficiary=buyer_org)
    api = client_for(holder)
    check = api.post("/api/v1/open-licences/check/", {"patent": patent.pk}, format="json").json()
    assert check["allowed"] is False and [r["code"] for r in check["reasons"]] == ["exclusive_licence_in_force"]
    response = api.post("/api/v1/open-licences/", {"patent": patent.pk, **DECLARATION}, format="json")
    assert response.status_code == 409
    [reason] = response.json()["reasons"]
    assert (reason["code"], reason["rule"]) == ("exclusive_licence_in_force", "open_licence")
    assert "独占许可" in reason["message"] and "Exclusive licence" in reason["message"]
    assert not OpenLicenceDeclaration.objects.exists()


def test_the_evaluation_report_is_uploaded_as_multipart_and_must_be_a_pdf(holder, utility_patent):
    api = client_for(holder)
    fields = {"patent": utility_patent.pk, **DECLARATION}
    bad = api.post("/api/v1/open-licences/", {**fields, "evaluation_report": pdf_upload(b"<html>not a pdf</html>")},
                   format="multipart")
    assert bad.status_code == 400 and "PDF" in bad.json()["evaluation_report"][0]
    draft = api.post("/api/v1/open-licences/", fields, format="multipart").json()
    refused = api.post(f"/api/v1/open-licences/{draft['id']}/submit/")
    assert refused.status_code == 409 and refused.json()["reasons"][0]["code"] == "evaluation_report_missing"
    uploaded = api.post(f"/api/v1/open-licences/{draft['id']}/evaluation_report/",
                        {"evaluation_report": pdf_upload()}, format="multipart")
    assert uploaded.status_code == 200 and uploaded.json()["has_evaluation_report"] is True
    assert OpenLicenceDeclaration.objects.get().evaluation_report.read() == PDF_BYTES
    assert api.post(f"/api/v1/open-licences/{draft['id']}/submit/").status_code == 200


def test_take_up_in_one_post_with_an_idempotency_key(declaration, buyer):
    api = client_for(buyer)
    url = f"/api/v1/open-licences/{declaration.pk}/take_up/"
    assert api.post(url, {"notice_confirmed": True}, format="json").status_code == 400  # no key
    unconfirmed = api.post(url, {"notice_confirmed": False}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert unconfirmed.status_code == 400 and "notice_confirmed" in unconfirmed.json()
    first = api.post(url, {"notice_confirmed": True}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == 201, first.json()
    body = first.json()
    assert (body["kind"], body["state"], body["licensee"]["name"]) == ("ordinary_licence", "active",
                                                                      buyer.organisation.name)
    assert body["periods"][0]["status"] == "paid" and body["periods"][0]["amount_due"] == "12000.00"
    again = api.post(url, {"notice_confirmed": True}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert again.status_code == 201 and again.json()["id"] == body["id"]
    second = api.post(url, {"notice_confirmed": True}, format="json", HTTP_IDEMPOTENCY_KEY="k2")
    assert second.status_code == 409 and second.json()["reasons"][0]["code"] == "already_licensed"
    assert Licence.objects.count() == 1


def test_a_licensee_sees_only_its_own_licences_and_others_cannot_act_on_them(declaration, holder, buyer, outsider):
    licence = client_for(buyer).post(f"/api/v1/open-licences/{declaration.pk}/take_up/", {"notice_confirmed": True},
                                     format="json", HTTP_IDEMPOTENCY_KEY="k").json()
    period = licence["periods"][1]["id"]
    mine = client_for(buyer).get("/api/v1/licences/?role=licensee").json()
    assert [row["id"] for row in mine["results"]] == [licence["id"]]
    assert client_for(holder).get("/api/v1/licences/?role=licensor").json()["count"] == 1
    nosy = client_for(outsider)
    assert nosy.get("/api/v1/licences/").json()["count"] == 0
    assert nosy.get(f"/api/v1/licences/{licence['id']}/").status_code == 404
    assert nosy.post(f"/api/v1/licences/{licence['id']}/report/", {"period": period, "quantity": "1"},
                     format="json").status_code == 404
    assert nosy.post(f"/api/v1/licences/{licence['id']}/pay/", {"period": period}, format="json",
                     HTTP_IDEMPOTENCY_KEY="x").status_code == 404
    assert nosy.get(f"/api/v1/licences/{licence['id']}/documents/").status_code == 404
    assert client_for().get("/api/v1/licences/").status_code in (401, 403)
    # the licensor may read but not pay the licensee's royalties
    assert client_for(holder).post(f"/api/v1/licences/{licence['id']}/pay/", {"period": period}, format="json",
                                   HTTP_IDEMPOTENCY_KEY="x").status_code == 403
    docs = client_for(buyer).get(f"/api/v1/licences/{licence['id']}/documents/").json()
    assert sorted(d["kind"] for d in docs) == ["licence_notice", "licence_record"]
    assert client_for(outsider).get(f"/api/v1/documents/{docs[0]['number']}/").status_code == 404


def test_drafts_are_private_and_announced_declarations_public(holder, staff, patent, outsider):
    draft = client_for(holder).post("/api/v1/open-licences/", {"patent": patent.pk, **DECLARATION},
                                    format="json").json()
    assert client_for().get("/api/v1/open-licences/").json()["count"] == 0
    assert client_for(outsider).get(f"/api/v1/open-licences/{draft['id']}/").status_code == 404
    assert client_for(outsider).post(f"/api/v1/open-licences/{draft['id']}/submit/").status_code == 404
    client_for(holder).post(f"/api/v1/open-licences/{draft['id']}/submit/")
    client_for(staff).post(f"/api/v1/open-licences/{draft['id']}/publish/")
    public = client_for().get(f"/api/v1/open-licences/{draft['id']}/")
    assert public.status_code == 200 and public.json()["allowed_actions"] == []
    assert client_for(outsider).get(f"/api/v1/open-licences/{draft['id']}/").json()["allowed_actions"] == ["take_up"]
    assert client_for(outsider).post(f"/api/v1/open-licences/{draft['id']}/withdraw/").status_code == 403


def test_open_licences_filter_and_sort_by_royalty(holder, holder_org, staff):
    cheap = declare(holder, staff, PatentFactory(holders=[holder_org]),
                    terms={"royalty_method": "annual", "annual_fee": Decimal("3000")})
    dear = declare(holder, staff, PatentFactory(holders=[holder_org]),
                   terms={"royalty_method": "percentage", "entry_fee": Decimal("90000"), "royalty_rate": Decimal("2")})
    middle = declare(holder, staff, PatentFactory(holders=[holder_org]))
    ids = [row["id"] for row in client_for().get("/api/v1/open-licences/?sort=royalty").json()["results"]]
    assert ids == [cheap.pk, middle.pk, dear.pk]
    ids = [row["id"] for row in client_for().get("/api/v1/open-licences/?sort=-royalty").json()["results"]]
    assert ids == [dear.pk, middle.pk, cheap.pk]
    annual = client_for().get("/api/v1/open-licences/?royalty_method=annual&sort=royalty").json()["results"]
    assert [row["id"] for row in annual] == [cheap.pk, middle.pk]


def test_annual_fee_schedule_shows_the_reduction(declaration):
    rows = client_for().get(f"/api/v1/annual-fees/{declaration.patent_id}/").json()
    assert len(rows) == 20 and rows[0] == {"year": 1, "due_date": "2019-03-01", "standard_fee": "900.00",
                                           "reduction": "0.00", "payable": "900.00", "reduced": False}
    assert rows[-1] == {"year": 20, "due_date": "2038-03-01", "standard_fee": "8000.00", "reduction": "1200.00",
                        "payable": "6800.00", "reduced": True}


def test_a_licence_contract_through_the_api(holder, buyer, staff, patent, outsider):
    listing = ListingFactory(organisation=holder.organisation, created_by=holder, mode=ListingMode.LICENCE,
                             patents=[patent])
    start = timezone.localdate()
    offer = {"licence_kind": "sole_licence", "start_date": str(start),
             "end_date": str(start + relativedelta(years=2, days=-1)), "royalty_method": "annual",
             "annual_fee": "20000.00"}
    created = client_for(buyer).post("/api/v1/licence-contracts/", {"listing": listing.pk, **offer}, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    seller, licensee, registry = client_for(holder), client_for(buyer), client_for(staff)
    assert seller.get(f"/api/v1/licence-contracts/{pk}/").json()["allowed_actions"] == ["counter", "accept", "cancel"]
    assert client_for(outsider).get(f"/api/v1/licence-contracts/{pk}/").status_code == 404
    assert client_for(outsider).post(f"/api/v1/licence-contracts/{pk}/accept/").status_code == 404
    assert seller.post(f"/api/v1/licence-contracts/{pk}/counter/", {**offer, "annual_fee": "25000.00"},
                       format="json").status_code == 200
    assert licensee.post(f"/api/v1/licence-contracts/{pk}/accept/").json()["annual_fee"] == "25000.00"
    seller.post(f"/api/v1/licence-contracts/{pk}/sign/")
    assert licensee.post(f"/api/v1/licence-contracts/{pk}/sign/").json()["state"] == "signed"
    assert licensee.post(f"/api/v1/licence-contracts/{pk}/pay/", HTTP_IDEMPOTENCY_KEY="c1").json()["state"] == \
        "effective"
    refused = seller.post(f"/api/v1/licence-contracts/{pk}/record/")
    assert refused.status_code == 403
    assert seller.post(f"/api/v1/licence-contracts/{pk}/file_record/").json()["state"] == "filed"
    recorded = registry.post(f"/api/v1/licence-contracts/{pk}/record/", {"record_number": "2026330000123"},
                             format="json").json()
    assert (recorded["state"], recorded["record_number"]) == ("recorded", "2026330000123")
    timeline = licensee.get(f"/api/v1/licence-contracts/{pk}/timeline/").json()
    assert [row["to_state"] for row in timeline][-3:] == ["effective", "filed", "recorded"]
    wrong_state = licensee.post(f"/api/v1/licence-contracts/{pk}/sign/")
    assert wrong_state.status_code == 409 and wrong_state.json()["reasons"][0]["rule"] == "state_machine"


@pytest.mark.parametrize("path", ["/api/v1/open-licences/", "/api/v1/licences/", "/api/v1/licence-contracts/"])
def test_lists_answer(path, staff):
    assert client_for(staff).get(path).status_code == 200
