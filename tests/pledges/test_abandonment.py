"""While pledged, the holder may not abandon the patent without the pledgee's consent (docs/rules.md)."""

from rest_framework.test import APIClient

from market.models import LegalStatus, ListingState

from ..factories import ListingFactory, OrganisationFactory, PatentFactory, UserFactory, pledge


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_pledged_patent_is_abandoned_only_after_the_pledgee_consents(holder, bank_org, bank_officer, outsider,
                                                                    django_capture_on_commit_callbacks):
    patent = PatentFactory(holders=[holder.organisation])
    pledge(patent, bank_org)
    listing = ListingFactory(organisation=holder.organisation, created_by=holder, patents=[patent])
    created = api(holder).post("/api/v1/abandonments/", {"patent_id": patent.pk, "reason": "技术已淘汰"}, format="json")
    assert created.status_code == 201
    url = f"/api/v1/abandonments/{created.json()['id']}/"
    refused = api(holder).post(url + "execute/")
    assert refused.status_code == 409 and refused.json()["reasons"][0]["code"] == "pledged_without_consent"
    patent.refresh_from_db()
    assert patent.legal_status == LegalStatus.GRANTED
    assert api(outsider).post(url + "consent/", {}, format="json").status_code == 404
    assert api(bank_officer).post(url + "consent/", {"note": "同意放弃"}, format="json").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        done = api(holder).post(url + "execute/")
    assert done.json()["state"] == "abandoned"
    patent.refresh_from_db()
    listing.refresh_from_db()
    assert patent.legal_status == LegalStatus.ABANDONED and listing.state == ListingState.WITHDRAWN


def test_co_owner_must_consent_and_only_the_holder_requests(holder, buyer):
    partner_org = OrganisationFactory(name="湖州共有材料有限公司")
    partner = UserFactory(organisation=partner_org)
    patent = PatentFactory(holders=[holder.organisation, partner_org])
    assert api(buyer).post("/api/v1/abandonments/", {"patent_id": patent.pk}, format="json").status_code == 403
    request_id = api(holder).post("/api/v1/abandonments/", {"patent_id": patent.pk}, format="json").json()["id"]
    url = f"/api/v1/abandonments/{request_id}/"
    assert api(holder).post(url + "execute/").json()["reasons"][0]["code"] == "co_owner_consent_missing"
    api(partner).post(url + "consent/", {}, format="json")
    assert api(partner).post(url + "execute/").status_code == 403
    assert api(holder).post(url + "execute/").json()["state"] == "abandoned"
    assert api(holder).post(url + "cancel/").status_code == 409
