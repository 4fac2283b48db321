"""What the matching app tells people, through the shared ``notifications`` app (in-app at once, e-mail
after commit, once per event and user: the event key is unique per recipient)."""

from __future__ import annotations

from django.urls import reverse

from market.money import format_cny
from notifications.models import Notification
from notifications.services import notify

from ..models import MatchProposal

PROPOSAL_KIND = "match_proposal"
DIGEST_KIND = "saved_search_digest"


def proposal_key(proposal_id: int) -> str:
    return f"match-proposal:{proposal_id}"


def price_text(value) -> str:
    return "面议 / negotiable" if value is None else format_cny(value)


def proposal_notify(*, proposal_id: int) -> list[Notification]:
    """Tell both sides of a proposal: the demand's organisation (what was found for it) and the listing's
    holder (who is interested). Returns the notifications created now: none when run again."""
    proposal = MatchProposal.objects.select_related("demand__organisation", "listing__organisation").get(pk=proposal_id)
    demand, listing = proposal.demand, proposal.listing
    note = f"\n交易中心说明 / Note: {proposal.note}" if proposal.note else ""
    to_demand = notify(
        key=proposal_key(proposal.pk), kind=PROPOSAL_KIND, organisations=[demand.organisation],
        title=f"交易中心为您的需求“{demand.title}”推荐了挂牌 / A listing is proposed for your demand",
        body=f"推荐挂牌 / Listing: {listing.title}（{listing.get_mode_display()}，{price_text(listing.asking_price)}）"
             f"\n挂牌机构 / Holder: {listing.organisation.name}{note}",
        url=reverse("frontend:demand_detail", args=[demand.pk]))
    to_holder = notify(
        key=proposal_key(proposal.pk), kind=PROPOSAL_KIND, organisations=[listing.organisation],
        title=f"交易中心向一位需求方推荐了您的挂牌“{listing.title}” / Your listing is proposed to a buyer",
        body=f"需求方 / Buyer: {demand.organisation.name}\n需求 / Demand: {demand.title}{note}",
        url=reverse("frontend:listing_detail", args=[listing.pk]))
    return to_demand + to_holder
