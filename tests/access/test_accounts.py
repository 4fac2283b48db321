"""Users of an organisation: invitations, deactivation; sign-in lockout, API tokens that expire and are
revoked, request throttles."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from market.models import Invitation, User, UserRole

from ..factories import UserFactory

PASSWORD = "Qiantang-river-2026"


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def admin(holder_org):
    return UserFactory(username="holder-admin", organisation=holder_org, role=UserRole.ADMIN)


def sign_in(client, username: str, password: str, address: str = "198.51.100.1"):
    return client.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json",
                       REMOTE_ADDR=address)


def with_password(user, password: str = PASSWORD):
    user.set_password(password)
    user.save()
    return user


# -- invitations -----------------------------------------------------------------------------------
def test_an_administrator_invites_and_the_invitee_joins_that_organisation(admin, holder_org):
    created = api(admin).post("/api/v1/invitations/", {"email": "li@example.cn", "role": "agent"}, format="json")
    assert created.status_code == 201, created.json()
    token = created.json()["token"]
    assert Invitation.objects.get().token_sha256 != token  # only a digest is stored

    joined = api().post("/api/v1/invitations/accept/", {"token": token, "username": "li-agent",
                                                        "password": PASSWORD}, format="json")

    assert joined.status_code == 201 and joined.json()["organisation"] == holder_org.name
    user = User.objects.get(username="li-agent")
    assert (user.organisation, user.role, user.email) == (holder_org, "agent", "li@example.cn")
    again = api().post("/api/v1/invitations/accept/", {"token": token, "username": "li-2", "password": PASSWORD},
                       format="json")
    assert again.status_code == 400 and "token" in again.json()
    assert api(admin).get("/api/v1/invitations/").json()["results"][0]["state"] == "accepted"


def test_an_expired_or_revoked_invitation_creates_nobody(admin):
    token = api(admin).post("/api/v1/invitations/", {"email": "a@example.cn"}, format="json").json()["token"]
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert api().post("/api/v1/invitations/accept/", {"token": token, "username": "late", "password": PASSWORD},
                      format="json").status_code == 400

    second = api(admin).post("/api/v1/invitations/", {"email": "b@example.cn"}, format="json").json()
    assert api(admin).post(f"/api/v1/invitations/{second['id']}/revoke/").status_code == 200
    assert api().post("/api/v1/invitations/accept/", {"token": second["token"], "username": "revoked",
                                                      "password": PASSWORD}, format="json").status_code == 400
    assert not User.objects.filter(username__in=["late", "revoked"]).exists()


def test_only_an_administrator_invites_and_only_its_own_invitations(admin, holder, buyer_org):
    assert api(holder).post("/api/v1/invitations/", {"email": "x@example.cn"}, format="json").status_code == 403
    other_admin = UserFactory(organisation=buyer_org, role=UserRole.ADMIN)
    mine = api(admin).post("/api/v1/invitations/", {"email": "y@example.cn"}, format="json").json()

    assert api(other_admin).get(f"/api/v1/invitations/{mine['id']}/").status_code == 404
    assert api(other_admin).post(f"/api/v1/invitations/{mine['id']}/revoke/").status_code == 404
    assert api(other_admin).get("/api/v1/invitations/").json()["count"] == 0


def test_a_weak_password_when_joining_is_refused_with_both_languages(admin):
    token = api(admin).post("/api/v1/invitations/", {"email": "w@example.cn"}, format="json").json()["token"]

    response = api().post("/api/v1/invitations/accept/", {"token": token, "username": "weak", "password": "123"},
                          format="json")

    assert response.status_code == 400
    assert any(" / " in message and "密码" in message for message in response.json()["password"])
    assert Invitation.objects.get().accepted_at is None


def test_deactivating_a_user_stops_its_tokens_and_sessions(admin, holder, client):
    token = sign_in(APIClient(), "holder", "pass12345").json()["token"]
    client.force_login(holder)

    assert api(admin).post(f"/api/v1/users/{holder.pk}/deactivate/").status_code == 200

    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert bearer.get("/api/v1/deals/").status_code == 401
    assert client.get("/me/").status_code == 302  # signed out: sent to the sign-in page
    assert not AuthToken.objects.filter(user=holder).exists()
    assert api(admin).post(f"/api/v1/users/{admin.pk}/deactivate/").status_code == 403


def test_an_administrator_sees_and_deactivates_only_its_own_users(admin, buyer):
    assert [u["username"] for u in api(admin).get("/api/v1/users/").json()["results"]] == ["holder-admin"]
    assert api(admin).post(f"/api/v1/users/{buyer.pk}/deactivate/").status_code == 404
    buyer.refresh_from_db()
    assert buyer.is_active


def test_the_members_page_invites_and_the_join_page_creates_the_user(admin, holder_org, client):
    client.force_login(admin)
    page = client.post("/me/members/invite/", {"email": "page@example.cn", "role": "agent"})
    link = re.search(r'id="invitation-link">([^<]+)<', page.content.decode())[1]
    client.logout()

    form = client.get("/join/?" + link.split("?", 1)[1])
    assert form.status_code == 200
    token = link.split("token=", 1)[1]
    created = client.post("/join/", {"token": token, "username": "page-user", "display_name": "王工",
                                     "password": PASSWORD, "password_again": PASSWORD})

    assert created.status_code == 302 and created["Location"] == "/login/"
    assert User.objects.get(username="page-user").organisation == holder_org


def test_the_members_page_is_for_administrators_only(holder, client):
    client.force_login(holder)
    assert client.get("/me/members/").status_code == 403


def test_staff_create_and_verify_a_bank_on_their_page(staff, client):
    from ..factories import credit_code

    client.force_login(staff)
    created = client.post("/staff/organisations/new/", {
        "name": "之江银行", "credit_code": credit_code(9300), "kind": "bank", "city": "3301",
        "admin_username": "zj-bank", "admin_password": PASSWORD})
    assert created.status_code == 302
    bank = User.objects.get(username="zj-bank").organisation
    assert not bank.verified and bank.name in client.get("/staff/organisations/").content.decode()

    client.post(f"/staff/organisations/{bank.pk}/verify/")

    bank.refresh_from_db()
    assert bank.is_bank


def test_the_organisation_page_is_for_staff_only(bank_officer, client):
    client.force_login(bank_officer)
    assert client.get("/staff/organisations/").status_code == 403


# -- sign-in lockout -------------------------------------------------------------------------------
def test_the_api_locks_a_username_out_after_repeated_wrong_passwords(holder, settings):
    with_password(holder)
    client = APIClient()

    wrong = [sign_in(client, "holder", f"wrong-{n}").status_code for n in range(settings.AXES_FAILURE_LIMIT)]
    locked = sign_in(client, "holder", PASSWORD)

    assert wrong == [400] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert locked.status_code == 429
    assert "已被锁定" in locked.json()["detail"] and "locked" in locked.json()["detail"]
    assert int(locked["Retry-After"]) == int(settings.AXES_COOLOFF_TIME.total_seconds())
    assert sign_in(client, "holder", PASSWORD, address="198.51.100.2").status_code == 200  # another address


def test_the_sign_in_page_locks_out_the_same_way(holder, client, settings):
    with_password(holder)
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "holder", "password": f"wrong-{n}"}, REMOTE_ADDR="198.51.100.3")

    response = client.post("/login/", {"username": "holder", "password": PASSWORD}, REMOTE_ADDR="198.51.100.3")

    assert response.status_code == 429
    assert "连续 5 次密码错误" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_right_password_before_the_limit_resets_the_count(holder, settings):
    with_password(holder)
    client = APIClient()
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "holder", f"wrong-{n}")
    assert sign_in(client, "holder", PASSWORD).status_code == 200
    assert sign_in(client, "holder", "wrong-again").status_code == 400


# -- API tokens ------------------------------------------------------------------------------------
def test_a_token_expires_unless_used(holder, settings):
    with_password(holder)
    body = sign_in(APIClient(), "holder", PASSWORD).json()
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert bearer.get("/api/v1/deals/").status_code == 200
    expiry = dt.datetime.fromisoformat(body["expiry"])
    assert expiry - timezone.now() <= settings.REST_KNOX["TOKEN_TTL"]

    AuthToken.objects.filter(user=holder).update(expiry=timezone.now() - dt.timedelta(seconds=1))

    assert bearer.get("/api/v1/deals/").status_code == 401


def test_logout_revokes_this_token_and_logoutall_every_token(holder):
    with_password(holder)
    first, second, third = (sign_in(APIClient(), "holder", PASSWORD).json()["token"] for _ in range(3))

    def bearer(token):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client

    assert bearer(first).post("/api/v1/auth/logout/").status_code == 204
    assert bearer(first).get("/api/v1/deals/").status_code == 401
    assert bearer(second).get("/api/v1/deals/").status_code == 200
    assert bearer(second).post("/api/v1/auth/logoutall/").status_code == 204
    assert bearer(third).get("/api/v1/deals/").status_code == 401


def test_a_user_without_organisation_gets_no_token(db):
    UserFactory(username="loner", organisation=None, password=PASSWORD)
    with_password(User.objects.get(username="loner"))

    assert sign_in(APIClient(), "loner", PASSWORD).status_code == 400


# -- throttles -------------------------------------------------------------------------------------
def test_the_api_throttles_a_client_beyond_its_rate(holder, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "user": "5/min", "anon": "3/min"}

    mine = [api(holder).get("/api/v1/listings/").status_code for _ in range(6)]
    anonymous = [APIClient().get("/api/v1/listings/", REMOTE_ADDR="198.51.100.9").status_code for _ in range(4)]

    assert mine == [200] * 5 + [429]
    assert anonymous == [200] * 3 + [429]
    refused = APIClient().get("/api/v1/listings/", REMOTE_ADDR="198.51.100.9")
    assert "请求过于频繁" in refused.json()["detail"] and int(refused["Retry-After"]) > 0


def test_sign_in_attempts_are_throttled_per_address(db, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "auth": "3/min"}
    client = APIClient()

    statuses = [sign_in(client, f"nobody{n}", "x", address="198.51.100.20").status_code for n in range(4)]

    assert statuses == [400, 400, 400, 429]


def test_behind_a_proxy_the_forwarded_address_is_counted_not_a_forged_one(db, settings):
    settings.PROXY_COUNT = 1
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "anon": "2/min"}
    client = APIClient()

    def get(forwarded):
        return client.get("/api/v1/listings/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded).status_code

    # a client forging the header's first entries is still counted by what the proxy appended
    assert [get(f"1.1.1.{n}, 203.0.113.5") for n in range(3)] == [200, 200, 429]
    assert get("203.0.113.6") == 200


def test_the_lockout_page_speaks_the_chosen_language(holder, client, settings):
    with_password(holder)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "holder", "password": f"wrong-{n}"}, REMOTE_ADDR="198.51.100.4")

    html = client.post("/login/", {"username": "holder", "password": PASSWORD}, REMOTE_ADDR="198.51.100.4").content.decode()

    assert "5 wrong passwords in a row: this account is locked for 15 minutes" in html
    assert "连续" not in html
