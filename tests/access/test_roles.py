"""Roles are granted, not claimed: what registration gives, and what a privileged kind may do before and after
trading-centre staff verify it."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from market.models import Organisation, OrganisationKind, TransitionLog, User
from market.services import organisations
from market.transfers.models import DealState

from ..factories import ListingFactory, OrganisationFactory, PatentFactory, UserFactory, credit_code
from ..market.deal_steps import advance

PASSWORD = "Qiantang-river-2026"


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def registration(kind: str, n: int, **extra) -> dict:
    return {"name": f"新注册机构{n}", "credit_code": credit_code(9000 + n), "kind": kind, "city": "3301",
            "admin_username": f"admin{n}", "admin_password": PASSWORD, **extra}


@pytest.mark.parametrize("kind", [OrganisationKind.BANK, OrganisationKind.TRADING_CENTRE,
                                  OrganisationKind.VALUATION_AGENCY])
def test_anyone_registering_a_privileged_kind_is_refused_case(db, kind):
    response = api().post("/api/v1/organisations/", registration(kind, 1), format="json")

    assert response.status_code == 400
    assert "由交易中心创建并认证" in response.json()["kind"][0]
    assert not Organisation.objects.filter(name="新注册机构1").exists()
    assert not User.objects.filter(username="admin1").exists()


@pytest.mark.parametrize("kind", [OrganisationKind.ENTERPRISE, OrganisationKind.UNIVERSITY,
                                  OrganisationKind.RESEARCH_INSTITUTE])
def test_anyone_may_register_an_enterprise_university_or_institute_unverified_case(db, kind):
    response = api().post("/api/v1/organisations/", registration(kind, 2), format="json")

    assert response.status_code == 201, response.json()
    org = Organisation.objects.get(name="新注册机构2")
    assert (org.kind, org.verified) == (kind, False)
    admin = org.users.get()
    assert (admin.username, admin.role, admin.is_organisation_admin) == ("admin2", "admin", True)
    assert TransitionLog.for_object(org).get().transition == "register"


def test_a_signed_in_member_cannot_claim_a_privileged_kind_either(holder):
    response = api(holder).post("/api/v1/organisations/", registration(OrganisationKind.BANK, 3), format="json")

    assert response.status_code == 400 and "kind" in response.json()


def test_staff_create_a_bank_which_has_no_power_until_verified(staff, holder, holder_org):
    created = api(staff).post("/api/v1/organisations/", registration(OrganisationKind.BANK, 4), format="json")
    assert created.status_code == 201, created.json()
    bank = Organisation.objects.get(pk=created.json()["id"])
    officer = bank.users.get()
    patent = PatentFactory(holders=[holder_org])
    application = {"bank": bank.pk, "patents": [patent.pk], "amount": "500000.00", "term_months": 12,
                   "purpose": "流动资金", "repayment_plan": "equal_principal"}

    assert not bank.verified and not bank.is_bank
    refused = api(holder).post("/api/v1/pledge-loans/", application, format="json")
    assert refused.status_code == 400 and "bank" in refused.json()

    assert api(staff).post(f"/api/v1/organisations/{bank.pk}/verify/").status_code == 200
    bank.refresh_from_db()
    assert bank.is_bank
    assert api(holder).post("/api/v1/pledge-loans/", application, format="json").status_code == 201
    assert api(officer).get("/api/v1/pledge-loans/").json()["count"] == 1
    log = TransitionLog.for_object(bank).get(transition="verify")
    assert (log.actor, log.from_state, log.to_state) == (staff, "unverified", "verified")


def test_an_unverified_trading_centre_is_no_staff(db, holder, buyer):
    centre = OrganisationFactory(kind=OrganisationKind.TRADING_CENTRE, verified=False)
    pretender = UserFactory(organisation=centre)
    other = OrganisationFactory(verified=False)
    listing = ListingFactory(organisation=holder.organisation, created_by=holder, state="submitted",
                             published_at=None)

    assert not pretender.is_centre_staff
    assert api(pretender).post(f"/api/v1/organisations/{other.pk}/verify/").status_code == 403
    assert api(pretender).post(f"/api/v1/organisations/{centre.pk}/verify/").status_code == 403
    assert api(pretender).post(f"/api/v1/listings/{listing.pk}/publish/").status_code == 404  # a draft of others
    assert api(pretender).get("/api/v1/deals/").json()["count"] == 0
    assert api(pretender).get("/api/v1/documents/").json()["count"] == 0
    other.refresh_from_db()
    centre.refresh_from_db()
    assert not other.verified and not centre.verified


def test_an_unverified_centre_cannot_release_escrow(db, holder, buyer, staff):
    from market.transfers import services as deals

    listing = ListingFactory(organisation=holder.organisation, created_by=holder, asking_price=Decimal("100000"))
    deal = deals.deal_open(listing_id=listing.pk, actor=buyer, price="100000")
    advance(deal, to=DealState.REGISTERED, seller=holder, buyer=buyer, staff=staff)
    pretender = UserFactory(organisation=OrganisationFactory(kind=OrganisationKind.TRADING_CENTRE, verified=False))

    assert api(pretender).post(f"/api/v1/deals/{deal.pk}/release/").status_code == 404
    deal.refresh_from_db()
    assert deal.state == DealState.REGISTERED
    assert api(staff).post(f"/api/v1/deals/{deal.pk}/release/").status_code == 200


def test_an_unverified_valuation_agency_cannot_sign_off(db, holder, holder_org):
    patent = PatentFactory(holders=[holder_org])
    valuation = api(holder).post("/api/v1/valuations/", {"patent": patent.pk, "income": {
        "revenue": "1000000", "royalty_rate": 0.05, "discount_rate": 0.1}}, format="json").json()
    agency = OrganisationFactory(kind=OrganisationKind.VALUATION_AGENCY, verified=False)
    appraiser = UserFactory(organisation=agency)

    assert api(appraiser).get(f"/api/v1/valuations/{valuation['id']}/").status_code == 404
    assert api(appraiser).post(f"/api/v1/valuations/{valuation['id']}/sign_off/").status_code in (403, 404)
    agency.verified = True
    agency.save()
    signed = api(appraiser).post(f"/api/v1/valuations/{valuation['id']}/sign_off/")
    assert signed.status_code == 200 and signed.json()["signed_off_organisation"] == agency.name


def test_an_unverified_bank_sees_no_valuation_nor_advice(db, holder, holder_org):
    patent = PatentFactory(holders=[holder_org])
    valuation = api(holder).post("/api/v1/valuations/", {"patent": patent.pk, "income": {
        "revenue": "1000000", "royalty_rate": 0.05, "discount_rate": 0.1}}, format="json").json()
    bank = OrganisationFactory(kind=OrganisationKind.BANK, verified=False)
    officer = UserFactory(organisation=bank)

    assert api(officer).get(f"/api/v1/valuations/{valuation['id']}/").status_code == 404
    bank.verified = True
    bank.save()
    seen = api(officer).get(f"/api/v1/valuations/{valuation['id']}/")
    assert seen.status_code == 200 and seen.json()["pledge"]["ratio"]


def test_staff_withdraw_a_verification_and_the_powers_stop(staff, bank_officer):
    bank = bank_officer.organisation
    assert api(staff).post(f"/api/v1/organisations/{bank.pk}/revoke/", {"reason": ""}, format="json").status_code == 400

    response = api(staff).post(f"/api/v1/organisations/{bank.pk}/revoke/", {"reason": "金融许可证被吊销"}, format="json")

    assert response.status_code == 200 and response.json()["verified"] is False
    bank_officer.refresh_from_db()
    assert not bank_officer.organisation.is_bank
    assert TransitionLog.for_object(bank).get(transition="revoke").reason == "金融许可证被吊销"
    again = api(staff).post(f"/api/v1/organisations/{bank.pk}/revoke/", {"reason": "再次"}, format="json")
    assert again.status_code == 409


def test_staff_cannot_withdraw_their_own_centre(staff):
    response = api(staff).post(f"/api/v1/organisations/{staff.organisation_id}/revoke/", {"reason": "x"},
                               format="json")

    assert response.status_code == 403
    staff.organisation.refresh_from_db()
    assert staff.organisation.verified


def test_verifying_twice_answers_409(staff):
    org = OrganisationFactory(verified=False)
    assert api(staff).post(f"/api/v1/organisations/{org.pk}/verify/").status_code == 200
    assert api(staff).post(f"/api/v1/organisations/{org.pk}/verify/").status_code == 409


def test_credit_codes_are_unique_whatever_their_case(db):
    first = registration(OrganisationKind.ENTERPRISE, 5)
    assert api().post("/api/v1/organisations/", first, format="json").status_code == 201
    lower = {**registration(OrganisationKind.ENTERPRISE, 6), "credit_code": first["credit_code"].lower()}

    response = api().post("/api/v1/organisations/", lower, format="json")

    assert response.status_code == 400 and "已注册" in response.json()["credit_code"][0]
    assert Organisation.objects.get(credit_code=first["credit_code"]).name == "新注册机构5"


@pytest.mark.parametrize(("password", "message"), [("12345678", "太短"), ("password1234", "太常见"),
                                                     ("1234567890123", "只包含数字")],
                         ids=["short_case", "common_case", "numeric_case"])
def test_weak_passwords_are_refused_case(db, password, message):
    response = api().post("/api/v1/organisations/", {**registration(OrganisationKind.ENTERPRISE, 7),
                                                     "admin_password": password}, format="json")

    assert response.status_code == 400
    assert any(message in m for m in response.json()["admin_password"])


# -- the first trading centre of a deployment ------------------------------------------------------
def test_the_command_creates_the_first_centre_verified(db, monkeypatch):
    monkeypatch.setenv("ZJIP_ADMIN_PASSWORD", PASSWORD)
    out = io.StringIO()

    call_command("create_trading_centre", "--name", "浙江知识产权交易中心", "--credit-code", credit_code(9100),
                 "--admin-username", "centre-admin", stdout=out)

    centre = Organisation.objects.get(name="浙江知识产权交易中心")
    assert centre.is_staff_org and centre.users.get().is_centre_staff
    assert "centre-admin" in out.getvalue()


def test_the_command_refuses_a_weak_password_and_creates_nothing(db, monkeypatch):
    monkeypatch.setenv("ZJIP_ADMIN_PASSWORD", "12345")

    with pytest.raises(CommandError, match="admin_password"):
        call_command("create_trading_centre", "--name", "中心", "--credit-code", credit_code(9101),
                     "--admin-username", "centre-admin")

    assert not Organisation.objects.exists()


def test_the_bootstrap_service_is_the_only_unverified_path_to_a_centre(db):
    centre = organisations.trading_centre_bootstrap(name="中心", credit_code=credit_code(9102), city="3301",
                                                    admin_username="c-admin", admin_password=PASSWORD)
    staff_user = centre.users.get()

    bank = organisations.organisation_register(actor=staff_user, **registration(OrganisationKind.BANK, 8))

    assert bank.kind == OrganisationKind.BANK and not bank.verified


def test_the_trading_centre_never_buys_nor_takes_a_licence(staff, holder):
    listing = ListingFactory(organisation=holder.organisation, created_by=holder)

    response = api(staff).post("/api/v1/deals/", {"listing": listing.pk, "price": "1000"}, format="json")

    assert response.status_code == 403 and "交易中心不作为交易一方" in response.json()["detail"]
