"""Concurrent transitions on PostgreSQL: row locks make exactly one of the racing requests win."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from market.models import Escrow, LedgerEntry, PaymentCommand
from market.rules import RuleViolation
from market.services.ledger import ledger_problems
from market.transfers import services as deals
from market.transfers.models import DealState, TransferDeal

from ..factories import ListingFactory
from ..market.deal_steps import advance

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are a PostgreSQL test")


def race(*calls):
    """Run the calls at the same moment in threads (each with its own connection); return results or errors."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # the loser's refusal is the expected outcome
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.fixture
def signed_deal(transactional_db, holder, buyer, staff):
    listing = ListingFactory(organisation=holder.organisation, created_by=holder)
    deal = deals.deal_open(listing_id=listing.pk, actor=buyer, price=Decimal("200000"))
    return advance(deal, to=DealState.SIGNED, seller=holder, buyer=buyer, staff=staff)


def test_two_payments_with_different_keys_hold_money_once(signed_deal, buyer):
    results = race(*[lambda k=k: deals.deal_pay(deal_id=signed_deal.pk, actor=buyer, idempotency_key=k)
                     for k in ("tab-1", "tab-2", "tab-3", "tab-4")])
    assert sum(isinstance(r, TransferDeal) for r in results) == 1
    assert all(isinstance(r, RuleViolation) for r in results if not isinstance(r, TransferDeal))
    assert Escrow.objects.count() == 1
    assert ledger_problems() == []


def test_same_key_sent_twice_at_once_moves_money_once(signed_deal, buyer):
    results = race(*[lambda: deals.deal_pay(deal_id=signed_deal.pk, actor=buyer, idempotency_key="double-click")
                     for _ in range(4)])
    assert all(isinstance(r, TransferDeal) for r in results), results
    assert Escrow.objects.count() == 1 and PaymentCommand.objects.count() == 1
    assert LedgerEntry.objects.count() == 2
    assert ledger_problems() == []


def test_register_racing_cancel_leaves_one_consistent_outcome(signed_deal, holder, buyer, staff):
    deal = advance(signed_deal, to=DealState.FILED, seller=holder, buyer=buyer, staff=staff)
    deals.deal_pay_registration_fee(deal_id=deal.pk, actor=buyer, idempotency_key="fee")
    results = race(lambda: deals.deal_register(deal_id=deal.pk, actor=staff),
                   lambda: deals.deal_cancel(deal_id=deal.pk, actor=buyer, reason="race"))
    deal.refresh_from_db()
    assert deal.state in (DealState.REGISTERED, DealState.CANCELLED)
    winners = [r for r in results if isinstance(r, TransferDeal)]
    assert len(winners) == 1, results
    holders = list(deal.patents.get().ownerships.values_list("organisation", flat=True))
    if deal.state == DealState.REGISTERED:
        assert holders == [buyer.organisation_id] and deal.escrow.state == "captured"
    else:
        assert holders == [holder.organisation_id] and deal.escrow.state == "refunded"
    assert ledger_problems() == []


def test_without_the_row_lock_the_race_is_real(signed_deal, buyer, monkeypatch):
    """Control: with the row lock switched off, both requests pass the state check; only a low-level error
    (unique index or optimistic state check) stops the second, instead of the clean refusal the lock gives."""
    from django_fsm import ConcurrentTransition

    from market.transfers import locks

    monkeypatch.setattr(locks, "transfer_deal", lambda deal_id: TransferDeal.objects.select_related(
        "seller", "buyer", "listing").get(pk=deal_id))
    gate = threading.Barrier(2)
    original = deals.payments.escrow_hold

    def hold_after_both_checked(**kwargs):
        gate.wait(timeout=10)  # raises BrokenBarrierError unless both requests got past the state check
        return original(**kwargs)

    monkeypatch.setattr(deals.payments, "escrow_hold", hold_after_both_checked)
    results = race(lambda: deals.deal_pay(deal_id=signed_deal.pk, actor=buyer, idempotency_key="a"),
                   lambda: deals.deal_pay(deal_id=signed_deal.pk, actor=buyer, idempotency_key="b"))
    from django.db import IntegrityError

    assert sum(isinstance(r, TransferDeal) for r in results) == 1, results
    loser = next(r for r in results if not isinstance(r, TransferDeal))
    assert isinstance(loser, IntegrityError | ConcurrentTransition), loser
    assert Escrow.objects.count() == 1
