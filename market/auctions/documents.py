"""What the auction documents show: the announcement (拍卖公告) and the result confirmation (成交确认书).

Each builder reads the auction's rows and returns a plain dict. Only reads.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Sum

from market.auctions.models import Auction, BidderDeposit, DepositStatus
from market.documents.context import party, patent_row
from market.documents.numerals import rmb_upper
from market.models import Document, Encumbrance, EncumbranceKind
from market.money import ZERO, cny, format_cny


def money(value) -> dict:
    """An amount in figures and in capital numerals."""
    return {"figures": format_cny(value), "upper": rmb_upper(cny(value))}


def auction_context(auction: Auction) -> dict:
    """The data both auction documents show."""

    patents = list(auction.patents.order_by("application_number"))
    pledges = (Encumbrance.objects.filter(patent__in=patents, kind=EncumbranceKind.PLEDGE, beneficiary=auction.creditor)
               .select_related("patent").order_by("patent__application_number", "registered_at"))
    licences = (Encumbrance.objects.in_force().filter(patent__in=patents).exclude(kind=EncumbranceKind.PLEDGE)
                .select_related("patent", "beneficiary").order_by("patent__application_number"))
    return {
        "auction": auction, "deal_number": auction.number, "title": auction.title,
        "creditor": party(auction.creditor), "debtor": party(auction.debtor),
        "patents": [patent_row(p) for p in patents], "patent_count": len(patents),
        "pledges": [{"patent_number": p.patent.patent_number, "registration_number": p.registration_number or "—",
                     "secured_amount": format_cny(p.secured_amount) if p.secured_amount is not None else "—"}
                    for p in pledges],
        "other_encumbrances": [{"patent_number": e.patent.patent_number, "kind": str(e.get_kind_display()).split(" ")[0],
                                "holder": e.holder_label or "—"} for e in licences],
        "claim": money(auction.claim_amount), "reserve": money(auction.reserve_price),
        "increment": money(auction.increment), "deposit": money(auction.deposit),
        "extension_minutes": settings.MARKET["AUCTION_EXTENSION_MINUTES"],
        "payment_days": settings.MARKET["AUCTION_PAYMENT_DAYS"],
        "relisted_from": auction.relisted_from.number if auction.relisted_from_id else "",
    }


def announcement_context(document: Document, auction: Auction) -> dict:
    return auction_context(auction)


def confirmation_context(document: Document, auction: Auction) -> dict:
    """The buyer, its price and what it still pays, and how the price will be applied (art. 444)."""

    context = auction_context(auction)
    bid = auction.winning_bid
    deposit = bid.deposit
    forfeits = BidderDeposit.objects.filter(auction=auction, status=DepositStatus.FORFEITED)
    forfeited = cny(forfeits.aggregate(total=Sum("escrow__amount"))["total"])
    prior_to_creditor = min(auction.claim_amount, forfeited)
    to_creditor = min(auction.claim_amount - prior_to_creditor, bid.amount)
    held = deposit.escrow.amount if deposit.status in (DepositStatus.HELD, DepositStatus.APPLIED) else ZERO
    context.update({
        "buyer": party(bid.bidder), "paddle": deposit.paddle_label, "bid_at": bid.at, "bid_count": auction.bid_count,
        "price": money(bid.amount), "deposit_credited": money(held), "balance": money(bid.amount - held),
        "payment_due_at": auction.payment_due_at, "to_creditor": money(to_creditor),
        "to_debtor": money(bid.amount - to_creditor), "forfeited": money(forfeited) if forfeited else None,
        "lapsed_paddles": [d.paddle_label for d in forfeits.order_by("paddle")],
    })
    return context
