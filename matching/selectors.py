"""Reads: what a user may see of demands and proposals, and the match-to-deal conversion."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from market.access import own_or_staff
from market.models import ListingMode, User

from .models import Demand, DemandState, MatchProposal, ProposalState, SavedSearch

STARTED = (ProposalState.DEAL_STARTED, ProposalState.DEAL_CLOSED)


def demands_visible_to(user: User | None) -> QuerySet[Demand]:
    """A demand is seen by its organisation and by staff only."""
    return own_or_staff(Demand.objects.select_related("organisation", "created_by"), user, "organisation_id")


def proposals_visible_to(user: User | None) -> QuerySet[MatchProposal]:
    """A proposal is seen by the demand's organisation, the listing's holder and staff."""
    return own_or_staff(
        MatchProposal.objects.select_related("demand__organisation", "listing__organisation", "proposed_by", "deal"),
        user, "demand__organisation_id", "listing__organisation_id")


def open_demands() -> QuerySet[Demand]:
    """The workspace's queue: open demands, oldest first (they have waited longest)."""
    return (Demand.objects.filter(state=DemandState.OPEN).select_related("organisation", "created_by")
            .annotate(proposal_count=Count("proposals")).order_by("created_at", "pk"))


def saved_searches_of(user: User) -> QuerySet[SavedSearch]:
    return SavedSearch.objects.filter(user_id=user.pk).annotate(hit_count=Count("hits")).order_by("-created_at", "-pk")


def _rate(part: int, whole: int) -> Decimal | None:
    return None if not whole else (Decimal(100) * part / whole).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class Conversion:
    """The match-to-deal funnel: proposals → deals started → deals closed (rates in per cent, None over 0)."""

    proposals: int
    pending: int
    accepted: int
    rejected: int
    deals_started: int
    deals_closed: int

    @property
    def started_rate(self) -> Decimal | None:
        return _rate(self.deals_started, self.proposals)

    @property
    def closed_rate(self) -> Decimal | None:
        return _rate(self.deals_closed, self.proposals)

    @property
    def closed_of_started_rate(self) -> Decimal | None:
        return _rate(self.deals_closed, self.deals_started)


def proposal_conversion(proposals: QuerySet[MatchProposal] | None = None) -> Conversion:
    """Counts of the proposals by outcome; deals started counts those closed since."""
    qs = MatchProposal.objects.all() if proposals is None else proposals
    figures = qs.aggregate(
        proposals=Count("pk"),
        pending=Count("pk", filter=Q(state=ProposalState.PROPOSED)),
        accepted=Count("pk", filter=Q(state=ProposalState.ACCEPTED)),
        rejected=Count("pk", filter=Q(state=ProposalState.REJECTED)),
        deals_started=Count("pk", filter=Q(state__in=STARTED)),
        deals_closed=Count("pk", filter=Q(state=ProposalState.DEAL_CLOSED)),
    )
    return Conversion(**figures)


def proposal_actions(proposal: MatchProposal, user: User) -> list[str]:
    """The actions a user may take on a proposal now: staff mark outcomes; the demand's organisation may start
    a transfer deal (``start_deal``) or, on another mode, negotiate on the listing's page (``negotiate``)."""
    state = proposal.state
    if user.is_centre_staff:
        actions = {ProposalState.PROPOSED: ["accept", "reject", "deal_started"],
                   ProposalState.ACCEPTED: ["reject", "deal_started"],
                   ProposalState.DEAL_STARTED: ["deal_closed"]}
        return actions.get(state, [])
    owner = user.organisation_id is not None and user.organisation_id == proposal.demand.organisation_id
    if not owner or not proposal.demand.is_active or state not in (ProposalState.PROPOSED, ProposalState.ACCEPTED):
        return []
    return ["start_deal"] if proposal.listing.mode == ListingMode.TRANSFER else ["negotiate"]
