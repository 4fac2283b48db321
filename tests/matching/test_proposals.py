"""Proposals: staff propose, both sides are notified once, the demand's organisation starts a deal from it,
staff mark outcomes; conversion figures."""

from decimal import Decimal

import pytest

from market.models import TransitionLog
from market.transfers.models import DealState, TransferDeal
from market.transfers.services import deal_open
from matching.models import DemandState, MatchProposal, ProposalState
from matching.selectors import proposal_conversion
from matching.services.demands import demand_withdraw
from matching.services.proposals import (
    proposal_accept,
    proposal_create,
    proposal_mark_deal_started,
    proposal_reject,
    proposal_start_deal,
    proposals_sync_closed_deals,
)
from matching.tasks import proposal_notify_task
from notifications.models import Notification
from tests.market.deal_steps import advance

from ..factories import UserFactory
from .conftest import api_for


@pytest.fixture
def proposal(market, demand, staff):
    return proposal_create(demand_id=demand.pk, listing_id=market["separator"].pk, actor=staff, note="技术指标吻合")


def test_staff_propose_a_listing_with_its_reasons(market, demand, staff):
    response = api_for(staff).post("/api/v1/proposals/", {"demand": demand.pk, "listing": market["separator"].pk,
                                                           "note": "技术指标吻合"}, format="json")

    assert response.status_code == 201
    proposal = MatchProposal.objects.get()
    assert (proposal.state, proposal.proposed_by, proposal.note) == (ProposalState.PROPOSED, staff, "技术指标吻合")
    assert proposal.explanation["matched_terms"] == ["安全性", "锂电池", "隔膜", "热稳定性", "孔隙率", "动力电池"]
    assert proposal.explanation["ipc_groups"] == ["H01M50"]
    assert proposal.score is not None and response.json()["score"] == str(proposal.score)
    log = TransitionLog.for_object(proposal).get()
    assert (log.transition, log.to_state, log.actor, log.reason) == ("propose", "proposed", staff, "技术指标吻合")


def test_both_sides_are_notified_once_in_app_and_by_email(market, demand, staff, buyer, holder, eager_tasks,
                                                          mailoutbox, django_capture_on_commit_callbacks):
    buyer.email, holder.email = "buyer@example.cn", "holder@example.cn"
    buyer.save(), holder.save()
    colleague = UserFactory(organisation=buyer.organisation, email="colleague@example.cn")

    with django_capture_on_commit_callbacks(execute=True):
        proposal = proposal_create(demand_id=demand.pk, listing_id=market["separator"].pk, actor=staff)

    notes = Notification.objects.filter(key=f"match-proposal:{proposal.pk}")
    assert sorted(n.recipient.username for n in notes) == sorted(["buyer", colleague.username, "holder"])
    to_buyer = notes.get(recipient=buyer)
    assert to_buyer.title == "交易中心为您的需求“高安全性锂电池隔膜技术”推荐了挂牌 / A listing is proposed for your demand"
    assert "一种高安全性锂电池隔膜及其制备方法（转让 Transfer，¥800,000.00）" in to_buyer.body
    assert to_buyer.url == f"/demands/{demand.pk}/"
    assert notes.get(recipient=holder).url == f"/listings/{market['separator'].pk}/"
    assert sorted(m.to[0] for m in mailoutbox) == ["buyer@example.cn", "colleague@example.cn", "holder@example.cn"]

    with django_capture_on_commit_callbacks(execute=True):
        assert proposal_notify_task(proposal.pk) == 0
        assert proposal_notify_task.delay(proposal.pk).get() == 0

    assert notes.count() == 3 and len(mailoutbox) == 3


