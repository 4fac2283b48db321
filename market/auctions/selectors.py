"""Reads of the auctions: the public view, what a user may do now, and who sees which document.

Auctions are public: everyone sees the lot, the live price, the end time and the bids by bidder
number (竞买号); bidder names are shown to trading-centre staff only.
"""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext

from market.access import member_of
from market.auctions.models import Auction, AuctionState, Bid, BidderDeposit, DepositStatus
from market.models import Document, DocumentKind, DocumentState, User

# Staff actions by state (the services still check times and money).
STAFF_ACTIONS = {
    AuctionState.SCHEDULED: ["start", "cancel"],
    AuctionState.OPEN: ["close", "cancel"],
    AuctionState.CLOSED: ["offer_next", "fail"],
    AuctionState.AWAITING_PAYMENT: ["confirm_payment", "forfeit"],
    AuctionState.FAILED: ["relist"],
}


def auctions_public() -> QuerySet[Auction]:
    """Every auction, the running ones first, then scheduled, then the finished ones, newest first."""
    rank = Case(When(state=AuctionState.OPEN, then=Value(0)), When(state=AuctionState.SCHEDULED, then=Value(1)),
                default=Value(2), output_field=IntegerField())
    return (Auction.objects.select_related("creditor", "debtor", "winning_bid__bidder")
            .prefetch_related("patents").annotate(rank=rank).order_by("rank", "-starts_at", "-pk"))


def deposit_of(auction: Auction, user: User | None) -> BidderDeposit | None:
    """The deposit the user's organisation paid for this auction, if any."""
    if member_of(user) is None:
        return None
    return BidderDeposit.objects.filter(auction=auction, organisation_id=user.organisation_id).first()


def bid_rows(auction: Auction, user: User | None, *, limit: int | None = None) -> list[dict]:
    """The bids, newest first: bidder number for everyone, the organisation's name for staff, ``mine`` flagged."""
    staff = bool(user and user.is_authenticated and user.is_centre_staff)
    org_id = getattr(user, "organisation_id", None) if user and user.is_authenticated else None
    bids = Bid.objects.filter(auction=auction).select_related("deposit", "bidder").order_by("-sequence")
    return [{"sequence": b.sequence, "paddle": b.deposit.paddle_label, "amount": b.amount, "at": b.at,
             "bidder": b.bidder.name if staff else None, "mine": org_id is not None and b.bidder_id == org_id,
             "lapsed": b.lapsed_at is not None}
            for b in (bids[:limit] if limit else bids)]


def allowed_actions(auction: Auction, user: User | None) -> list[str]:
    """The actions the auction offers ``user`` now (names of the API actions); the services may still refuse."""
    if member_of(user) is None:
        return []
    if user.is_centre_staff:
        actions = list(STAFF_ACTIONS.get(auction.state, []))
        if auction.state == AuctionState.FAILED and Auction.objects.filter(relisted_from=auction).exists():
            actions.remove("relist")
        return actions
    org = user.organisation
    actions: list[str] = []
    open_for_bidders = auction.state in (AuctionState.SCHEDULED, AuctionState.OPEN) and not auction.has_ended()
    if org.verified and org.pk != auction.debtor_id and open_for_bidders:
        deposit = deposit_of(auction, user)
        if deposit is None:
            actions.append("deposit")
        elif deposit.status == DepositStatus.HELD and auction.state == AuctionState.OPEN \
                and auction.leading_bidder_id != org.pk:
            actions.append("bid")
    if (auction.state == AuctionState.AWAITING_PAYMENT and auction.winning_bid_id
            and auction.winning_bid.bidder_id == org.pk and not auction.payment_escrow_id
            and timezone.now() <= auction.payment_due_at):
        actions.append("pay")
    return actions


def confirmation_parties(auction: Auction) -> set[int]:
    """Organisations that receive the result confirmation: creditor, debtor, and every buyer offered the lot."""
    buyers = Bid.objects.filter(Q(pk=auction.winning_bid_id) | Q(auction=auction, lapsed_at__isnull=False))
    return {auction.creditor_id, auction.debtor_id, *buyers.values_list("bidder_id", flat=True)}


def auction_documents(user: User | None) -> Q:
    """A filter on Document: auction announcements for every signed-in user; confirmations for their parties."""
    if member_of(user) is None:
        return Q(pk__in=[])
    announcements = Q(deal_type__model="auction", kind=DocumentKind.AUCTION_ANNOUNCEMENT)
    if user.is_centre_staff:
        return Q(deal_type__model="auction")
    org = user.organisation_id
    mine = Auction.objects.filter(
        Q(creditor_id=org) | Q(debtor_id=org) | Q(bids__bidder_id=org, bids__lapsed_at__isnull=False)
        | Q(winning_bid__bidder_id=org)).values("pk")
    return announcements | Q(deal_type__model="auction", deal_id__in=mine)


def visible_documents(auction: Auction, user: User | None) -> list[Document]:
    """The current versions of the auction's documents this user may download (the announcement: everyone)."""
    docs = (Document.objects.for_deal(auction).latest_versions().select_related("deal_type")
            .order_by("kind", "-version"))
    staff = bool(user and user.is_authenticated and user.is_centre_staff)
    org_id = getattr(user, "organisation_id", None) if user and user.is_authenticated else None
    parties = confirmation_parties(auction)
    return [d for d in docs if d.kind == DocumentKind.AUCTION_ANNOUNCEMENT or staff or org_id in parties]


def public_announcement(auction: Auction) -> Document | None:
    """The issued, current announcement (downloadable by anyone from the public page)."""
    return (Document.objects.for_deal(auction).latest_versions()
            .filter(kind=DocumentKind.AUCTION_ANNOUNCEMENT, state=DocumentState.ISSUED).first())


def _at(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else "—"


def auction_next_step(auction: Auction, user: User | None) -> str:
    """Who must act next on the auction, what, and by when: the line its pages lead with ('' once over)."""
    org_id = user.organisation_id if member_of(user) is not None else None
    state = auction.state
    if state == AuctionState.SCHEDULED:
        return gettext("%(start)s 开拍；竞买人须在开拍前交纳保证金。") % {"start": _at(auction.starts_at)}
    if state == AuctionState.OPEN:
        return gettext("竞价中，至 %(end)s 结束（结束前出价将延时）；已交保证金的竞买人可出价。") % {
            "end": _at(auction.ends_at)}
    if state == AuctionState.CLOSED:
        return gettext("竞价已结束，等待交易中心确认结果。")
    if state == AuctionState.AWAITING_PAYMENT:
        winner = auction.winning_bid.bidder_id if auction.winning_bid_id else None
        who_pays = gettext("贵方") if winner == org_id else gettext("买受人")
        return gettext("等待%(who)s于 %(due)s 前付清成交价款，逾期保证金不予退还。") % {
            "who": who_pays, "due": _at(auction.payment_due_at)}
    return ""
