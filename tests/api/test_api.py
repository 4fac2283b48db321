"""The versioned API: validation errors (400), refusals (409 with rule and reason), permissions, idempotency."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from market.models import LedgerEntry, Listing, ListingState, Organisation, Patent
from market.services.ledger import ledger_problems
from market.transfers.models import DealState

from ..factories import ListingFactory, PatentFactory, application_number, credit_code


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def listing(holder):
    return ListingFactory(organisation=holder.organisation, created_by=holder, asking_price=Decimal("500000.00"))


def test_register_organisation_with_wrong_check_character_is_400_with_clear_message(db):
    good = credit_code(77)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    response = client_for().post("/api/v1/organisations/", {
        "name": "台州新注册科技有限公司", "credit_code": bad, "kind": "enterprise", "city": "3310",
        "admin_username": "tz-admin", "admin_password": "secret-pass-1"}, format="json")
    assert response.status_code == 400
    message = response.json()["credit_code"][0]
    assert f"应为 {good[17]}" in message and f"expected {good[17]}" in message
    assert not Organisation.objects.filter(name="台州新注册科技有限公司").exists()


def test_register_organisation_creates_unverified_org_and_admin(db):
    response = client_for().post("/api/v1/organisations/", {
        "name": "台州新注册科技有限公司", "credit_code": credit_code(78), "kind": "enterprise", "city": "3310",
        "admin_username": "tz-admin", "admin_password": "secret-pass-1"}, format="json")
    assert response.status_code == 201, response.json()
    org = Organisation.objects.get(name="台州新注册科技有限公司")
    assert not org.verified and org.users.get().username == "tz-admin"


def test_only_staff_verify_organisations(staff, outsider):
    org = Organisation.objects.create(name="待认证", credit_code=credit_code(79), kind="enterprise")
    assert client_for(outsider).post(f"/api/v1/organisations/{org.pk}/verify/").status_code == 403
    assert client_for(staff).post(f"/api/v1/organisations/{org.pk}/verify/").status_code == 200
    org.refresh_from_db()
    assert org.verified


def test_nobody_writes_a_patent_through_the_api(holder, staff):
    patent = PatentFactory(holders=[holder.organisation])
    for client in (client_for(holder), client_for(staff)):
        assert client.post("/api/v1/patents/", {"application_number": application_number(557), "title": "一种锂电池",
                                                "filing_date": "2019-03-01"}, format="json").status_code == 405
        assert client.patch(f"/api/v1/patents/{patent.pk}/", {"legal_status": "granted"},
                            format="json").status_code == 405
    assert Patent.objects.count() == 1


def test_a_patent_shows_the_registers_holders_and_its_derived_status(holder):
    patent = PatentFactory(holders=[holder.organisation], ipc_codes=["H01M10/0525"])
    body = client_for(holder).get(f"/api/v1/patents/{patent.pk}/").json()
    assert body["kind"] == "invention" and body["industry"] == "new_materials"
    assert body["expiry_date"] == "2039-02-28" and body["legal_status"] == "granted"
    assert body["holders"] == [{"id": patent.ownerships.get().pk, "name": holder.organisation.name, "share": None,
                                "organisation": holder.organisation_id}]


def test_rules_endpoint_answers_with_reasons(holder, bank_org):
    from ..factories import pledge

    patent = PatentFactory(holders=[holder.organisation])
    pledge(patent, bank_org)
    body = client_for(holder).get(f"/api/v1/patents/{patent.pk}/rules/").json()
    assert body["licence"]["allowed"] is False
    assert body["pledge"]["reasons"][0]["code"] == "already_pledged"


def test_listing_lifecycle_through_the_api(holder, staff, outsider):
    patent = PatentFactory(holders=[holder.organisation])
    api = client_for(holder)
    created = api.post("/api/v1/listings/", {"title": "锂电池隔膜专利转让", "mode": "transfer",
                                             "patent_ids": [patent.pk], "asking_price": "300000.00"}, format="json")
    assert created.status_code == 201, created.json()
    listing_id = created.json()["id"]
    assert created.json()["state"] == "draft"
    # another organisation cannot see the draft nor act on it
    assert client_for(outsider).get(f"/api/v1/listings/{listing_id}/").status_code == 404
    assert client_for(outsider).post(f"/api/v1/listings/{listing_id}/submit/").status_code == 404
    assert client_for().get(f"/api/v1/listings/{listing_id}/").status_code == 404
    assert api.post(f"/api/v1/listings/{listing_id}/submit/").json()["state"] == "submitted"
    # the holder cannot publish its own listing; staff can reject with a reason, then publish after resubmission
    assert api.post(f"/api/v1/listings/{listing_id}/publish/").status_code == 403
    refused = client_for(staff).post(f"/api/v1/listings/{listing_id}/reject/", {}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()
    rejected = client_for(staff).post(f"/api/v1/listings/{listing_id}/reject/", {"reason": "请补充权利要求书"},
                                      format="json")
    assert rejected.json()["state"] == "rejected" and rejected.json()["rejection_reason"] == "请补充权利要求书"
    api.post(f"/api/v1/listings/{listing_id}/submit/")
    published = client_for(staff).post(f"/api/v1/listings/{listing_id}/publish/")
    assert published.json()["state"] == "published"
    assert client_for().get(f"/api/v1/listings/{listing_id}/").status_code == 200
    again = client_for(staff).post(f"/api/v1/listings/{listing_id}/publish/")
    assert again.status_code == 409
    assert again.json()["reasons"][0]["rule"] == "state_machine"


def test_listing_of_someone_elses_patent_is_400(holder, buyer):
    patent = PatentFactory(holders=[buyer.organisation])
    response = client_for(holder).post("/api/v1/listings/", {"title": "x", "mode": "transfer",
                                                             "patent_ids": [patent.pk]}, format="json")
    assert response.status_code == 400 and "patent_ids" in response.json()
    assert not Listing.objects.exists()


def test_submitting_a_listing_of_a_lapsed_patent_is_409_with_reason(holder):
    patent = PatentFactory(holders=[holder.organisation], legal_status="lapsed")
    listing = ListingFactory(organisation=holder.organisation, created_by=holder, patents=[patent],
                             state=ListingState.DRAFT)
    response = client_for(holder).post(f"/api/v1/listings/{listing.pk}/submit/")
    assert response.status_code == 409
    assert response.json()["reasons"][0]["code"] == "lapsed"
    listing.refresh_from_db()
    assert listing.state == ListingState.DRAFT


def test_deal_through_the_api_with_refusals_and_idempotent_payment(listing, holder, buyer, staff, outsider):
    seller_api, buyer_api, staff_api = client_for(holder), client_for(buyer), client_for(staff)
    opened = buyer_api.post("/api/v1/deals/", {"listing": listing.pk, "price": "450000"}, format="json")
    assert opened.status_code == 201, opened.json()
    deal_id = opened.json()["id"]
    url = f"/api/v1/deals/{deal_id}/"
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(outsider).post(url + "accept/").status_code == 404
    assert opened.json()["allowed_actions"] == ["cancel"]
    assert seller_api.get(url).json()["allowed_actions"] == ["counter", "accept", "cancel"]
    premature = buyer_api.post(url + "pay/", HTTP_IDEMPOTENCY_KEY="p1")
    assert premature.status_code == 409 and premature.json()["reasons"][0]["code"] == "invalid_state"
    assert seller_api.post(url + "accept/").json()["state"] == "agreed"
    seller_api.post(url + "sign/")
    assert buyer_api.post(url + "sign/").json()["state"] == "signed"
    assert buyer_api.post(url + "pay/").status_code == 400  # no idempotency key
    first = buyer_api.post(url + "pay/", HTTP_IDEMPOTENCY_KEY="pay-abc")
    entries = LedgerEntry.objects.count()
    replay = buyer_api.post(url + "pay/", HTTP_IDEMPOTENCY_KEY="pay-abc")
    assert first.status_code == replay.status_code == 200
    assert replay.json()["escrow"]["amount"] == "450000.00" and replay.json()["state"] == "paid"
    assert LedgerEntry.objects.count() == entries
    assert seller_api.post(url + "file_registration/", {}, format="json").json()["state"] == "filed"
    assert buyer_api.post(url + "pay_registration_fee/", {"idempotency_key": "fee-1"}, format="json").status_code == 200
    assert buyer_api.post(url + "register/").status_code == 403
    assert staff_api.post(url + "register/").json()["state"] == "registered"
    assert staff_api.post(url + "release/").json()["state"] == "closed"
    timeline = buyer_api.get(url + "timeline/").json()
    assert [row["to_state"] for row in timeline if row["from_state"] != row["to_state"]][-1] == "closed"
    assert ledger_problems() == []
    patent = listing.patents.get()
    assert client_for().get(f"/api/v1/patents/{patent.pk}/").json()["holders"][0]["organisation"] == buyer.organisation_id


def test_deal_lists_show_only_own_deals(listing, buyer, outsider, staff):
    client_for(buyer).post("/api/v1/deals/", {"listing": listing.pk, "price": "1000"}, format="json")
    assert client_for(outsider).get("/api/v1/deals/").json()["count"] == 0
    assert client_for(buyer).get("/api/v1/deals/").json()["count"] == 1
    assert client_for(staff).get("/api/v1/deals/").json()["count"] == 1
    assert client_for().get("/api/v1/deals/").status_code in (401, 403)


def test_invalid_offer_price_is_400(listing, buyer):
    response = client_for(buyer).post("/api/v1/deals/", {"listing": listing.pk, "price": "-1"}, format="json")
    assert response.status_code == 400 and "price" in response.json()


def test_openapi_schema_lists_the_transition_actions(db):
    response = client_for().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for action in ("sign", "pay", "file_registration", "register", "release", "cancel"):
        assert f"/api/v1/deals/{{id}}/{action}/" in paths
    assert "/api/v1/search/listings/" in paths


def test_token_authentication(holder):
    holder.set_password("pass12345")
    holder.save()
    token = client_for().post("/api/v1/auth/token/", {"username": "holder", "password": "pass12345"},
                              format="json").json()["token"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/deals/").status_code == 200


def test_deal_state_constants_are_in_the_api(listing, buyer):
    body = client_for(buyer).post("/api/v1/deals/", {"listing": listing.pk, "price": "1000"}, format="json").json()
    assert body["state"] == DealState.NEGOTIATING and body["state_label"].startswith("议价中")


def test_api_docs_load_nothing_from_the_internet(db):
    html = client_for().get("/api/docs/").content.decode()
    assert "swagger-ui" in html
    assert "cdn." not in html and "https://" not in html.split("<body")[0]


def test_payments_and_documents_are_visible_to_the_parties_only(listing, holder, buyer, staff, outsider,
                                                                 django_capture_on_commit_callbacks):
    from market.transfers import services as deals

    from ..market.deal_steps import advance

    deal = deals.deal_open(listing_id=listing.pk, actor=buyer, price="450000")
    with django_capture_on_commit_callbacks(execute=True):
        advance(deal, to=DealState.PAID, seller=holder, buyer=buyer, staff=staff)
    payments = client_for(buyer).get("/api/v1/payments/").json()
    assert payments["count"] == 1
    escrow = payments["results"][0]
    assert escrow["amount"] == "450000.00" and escrow["state"] == "held"
    assert sorted(e["amount"] for e in escrow["transactions"][0]["entries"]) == ["-450000.00", "450000.00"]
    assert client_for(holder).get("/api/v1/payments/").json()["count"] == 1
    assert client_for(outsider).get("/api/v1/payments/").json()["count"] == 0
    assert client_for(outsider).get(f"/api/v1/payments/{escrow['id']}/").status_code == 404
    # a document of another kind of object that happens to share the deal's id is not the deal's
    from django.contrib.contenttypes.models import ContentType

    from market.models import Document

    Document.objects.create(number="ZJIP-GP-TEST-000001", kind="licence_notice", state="issued",
                            deal_type=ContentType.objects.get_for_model(Listing), deal_id=deal.pk)
    assert client_for(staff).get("/api/v1/documents/").json()["count"] == 2  # staff see both documents
    for who in (buyer, staff):
        listed = client_for(who).get(f"/api/v1/deals/{deal.pk}/documents/").json()
        assert [d["kind"] for d in listed] == ["transfer_contract"]
    contract = listed[0]
    assert contract["kind"] == "transfer_contract" and contract["state"] == "issued"
    assert client_for(holder).get(f"/api/v1/documents/{contract['number']}/").status_code == 200
    assert client_for(outsider).get(f"/api/v1/documents/{contract['number']}/").status_code == 404
    assert client_for(outsider).get(f"/api/v1/deals/{deal.pk}/documents/").status_code == 404
    browser = APIClient()
    browser.force_login(outsider)  # the download is a page view: it reads the session
    assert browser.get(contract["download_url"]).status_code == 404
    browser.force_login(buyer)
    download = browser.get(contract["download_url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"


def test_openapi_schema_generates_without_warnings(db):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
