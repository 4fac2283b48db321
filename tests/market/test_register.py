"""The register is the source of truth: its facts come from its feed only, legal status follows the facts and
the date, and organisations join their holdings by claims the register confirms (or staff decide)."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from market.models import (
    Claim,
    ClaimState,
    Encumbrance,
    EncumbranceKind,
    LegalStatus,
    Patent,
    PatentKind,
    PatentOwner,
    RegisterEvent,
)
from market.register import claims
from market.register.feed import FeedError, register_apply, register_expire_due, register_sync
from market.rules import RuleViolation, transfer_blockers
from search.backends import SearchQuery, get_search_backend

from ..factories import ListingFactory, OrganisationFactory, PatentFactory, UserFactory, application_number
from ..frontend.conftest import client_for


def event(patent: Patent, kind: str, key: str | None = None, **fields) -> dict:
    return {"id": key or f"{kind}-{patent.pk}", "application_number": patent.application_number, "event": kind,
            "date": "2026-03-01", **fields}


def unclaimed(name: str = "杭州原名科技有限公司", code: str = "", **patent_fields) -> Patent:
    patent = PatentFactory(holders=[], **patent_fields)
    PatentOwner.objects.create(patent=patent, name=name, credit_code=code)
    return patent


# -- the feed --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("kind", "fields", "expect"), [
    ("fee_overdue", {}, {"annual_fee_overdue": True}),
    ("fee_paid", {"paid_until": "2027-02-28"}, {"annual_fee_overdue": False,
                                               "annual_fee_paid_until": dt.date(2027, 2, 28)}),
    ("lapse", {}, {"legal_status": LegalStatus.LAPSED}),
    ("invalidation_requested", {"request_number": "4W110000"}, {"invalidation_pending": True}),
    ("abandoned", {}, {"legal_status": LegalStatus.ABANDONED}),
], ids=lambda value: value if isinstance(value, str) else "")
def test_each_event_records_its_fact_once(holder_org, kind, fields, expect):
    patent = PatentFactory(holders=[holder_org])
    assert register_apply(event(patent, kind, **fields), source="cnipa-2026-03.jsonl") is True
    assert register_apply(event(patent, kind, **fields)) is False  # the same id again changes nothing
    patent.refresh_from_db()
    assert {name: getattr(patent, name) for name in expect} == expect
    recorded = RegisterEvent.objects.get(right_id=patent.pk)
    assert (recorded.kind, recorded.effective_date, recorded.source) == (kind, dt.date(2026, 3, 1), "cnipa-2026-03.jsonl")


def test_an_invalidation_is_decided_either_way(holder_org):
    upheld, invalidated = PatentFactory(holders=[holder_org]), PatentFactory(holders=[holder_org])
    for patent, result in ((upheld, "upheld"), (invalidated, "invalidated")):
        register_apply(event(patent, "invalidation_requested"))
        register_apply(event(patent, "invalidation_decided", result=result))
        patent.refresh_from_db()
        assert patent.invalidation_pending is False
    assert (upheld.legal_status, invalidated.legal_status) == (LegalStatus.GRANTED, LegalStatus.INVALIDATED)
    with pytest.raises(FeedError, match="result"):
        register_apply(event(upheld, "invalidation_decided", key="bad-result", result="maybe"))
    assert not RegisterEvent.objects.filter(key="bad-result").exists()  # refused whole


def test_a_grant_turns_an_application_into_a_patent_with_its_zl_number(holder_org):
    application = PatentFactory(holders=[holder_org], grant_date=None, legal_status=LegalStatus.PENDING)
    assert application.patent_number == application.application_number  # no ZL number before the grant
    register_apply(event(application, "grant"))
    application.refresh_from_db()
    assert application.legal_status == LegalStatus.GRANTED and application.grant_date == dt.date(2026, 3, 1)
    assert application.patent_number == f"ZL{application.application_number}"


def test_disputes_and_preservations_come_and_go_with_their_events(holder_org):
    patent = PatentFactory(holders=[holder_org])
    register_apply(event(patent, "preservation", party="杭州市中级人民法院"))
    assert [r.code for r in transfer_blockers(patent, seller=holder_org)] == ["court_preservation"]
    register_apply(event(patent, "preservation_ended"))
    assert transfer_blockers(patent, seller=holder_org) == []
    assert Encumbrance.objects.get(patent=patent, kind=EncumbranceKind.PRESERVATION).released_at is not None


def test_a_holder_change_keeps_the_holders_that_stay_with_their_claims(holder_org, buyer_org):
    patent = PatentFactory(holders=[holder_org])
    kept = patent.ownerships.get()
    register_apply(event(patent, "holder_change", holders=[
        {"name": holder_org.name, "credit_code": holder_org.credit_code, "share": "70"},
        {"name": "宁波新合伙人有限公司", "credit_code": "", "share": "30"}]))
    rows = {row.name: row for row in patent.ownerships.all()}
    assert rows[holder_org.name].pk == kept.pk and rows[holder_org.name].organisation == holder_org
    assert str(rows[holder_org.name].share) == "70.00" and rows["宁波新合伙人有限公司"].organisation is None
    register_apply(event(patent, "holder_change", key="second", holders=[{"name": buyer_org.name,
                                                                          "credit_code": buyer_org.credit_code}]))
    assert list(patent.ownerships.values_list("name", "organisation")) == [(buyer_org.name, None)]  # not joined yet


def test_the_feed_reaches_the_search_index(holder, holder_org, django_capture_on_commit_callbacks):
    listing = ListingFactory(organisation=holder_org, created_by=holder, title="锂电池隔膜转让")
    patent = listing.patents.get()
    get_search_backend().index_listing_ids([listing.pk])
    with django_capture_on_commit_callbacks(execute=True):
        register_apply(event(patent, "holder_change", holders=[
            {"name": holder_org.name, "credit_code": holder_org.credit_code}, {"name": "绍兴越州新能源有限公司"}]))
    hits = get_search_backend().search(SearchQuery.from_params({"q": "越州新能源"})).hits
    assert [hit.listing_id for hit in hits] == [listing.pk]


def test_the_feed_file_is_applied_once_and_bad_lines_are_named(holder_org, tmp_path):
    patent = PatentFactory(holders=[holder_org])
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join([
        json.dumps(event(patent, "fee_overdue", key="e1")),
        "not json",
        json.dumps(event(patent, "lapse", key="e2", date="2026-13-01")),
        json.dumps({**event(patent, "lapse", key="e3"), "application_number": application_number(999)}),
        json.dumps(event(patent, "lapse", key="e4")),
    ]), encoding="utf-8")
    first = register_sync(path)
    assert (first.applied, first.already, len(first.errors)) == (2, 0, 3)
    assert [line.split(":")[1] for line in first.errors] == ["2", "3", "4"]  # the lines, by number
    again = register_sync(path)
    assert (again.applied, again.already) == (0, 2)  # resumable: a rerun applies only what is new
    with pytest.raises(CommandError, match="3 event"):
        call_command("register_sync", str(path))
    patent.refresh_from_db()
    assert patent.legal_status == LegalStatus.LAPSED


# -- legal status from the facts and the date -----------------------------------------------------------
def test_a_patent_past_its_term_is_expired_and_the_daily_run_records_it(holder_org):
    old = PatentFactory(holders=[holder_org], kind=PatentKind.UTILITY_MODEL, filing_date=dt.date(2015, 3, 1),
                        application_number=application_number(1, PatentKind.UTILITY_MODEL, year=2015))
    young = PatentFactory(holders=[holder_org])
    assert old.legal_status == LegalStatus.GRANTED and old.current_status == LegalStatus.EXPIRED
    assert register_expire_due() == 1
    assert register_expire_due() == 0
    old.refresh_from_db()
    assert old.legal_status == LegalStatus.EXPIRED and young.current_status == LegalStatus.GRANTED
    expired = RegisterEvent.objects.get(right_id=old.pk)
    assert (expired.kind, expired.effective_date) == ("expired", dt.date(2025, 3, 1))


def test_the_api_shows_the_derived_status(holder):
    old = PatentFactory(holders=[holder.organisation], kind=PatentKind.UTILITY_MODEL, filing_date=dt.date(2015, 3, 1),
                        application_number=application_number(2, PatentKind.UTILITY_MODEL, year=2015))
    body = client_for(holder).get(f"/api/v1/patents/{old.pk}/").json()
    assert body["legal_status"] == "expired" and body["legal_status_label"].startswith("期限届满")


# -- claims ----------------------------------------------------------------------------------------
def test_a_claim_the_register_confirms_by_credit_code_is_accepted_at_once(holder):
    org = holder.organisation
    patent = unclaimed(name="杭州旧名称有限公司", code=org.credit_code)
    claim = claims.claim_submit(actor=holder, application_number=patent.application_number)
    assert claim.state == ClaimState.ACCEPTED and claim.decided_by is None
    holding = patent.ownerships.get()
    assert holding.organisation == org and claim.holding_id == holding.pk
    assert transfer_blockers(patent, seller=org) == []  # it acts as the holder now


def test_a_claim_by_name_alone_is_accepted_when_no_code_is_recorded(holder):
    patent = unclaimed(name=holder.organisation.name)
    assert claims.claim_submit(actor=holder, application_number=patent.application_number).state == ClaimState.ACCEPTED


def test_a_claim_the_register_does_not_confirm_waits_for_staff(holder, staff, outsider):
    patent = unclaimed()
    claim = claims.claim_submit(actor=holder, application_number=patent.application_number, evidence="更名")
    assert claim.state == ClaimState.PENDING and patent.ownerships.get().organisation is None
    assert [r.code for r in transfer_blockers(patent, seller=holder.organisation)] == ["not_registered_holder"]
    with pytest.raises(RuleViolation, match="正在审核"):
        claims.claim_submit(actor=holder, application_number=patent.application_number)
    with pytest.raises(Exception, match="交易中心"):
        claims.claim_accept(claim_id=claim.pk, actor=outsider, holding_id=patent.ownerships.get().pk, reason="x")
    with pytest.raises(Exception, match="reason"):
        claims.claim_accept(claim_id=claim.pk, actor=staff, holding_id=patent.ownerships.get().pk, reason=" ")
    claims.claim_accept(claim_id=claim.pk, actor=staff, holding_id=patent.ownerships.get().pk,
                        reason="工商变更登记证明已核验")
    claim.refresh_from_db()
    assert claim.state == ClaimState.ACCEPTED and claim.decided_by == staff
    assert patent.ownerships.get().organisation == holder.organisation
    with pytest.raises(RuleViolation, match="已处理"):
        claims.claim_reject(claim_id=claim.pk, actor=staff, reason="重复")


def test_staff_reject_a_claim_with_a_reason_and_a_joined_holding_is_nobody_elses(holder, staff, outsider):
    patent = unclaimed(name=holder.organisation.name)
    claims.claim_submit(actor=holder, application_number=patent.application_number)
    late = claims.claim_submit(actor=outsider, application_number=patent.application_number)
    assert late.state == ClaimState.PENDING
    with pytest.raises(RuleViolation, match="已由"):
        claims.claim_accept(claim_id=late.pk, actor=staff, holding_id=patent.ownerships.get().pk, reason="核验")
    claims.claim_reject(claim_id=late.pk, actor=staff, reason="登记簿记载的权利人不是该机构")
    late.refresh_from_db()
    assert late.state == ClaimState.REJECTED and late.reason.startswith("登记簿")


def test_claims_through_the_api(holder, staff, outsider):
    patent = unclaimed()
    answer = client_for(holder).post("/api/v1/claims/", {"application_number": patent.application_number},
                                     format="json")
    assert answer.status_code == 201 and answer.json()["state"] == "pending"
    claim_id = answer.json()["id"]
    assert client_for(outsider).get(f"/api/v1/claims/{claim_id}/").status_code == 404
    assert client_for(holder).post(f"/api/v1/claims/{claim_id}/accept/", {"holding_id": 1, "reason": "x"},
                                   format="json").status_code == 403
    bad = client_for(holder).post("/api/v1/claims/", {"application_number": "201910100000.2"}, format="json")
    assert bad.status_code == 400 and "application_number" in bad.json()
    unknown = client_for(holder).post("/api/v1/claims/", {"application_number": application_number(4242)},
                                      format="json")
    assert unknown.status_code == 400 and "登记簿中无" in unknown.json()["application_number"][0]
    accepted = client_for(staff).post(f"/api/v1/claims/{claim_id}/accept/", {
        "holding_id": patent.ownerships.get().pk, "reason": "营业执照已核验"}, format="json")
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    history = client_for(holder).get(f"/api/v1/patents/{patent.pk}/history/")
    assert history.status_code == 200 and history.json() == []


# -- co-owners on the register -------------------------------------------------------------------------
def test_a_co_owner_that_has_not_joined_blocks_with_its_name_until_it_claims_and_consents(holder_org):
    patent = PatentFactory(holders=[holder_org])
    PatentOwner.objects.create(patent=patent, name="绍兴合作方有限公司", credit_code="")
    reasons = transfer_blockers(patent, seller=holder_org)
    assert [r.code for r in reasons] == ["co_owner_consent_missing"]
    assert "绍兴合作方有限公司（尚未加入平台" in reasons[0].message
    partner = OrganisationFactory(name="绍兴合作方有限公司")
    claims.claim_submit(actor=UserFactory(organisation=partner), application_number=patent.application_number)
    assert "尚未加入平台" not in transfer_blockers(patent, seller=holder_org)[0].message


def test_only_the_feed_and_the_registries_record_history(holder_org):
    patent = PatentFactory(holders=[holder_org])
    assert not RegisterEvent.objects.exists()
    register_apply(event(patent, "fee_paid", paid_until="2027-02-28"))
    assert RegisterEvent.objects.get().applied_at <= timezone.now()
    assert Claim.objects.count() == 0
