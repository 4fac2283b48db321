"""Match proposals: staff propose a listing for an open demand (both sides are notified after commit),
the demand's organisation may open a transfer deal from it, staff mark the outcome."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from django.db import transaction

from market import locks as market_locks
from market.models import Listing, ListingMode, ListingState, TransitionLog, User
from market.rules import Reason, RuleViolation
from market.services.errors import ActionForbidden, state_refusal
from market.services.queue import enqueue
from market.services.transitions import apply_transition
from market.transfers.models import DealState, TransferDeal
from market.transfers.services import deal_open
from search.documents import documents_for

from .. import locks, tasks
from ..matcher import RULES, DemandProfile, explain, match_demand
from ..models import Demand, DemandState, MatchProposal, ProposalState
from .common import require_staff

RULE = "matching"
EXPLAIN = replace(RULES, min_text_share=0.0, min_score=Decimal("0"))


def _refuse(code: str, message: str) -> RuleViolation:
    return RuleViolation(Reason(code, RULE, message))


def _why(demand: Demand, listing_id: int) -> tuple[Decimal | None, dict]:
    """The listing's score and reasons for the demand, as ranked now (reasons only if it ranks no more)."""
    # staff may propose what the matcher would not: its score is still shown, whatever the thresholds
    for match in match_demand(demand, listing_ids=[listing_id], limit=1, rules=EXPLAIN):
        return match.score, match.explanation.as_dict()
    documents = documents_for(Listing.objects.filter(pk=listing_id))
    return None, explain(DemandProfile.of(demand), documents[0]).as_dict() if documents else {}


def proposal_create(*, demand_id: int, listing_id: int, actor: User, note: str = "") -> MatchProposal:
    """Staff propose a published listing for an open demand; both organisations are notified after commit."""
    require_staff(actor)
    score, explanation = _why(Demand.objects.get(pk=demand_id), listing_id)  # reads only: before the locks
    with transaction.atomic():
        listing = market_locks.listing(listing_id)
        demand = locks.demand(demand_id)
        if demand.state != DemandState.OPEN:
            raise state_refusal(demand, "推荐匹配")
        if listing.state != ListingState.PUBLISHED:
            raise _refuse("listing_not_published", "该挂牌未发布 / The listing is not published")
        if listing.organisation_id == demand.organisation_id:
            raise _refuse("own_listing", "不能向需求方推荐其自己的挂牌 / This listing belongs to the demand's organisation")
        if MatchProposal.objects.filter(demand=demand, listing=listing).exists():
            raise _refuse("already_proposed", "该挂牌已推荐给此需求 / This listing was already proposed for the demand")
        proposal = MatchProposal.objects.create(demand=demand, listing=listing, proposed_by=actor, note=note.strip(),
                                                score=score, explanation=explanation)
        TransitionLog.record(proposal, transition="propose", from_state="", to_state=proposal.state, actor=actor,
                             reason=note.strip())
        enqueue(tasks.proposal_notify_task, proposal.pk)
    return proposal


def _move(proposal_id: int, actor: User, name: str, label: str, reason: str = "", **kwargs) -> MatchProposal:
    """Lock demand then proposal, run the proposal's transition; an accepted or started match matches the demand."""
    demand_id = MatchProposal.objects.values_list("demand_id", flat=True).get(pk=proposal_id)
    demand = locks.demand(demand_id)
    proposal = locks.proposal(proposal_id)
    if name in ("accept", "start_deal") and not demand.is_active:
        raise state_refusal(demand, label)  # withdrawn or closed meanwhile
    apply_transition(proposal, name, actor=actor, reason=reason, label=label, **kwargs)
    if name in ("accept", "start_deal") and demand.state == DemandState.OPEN:
        apply_transition(demand, "match", actor=actor, reason=f"匹配推荐 #{proposal.pk} / match proposal #{proposal.pk}")
    return proposal


def proposal_accept(*, proposal_id: int, actor: User, reason: str = "") -> MatchProposal:
    """Staff record that both sides want to go on: the demand counts as matched."""
    require_staff(actor)
    with transaction.atomic():
        return _move(proposal_id, actor, "accept", "标记为已接受", reason)


