"""Concurrent bids on one lot (PostgreSQL): the auction's row lock makes them one strictly ordered sequence."""

import random
import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, connections

from market.auctions import services as auctions
from market.auctions.models import Auction, AuctionState, Bid, BidderDeposit, DepositStatus
from market.models import EscrowState, LedgerTransaction
from market.rules import RuleViolation
from market.services.ledger import ledger_problems

from ..auctions.conftest import INCREMENT, RESERVE, deposit, end_now, make_bidder, open_auction
from ..factories import PatentFactory, pledge
from .test_deal_races import race

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are a PostgreSQL test")

BIDDERS = 8
ATTEMPTS = 12


@pytest.fixture
def lot_auction(transactional_db, staff, holder_org, bank_org):
    patent = PatentFactory(holders=[holder_org])
    pledge(patent, bank_org, secured_amount=Decimal("300000.00"))
    return open_auction(staff, [patent], bank_org, holder_org)


@pytest.fixture
def depositors(lot_auction):
    users = [make_bidder(f"并发竞买公司{i}") for i in range(BIDDERS)]
    for user in users:
        deposit(lot_auction, user)
    return users


def bid_storm(auction, users) -> list:
    """Each bidder, in its own thread and connection, bids the minimum plus 0-2 increments ATTEMPTS times."""
    barrier = threading.Barrier(len(users))
    outcomes = [[] for _ in users]

    def run(index, user):
        rng = random.Random(index)
        try:
            barrier.wait()
            for _ in range(ATTEMPTS):
                minimum = Auction.objects.get(pk=auction.pk).minimum_bid()
                amount = minimum + INCREMENT * rng.randint(0, 2)
                try:
                    outcomes[index].append(auctions.auction_bid(auction_id=auction.pk, actor=user, amount=amount))
                except RuleViolation as exc:
                    outcomes[index].append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, u)) for i, u in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return [o for per_user in outcomes for o in per_user]


def test_concurrent_bids_form_one_strictly_increasing_sequence(lot_auction, depositors, staff):
    outcomes = bid_storm(lot_auction, depositors)
    accepted = [o for o in outcomes if isinstance(o, Bid)]
    refused = [o for o in outcomes if not isinstance(o, Bid)]
    assert len(outcomes) == BIDDERS * ATTEMPTS
    assert len(accepted) >= BIDDERS and refused  # the bidders really raced (about 25 of 96 are accepted)
    assert {r.code for exc in refused for r in exc.reasons} <= {"bid_too_low", "already_leading"}
    assert all(isinstance(exc, RuleViolation) for exc in refused)  # no deadlock, no integrity error

    bids = list(Bid.objects.filter(auction=lot_auction).order_by("sequence"))
    assert sorted(b.pk for b in accepted) == [b.pk for b in sorted(bids, key=lambda b: b.pk)]
    assert [b.sequence for b in bids] == list(range(1, len(bids) + 1))
    assert bids[0].amount >= RESERVE
    for before, after in zip(bids, bids[1:], strict=False):
        assert after.amount >= before.amount + INCREMENT
        assert after.at >= before.at and after.bidder_id != before.bidder_id
    assert len({b.amount for b in bids}) == len(bids)
    auction = Auction.objects.get(pk=lot_auction.pk)
    assert (auction.current_price, auction.leading_bidder_id, auction.bid_count) == (
        bids[-1].amount, bids[-1].bidder_id, len(bids))

    end_now(auction)
    auctions.auction_close(auction_id=auction.pk, actor=staff)
    auction = Auction.objects.get(pk=auction.pk)
    assert auction.state == AuctionState.AWAITING_PAYMENT and auction.winning_bid_id == bids[-1].pk
    for item in BidderDeposit.objects.select_related("escrow"):
        moves = LedgerTransaction.objects.filter(escrow=item.escrow).count()
        if item.organisation_id == bids[-1].bidder_id:
            assert (item.status, item.escrow.state, moves) == (DepositStatus.HELD, EscrowState.HELD, 1)
        else:  # held once, refunded once
            assert (item.status, item.escrow.state, moves) == (DepositStatus.REFUNDED, EscrowState.REFUNDED, 2)
    assert ledger_problems() == []


def test_concurrent_deposits_hold_each_bidders_money_once(lot_auction):
    users = [make_bidder(f"保证金并发公司{i}") for i in range(4)]
    same = users[0]
    results = race(*[lambda u=u: auctions.auction_deposit(auction_id=lot_auction.pk, actor=u, idempotency_key=f"k{u.pk}")
                     for u in users],
                   *[lambda k=k: auctions.auction_deposit(auction_id=lot_auction.pk, actor=same, idempotency_key=k)
                     for k in ("tab-2", "tab-3")])
    assert sum(isinstance(r, BidderDeposit) for r in results) == 4
    assert [r.reasons[0].code for r in results if isinstance(r, RuleViolation)] == ["deposit_paid"] * 2
    assert sorted(BidderDeposit.objects.values_list("paddle", flat=True)) == [1, 2, 3, 4]
    assert ledger_problems() == []


def test_close_racing_close_and_cancel_refunds_every_deposit_exactly_once(lot_auction, depositors, staff):
    auctions.auction_bid(auction_id=lot_auction.pk, actor=depositors[0], amount=RESERVE)
    end_now(lot_auction)
    results = race(lambda: auctions.auction_close(auction_id=lot_auction.pk, actor=staff),
                   lambda: auctions.auction_close(auction_id=lot_auction.pk, actor=None),
                   lambda: auctions.auction_cancel(auction_id=lot_auction.pk, actor=staff, reason="race"))
    assert sum(isinstance(r, Auction) for r in results) == 1, results
    assert all(isinstance(r, RuleViolation) for r in results if not isinstance(r, Auction))
    for item in BidderDeposit.objects.select_related("escrow"):
        refunds = LedgerTransaction.objects.filter(escrow=item.escrow, command__kind="refund").count()
        assert refunds == (0 if item.status == DepositStatus.HELD else 1)
    assert ledger_problems() == []


def test_without_the_row_lock_the_race_is_real(lot_auction, depositors, monkeypatch):
    """Control: with the auction's lock switched off, two bids both pass the price check against the same
    current price; only the database's unique index stops the second, with a low-level error."""
    from market.auctions import locks

    gate = threading.Barrier(2)

    def read_without_lock(auction_id):
        auction = Auction.objects.get(pk=auction_id)
        gate.wait(timeout=10)  # raises BrokenBarrierError unless both bids read the auction before either wrote
        return auction

    monkeypatch.setattr(locks, "auction_for_bid", read_without_lock)
    results = race(lambda: auctions.auction_bid(auction_id=lot_auction.pk, actor=depositors[0], amount=RESERVE),
                   lambda: auctions.auction_bid(auction_id=lot_auction.pk, actor=depositors[1],
                                                amount=RESERVE + INCREMENT))
    assert sum(isinstance(r, Bid) for r in results) == 1, results
    loser = next(r for r in results if not isinstance(r, Bid))
    assert isinstance(loser, IntegrityError), loser  # sequence 1 taken twice: the constraint, not the rule
    assert Bid.objects.count() == 1
