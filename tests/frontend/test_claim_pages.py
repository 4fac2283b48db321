"""The claim pages: an organisation claims its patents by application number on /me/patents/; staff decide
the claims the register cannot match on /staff/claims/; nobody else sees or decides them."""

import pytest

from market.models import Claim, ClaimState, PatentOwner
from tests.factories import PatentFactory
from tests.frontend.conftest import client_for

MINE = "/me/patents/"
QUEUE = "/staff/claims/"


@pytest.fixture
def on_register(holder_org):
    """A patent whose register names the holder organisation (by credit code) but that nobody claimed."""
    patent = PatentFactory(holders=[])
    PatentOwner.objects.create(patent=patent, name="杭州锂能新材料（登记名）", credit_code=holder_org.credit_code)
    return patent


@pytest.fixture
def unmatched(buyer):
    """A claim the register cannot match: staff decide it."""
    patent = PatentFactory(holders=[])
    PatentOwner.objects.create(patent=patent, name="宁波老名称电池厂")
    response = client_for(buyer).post(MINE + "claim/", {"application_number": patent.application_number,
                                                        "evidence": "更名前的名称"})
    assert response.status_code == 302
    return Claim.objects.get(organisation=buyer.organisation)


def test_a_claim_the_register_matches_is_accepted_at_once(as_holder, holder_org, on_register):
    response = as_holder.post(MINE + "claim/", {"application_number": on_register.application_number}, follow=True)

    html = response.content.decode()
    assert "认领成功" in html and on_register.application_number in html
    assert on_register.ownerships.get().organisation == holder_org


def test_bad_numbers_are_refused_with_the_field_error(as_holder):
    response = as_holder.post(MINE + "claim/", {"application_number": "20191010"})
    assert response.status_code == 400 and "申请号" in response.content.decode()
    assert not Claim.objects.exists()


def test_staff_accept_an_unmatched_claim_with_a_reason(unmatched, as_staff, buyer):
    html = as_staff.get(QUEUE).content.decode()
    assert buyer.organisation.name in html and "宁波老名称电池厂" in html and "更名前的名称" in html
    holding = PatentOwner.objects.get(name="宁波老名称电池厂")
    refused = as_staff.post(f"{QUEUE}{unmatched.pk}/accept/", {"holding_id": holding.pk, "reason": ""}, follow=True)
    assert Claim.objects.get().state == ClaimState.PENDING and refused.status_code == 200
    as_staff.post(f"{QUEUE}{unmatched.pk}/accept/", {"holding_id": holding.pk, "reason": "已核验更名证明"})
    assert Claim.objects.get().state == ClaimState.ACCEPTED
    holding.refresh_from_db()
    assert holding.organisation == buyer.organisation
    assert holding.patent.application_number in client_for(buyer).get(MINE).content.decode()


def test_staff_reject_with_a_reason(unmatched, as_staff):
    as_staff.post(f"{QUEUE}{unmatched.pk}/reject/", {"reason": "证明材料不足"})
    claim = Claim.objects.get()
    assert (claim.state, claim.reason) == (ClaimState.REJECTED, "证明材料不足")
    assert PatentOwner.objects.get(name="宁波老名称电池厂").organisation is None


@pytest.mark.parametrize("who", ["holder", "buyer", "bank_officer"])
def test_only_staff_see_and_decide_claims(who, request, unmatched):
    client = client_for(request.getfixturevalue(who))
    assert client.get(QUEUE).status_code == 403
    assert client.post(f"{QUEUE}{unmatched.pk}/reject/", {"reason": "x"}).status_code == 403
    assert Claim.objects.get().state == ClaimState.PENDING


def test_an_organisation_sees_its_own_claims_only(unmatched, as_holder, buyer):
    number = PatentOwner.objects.get(name="宁波老名称电池厂").patent.application_number
    assert number in client_for(buyer).get(MINE).content.decode()
    assert number not in as_holder.get(MINE).content.decode()