def proposal_reject(*, proposal_id: int, actor: User, reason: str = "") -> MatchProposal:
    """Staff record that the match was not taken up."""
    require_staff(actor)
    with transaction.atomic():
        return _move(proposal_id, actor, "reject", "标记为未采纳", reason)


def _linkable_deal(proposal: MatchProposal, deal_id: int) -> TransferDeal:
    deal = TransferDeal.objects.filter(pk=deal_id).first()
    if deal is None or deal.listing_id != proposal.listing_id or deal.buyer_id != proposal.demand.organisation_id:
        raise _refuse("deal_mismatch", "该交易不是需求方在此挂牌上的交易 / The deal is not the demand organisation's "
                                       "deal on this listing")
    return deal


def proposal_mark_deal_started(*, proposal_id: int, actor: User, deal_id: int | None = None) -> MatchProposal:
    """Staff record that a deal started from the match: a transfer deal on the platform (linked), or an
    offline or licence negotiation (no link)."""
    require_staff(actor)
    with transaction.atomic():
        proposal = MatchProposal.objects.select_related("demand").get(pk=proposal_id)
        deal = _linkable_deal(proposal, deal_id) if deal_id is not None else None
        reason = f"转让交易 {deal.number} / transfer deal {deal.number}" if deal else ""
        return _move(proposal_id, actor, "start_deal", "标记为已发起交易", reason, deal=deal)


def proposal_mark_deal_closed(*, proposal_id: int, actor: User) -> MatchProposal:
    """Staff record that the deal closed; a linked transfer deal must have closed on the platform."""
    require_staff(actor)
    with transaction.atomic():
        proposal = MatchProposal.objects.select_related("deal").get(pk=proposal_id)
        if proposal.deal is not None and proposal.deal.state != DealState.CLOSED:
            raise _refuse("deal_not_closed", f"关联的转让交易 {proposal.deal.number} 尚未完成 / "
                                             f"The linked transfer deal {proposal.deal.number} has not closed")
        return _move(proposal_id, actor, "close_deal", "标记为已成交")


def proposal_start_deal(*, proposal_id: int, actor: User, price: Decimal | str, message: str = "") -> MatchProposal:
    """The demand's organisation makes a first offer on the proposed transfer listing: the transfer deal opens
    (``market.transfers.services.deal_open``) and is linked to the proposal, in one transaction."""
    proposal = MatchProposal.objects.select_related("demand", "listing").get(pk=proposal_id)
    if actor.organisation_id is None or actor.organisation_id != proposal.demand.organisation_id:
        raise ActionForbidden("只有需求方可以据此发起交易 / Only the demand's organisation may start a deal from it")
    if proposal.listing.mode != ListingMode.TRANSFER:
        raise _refuse("not_a_transfer_listing", "该挂牌不是转让挂牌，请在挂牌页面按其交易方式洽谈 / The listing is not "
                                                "a transfer listing: negotiate on the listing's page")
    if not proposal.demand.is_active:
        raise state_refusal(proposal.demand, "发起交易")
    if proposal.state not in (ProposalState.PROPOSED, ProposalState.ACCEPTED):
        raise state_refusal(proposal, "发起交易")
    with transaction.atomic():
        deal = deal_open(listing_id=proposal.listing_id, actor=actor, price=price, message=message)  # locks the listing
        return _move(proposal_id, actor, "start_deal", "发起交易", f"转让交易 {deal.number} / transfer deal {deal.number}",
                     deal=deal)


def proposals_sync_closed_deals() -> int:
    """Mark deal-closed the proposals whose linked transfer deal has closed; returns how many (daily)."""
    moved = 0
    pending = MatchProposal.objects.filter(state=ProposalState.DEAL_STARTED, deal__state=DealState.CLOSED)
    for proposal_id in pending.values_list("pk", flat=True):
        try:
            with transaction.atomic():
                _move(proposal_id, None, "close_deal", "标记为已成交", "转让交易已完成 / the transfer deal closed")
        except RuleViolation:
            continue  # staff moved it meanwhile
        moved += 1
    return moved