def test_nothing_is_notified_before_the_proposal_commits(market, demand, staff, eager_tasks,
                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        proposal_create(demand_id=demand.pk, listing_id=market["separator"].pk, actor=staff)

    assert len(callbacks) == 1
    assert not Notification.objects.exists()


def test_only_staff_propose(market, demand, buyer):
    response = api_for(buyer).post("/api/v1/proposals/", {"demand": demand.pk, "listing": market["separator"].pk},
                                   format="json")

    assert response.status_code == 403
    assert not MatchProposal.objects.exists()


@pytest.mark.parametrize(("listing", "code"), [
    ("own", "own_listing"), ("draft", "listing_not_published")], ids=["own_listing_case", "draft_case"])
def test_a_listing_that_cannot_be_proposed_is_refused_with_a_reason(market, demand, staff, listing, code):
    response = api_for(staff).post("/api/v1/proposals/", {"demand": demand.pk, "listing": market[listing].pk},
                                   format="json")

    assert response.status_code == 409
    assert response.json()["reasons"][0]["code"] == code
    assert not MatchProposal.objects.exists()


def test_a_listing_is_proposed_once_per_demand(proposal, market, demand, staff):
    response = api_for(staff).post("/api/v1/proposals/", {"demand": demand.pk, "listing": market["separator"].pk},
                                   format="json")

    assert response.status_code == 409
    assert response.json()["reasons"][0] == {
        "code": "already_proposed", "rule": "matching",
        "message": "该挂牌已推荐给此需求 / This listing was already proposed for the demand",
        "source": ""}  # the platform's own procedure: no law behind it
    assert MatchProposal.objects.count() == 1


def test_the_holder_sees_the_proposal_but_not_the_demand_and_others_see_nothing(proposal, holder, outsider, buyer):
    holder_api = api_for(holder)
    seen = holder_api.get(f"/api/v1/proposals/{proposal.pk}/")
    assert seen.status_code == 200
    assert seen.json()["demand"] == {"id": proposal.demand_id, "number": proposal.demand.number,
                                     "title": "高安全性锂电池隔膜技术", "organisation_name": "宁波甬江电池科技有限公司",
                                     "wanted_modes": ["transfer", "licence"]}
    assert holder_api.get(f"/api/v1/demands/{proposal.demand_id}/").status_code == 404

    outsider_api = api_for(outsider)
    assert outsider_api.get("/api/v1/proposals/").json()["count"] == 0
    assert outsider_api.get(f"/api/v1/proposals/{proposal.pk}/").status_code == 404
    assert outsider_api.post(f"/api/v1/proposals/{proposal.pk}/start_deal/", {"price": "800000"},
                             format="json").status_code == 404
    assert api_for(buyer).get("/api/v1/proposals/").json()["count"] == 1


def test_the_demand_organisation_starts_a_transfer_deal_from_the_proposal(proposal, buyer, buyer_org):
    response = api_for(buyer).post(f"/api/v1/proposals/{proposal.pk}/start_deal/",
                                   {"price": "750000.00", "message": "经交易中心推荐"}, format="json")

    assert response.status_code == 200
    deal = TransferDeal.objects.get()
    assert (deal.listing_id, deal.buyer, deal.state) == (proposal.listing_id, buyer_org, DealState.NEGOTIATING)
    assert deal.offers.get().price == Decimal("750000.00")
    proposal = MatchProposal.objects.get(pk=proposal.pk)
    assert (proposal.state, proposal.deal) == (ProposalState.DEAL_STARTED, deal)
    assert response.json()["deal"] == deal.pk
    assert proposal.demand.state == DemandState.MATCHED
    assert TransitionLog.for_object(proposal).get(transition="start_deal").reason == \
        f"转让交易 {deal.number} / transfer deal {deal.number}"


def test_a_deal_cannot_start_from_a_licence_listing_here(market, demand, staff, buyer):
    proposal = proposal_create(demand_id=demand.pk, listing_id=market["electrolyte"].pk, actor=staff)

    response = api_for(buyer).post(f"/api/v1/proposals/{proposal.pk}/start_deal/", {"price": "100000"}, format="json")

    assert response.status_code == 409
    assert response.json()["reasons"][0]["code"] == "not_a_transfer_listing"
    assert not TransferDeal.objects.exists()
    assert MatchProposal.objects.get(pk=proposal.pk).state == ProposalState.PROPOSED


@pytest.mark.parametrize("who", ["staff", "holder"])
def test_only_the_demand_organisation_starts_a_deal(proposal, request, who):
    response = api_for(request.getfixturevalue(who)).post(f"/api/v1/proposals/{proposal.pk}/start_deal/",
                                                          {"price": "800000"}, format="json")

    assert response.status_code == 403
    assert not TransferDeal.objects.exists()


def test_a_refused_offer_leaves_the_proposal_as_it_was(proposal, buyer, buyer_org):
    buyer_org.verified = False
    buyer_org.save()

    response = api_for(buyer).post(f"/api/v1/proposals/{proposal.pk}/start_deal/", {"price": "800000"}, format="json")

    assert response.status_code == 403
    assert not TransferDeal.objects.exists()
    proposal = MatchProposal.objects.get(pk=proposal.pk)
    assert (proposal.state, proposal.demand.state) == (ProposalState.PROPOSED, DemandState.OPEN)


def test_staff_mark_outcomes_and_only_staff(proposal, staff, buyer):
    assert api_for(buyer).post(f"/api/v1/proposals/{proposal.pk}/accept/", {}, format="json").status_code == 403

    response = api_for(staff).post(f"/api/v1/proposals/{proposal.pk}/accept/", {"reason": "双方同意洽谈"}, format="json")

    assert response.status_code == 200 and response.json()["state"] == "accepted"
    proposal = MatchProposal.objects.get(pk=proposal.pk)
    assert proposal.demand.state == DemandState.MATCHED
    assert TransitionLog.for_object(proposal.demand).get(transition="match").actor == staff
    again = api_for(staff).post(f"/api/v1/proposals/{proposal.pk}/accept/", {}, format="json")
    assert again.status_code == 409


def test_a_deal_linked_by_staff_must_be_the_demand_organisations_deal_on_the_listing(proposal, staff, outsider):
    other = deal_open(listing_id=proposal.listing_id, actor=outsider, price="700000")

    response = api_for(staff).post(f"/api/v1/proposals/{proposal.pk}/mark_deal_started/", {"deal": other.pk},
                                   format="json")

    assert response.status_code == 409
    assert response.json()["reasons"][0]["code"] == "deal_mismatch"
    assert MatchProposal.objects.get(pk=proposal.pk).state == ProposalState.PROPOSED


def test_deal_closed_needs_the_linked_deal_closed_and_a_daily_sync_marks_it(proposal, holder, buyer, staff):
    proposal = proposal_start_deal(proposal_id=proposal.pk, actor=buyer, price="800000")
    api = api_for(staff)

    refused = api.post(f"/api/v1/proposals/{proposal.pk}/mark_deal_closed/", {}, format="json")
    assert refused.status_code == 409
    assert refused.json()["reasons"][0]["code"] == "deal_not_closed"

    advance(proposal.deal, to=DealState.CLOSED, seller=holder, buyer=buyer, staff=staff)
    assert proposals_sync_closed_deals() == 1
    assert proposals_sync_closed_deals() == 0
    proposal = MatchProposal.objects.get(pk=proposal.pk)
    assert proposal.state == ProposalState.DEAL_CLOSED
    log = TransitionLog.for_object(proposal).get(transition="close_deal")
    assert (log.actor, log.reason) == (None, "转让交易已完成 / the transfer deal closed")


def test_conversion_counts_and_rates(market, demand, staff, buyer, holder):
    def propose(key):
        return proposal_create(demand_id=demand.pk, listing_id=market[key].pk, actor=staff)

    separator, electrolyte, bms, cellulose = (propose(k) for k in ("separator", "electrolyte", "bms", "cellulose"))
    assert proposal_conversion().started_rate == Decimal("0.0")
    deal = proposal_start_deal(proposal_id=separator.pk, actor=buyer, price="800000").deal
    advance(deal, to=DealState.CLOSED, seller=holder, buyer=buyer, staff=staff)
    proposals_sync_closed_deals()
    proposal_mark_deal_started(proposal_id=electrolyte.pk, actor=staff)  # negotiated offline: no deal to link
    proposal_reject(proposal_id=bms.pk, actor=staff, reason="需求方不需要储能")
    proposal_accept(proposal_id=cellulose.pk, actor=staff)

    response = api_for(staff).get("/api/v1/proposals/conversion/")

    assert response.status_code == 200
    assert response.json() == {"proposals": 4, "pending": 0, "accepted": 1, "rejected": 1, "deals_started": 2,
                               "deals_closed": 1, "started_rate": "50.0", "closed_rate": "25.0",
                               "closed_of_started_rate": "50.0"}
    assert api_for(buyer).get("/api/v1/proposals/conversion/").status_code == 403


def test_conversion_rates_are_empty_without_proposals(db):
    conversion = proposal_conversion()

    assert (conversion.proposals, conversion.started_rate, conversion.closed_of_started_rate) == (0, None, None)


def test_staff_only_actions_answer_403_before_looking_anything_up(proposal, outsider):
    api = api_for(outsider)

    for path in (f"{proposal.pk}/accept/", "999999/accept/", f"{proposal.pk}/mark_deal_closed/"):
        assert api.post(f"/api/v1/proposals/{path}", {}, format="json").status_code == 403
    assert api.post("/api/v1/proposals/", {"demand": 999999, "listing": 1}, format="json").status_code == 403
    assert MatchProposal.objects.get().state == ProposalState.PROPOSED


def test_a_proposal_of_a_withdrawn_demand_goes_no_further(proposal, buyer, staff):
    demand_withdraw(demand_id=proposal.demand_id, actor=buyer)

    accepted = api_for(staff).post(f"/api/v1/proposals/{proposal.pk}/accept/", {}, format="json")
    started = api_for(buyer).post(f"/api/v1/proposals/{proposal.pk}/start_deal/", {"price": "800000"}, format="json")

    assert accepted.status_code == 409 and started.status_code == 409
    assert "已撤回" in accepted.json()["reasons"][0]["message"]
    assert MatchProposal.objects.get().state == ProposalState.PROPOSED
    assert not TransferDeal.objects.exists()
