"""The auction of defaulted collateral: bids, anti-sniping, award, payment, settlement, forfeit, failure, relist."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from market.auctions import services as auctions
from market.auctions.models import Auction, AuctionState, Bid, BidderDeposit, DepositStatus
from market.extensions import AUCTION_SOURCES, AuctionSource
from market.models import (
    Consent,
    Document,
    DocumentKind,
    Encumbrance,
    EncumbranceKind,
    EscrowState,
    LedgerTransaction,
    Organisation,
    TransitionLog,
)
from market.rules import RuleViolation
from market.services.errors import ActionForbidden
from market.services.ledger import external_account, ledger_problems

from . import hooks
from .conftest import CLAIM, DEPOSIT, RESERVE, bid, deposit, end_now, fresh, make_bidder, open_auction


def balance(org) -> Decimal:
    return external_account(org).balance()


def codes(exc_info) -> list[str]:
    return [r.code for r in exc_info.value.reasons]


def sold(auction, staff, bidders, *amounts):
    """Deposits for every bidder, the bids in turn (bidder i % n), end and close: awaiting the buyer's payment."""
    for user in bidders:
        deposit(auction, user)
    for i, amount in enumerate(amounts):
        bid(auction, bidders[i % len(bidders)], amount)
    end_now(auction)
    return auctions.auction_close(auction_id=auction.pk, actor=staff)


# -- opening ---------------------------------------------------------------------------------------
def test_staff_open_an_auction_with_the_pledgees_consent_and_the_announcement(auction, lot, bank_org):
    assert auction.state == AuctionState.OPEN  # the start time had come
    assert auction.reserve_price == RESERVE and auction.number.startswith("PM")
    assert Consent.objects.filter(organisation=bank_org, capacity="pledgee", purpose="transfer",
                                  deal_id=auction.pk).count() == 2
    assert [r.transition for r in TransitionLog.for_object(auction)] == ["schedule", "start"]
    assert Document.objects.for_deal(auction).get().kind == DocumentKind.AUCTION_ANNOUNCEMENT


def test_a_future_start_schedules_and_the_reserve_defaults_to_the_valuation_p10(staff, lot, bank_org, holder_org):
    expected, basis = auctions.default_reserve(lot)
    later = timezone.now() + dt.timedelta(hours=2)
    auction = open_auction(staff, lot, bank_org, holder_org, start=later, reserve_price=None,
                           deposit=Decimal("1.00"), increment=Decimal("1.00"))
    assert auction.state == AuctionState.SCHEDULED
    assert auction.reserve_price == expected > 0
    assert "P10" in auction.reserve_basis and lot[0].patent_number in basis


def test_bad_terms_are_field_errors_and_nothing_is_written(staff, lot, bank_org, holder_org, buyer_org):
    past = timezone.now() - dt.timedelta(hours=1)
    with pytest.raises(ValidationError) as exc:
        auctions.auction_open(source=None, patents=lot, creditor=bank_org, debtor=buyer_org, claim_amount="-1",
                              reserve_price=RESERVE, increment="0", deposit=RESERVE, starts_at=past, ends_at=past,
                              actor=staff)
    assert set(exc.value.message_dict) == {"claim_amount", "increment", "deposit", "ends_at", "patents"}
    assert "不是登记的专利权人" in " ".join(exc.value.message_dict["patents"])
    assert not Auction.objects.exists()


def test_patents_not_pledged_to_the_creditor_are_refused(staff, lot, buyer_org, holder_org):
    with pytest.raises(ValidationError, match="未质押给"):
        open_auction(staff, lot, buyer_org, holder_org)


def test_only_staff_open_auctions(bank_officer, lot, bank_org, holder_org):
    with pytest.raises(ActionForbidden):
        open_auction(bank_officer, lot, bank_org, holder_org)
    assert not Auction.objects.exists()


def test_the_same_patents_cannot_be_in_two_auctions(auction, staff, lot, bank_org, holder_org):
    with pytest.raises(RuleViolation) as exc:
        open_auction(staff, lot[:1], bank_org, holder_org)
    assert codes(exc) == ["patent_in_auction"]
    assert Auction.objects.count() == 1


def test_a_patent_under_court_preservation_cannot_be_auctioned(staff, lot, bank_org, holder_org):
    Encumbrance.objects.create(patent=lot[0], kind=EncumbranceKind.PRESERVATION, beneficiary_name="杭州市中级人民法院")
    with pytest.raises(RuleViolation) as exc:
        open_auction(staff, lot, bank_org, holder_org)
    assert codes(exc) == ["court_preservation"]
    assert not Auction.objects.exists()


# -- deposits and bids -----------------------------------------------------------------------------
def test_a_deposit_is_held_in_escrow_once_per_bidder_and_a_replay_pays_nothing(auction, bidders):
    user = bidders[0]
    first = auctions.auction_deposit(auction_id=auction.pk, actor=user, idempotency_key="k1")
    again = auctions.auction_deposit(auction_id=auction.pk, actor=user, idempotency_key="k1")
    assert again.pk == first.pk and first.paddle == 1 and first.escrow.state == EscrowState.HELD
    assert balance(user.organisation) == -DEPOSIT
    with pytest.raises(RuleViolation) as exc:
        auctions.auction_deposit(auction_id=auction.pk, actor=user, idempotency_key="k2")
    assert codes(exc) == ["deposit_paid"]
    assert BidderDeposit.objects.count() == 1 and ledger_problems() == []


@pytest.mark.parametrize("case", ["unverified", "debtor", "staff"])
def test_who_may_not_pay_a_deposit(case, auction, holder, staff):
    user = {"unverified": make_bidder("未认证公司", verified=False), "debtor": holder, "staff": staff}[case]
    expected = RuleViolation if case == "debtor" else ActionForbidden
    with pytest.raises(expected):
        auctions.auction_deposit(auction_id=auction.pk, actor=user, idempotency_key="k")
    assert not BidderDeposit.objects.exists()


def test_bids_must_start_at_the_reserve_and_beat_the_price_by_the_increment(auction, bidders):
    a, b, _ = bidders
    deposit(auction, a), deposit(auction, b)
    with pytest.raises(RuleViolation) as exc:
        bid(auction, a, RESERVE - 1)
    assert codes(exc) == ["bid_too_low"]
    bid(auction, a, RESERVE)
    with pytest.raises(RuleViolation) as exc:
        bid(auction, b, RESERVE + Decimal("9999.99"))
    assert codes(exc) == ["bid_too_low"]
    with pytest.raises(RuleViolation) as exc:
        bid(auction, a, RESERVE + Decimal("50000"))
    assert codes(exc) == ["already_leading"]
    bid(auction, b, RESERVE + Decimal("10000"))
    auction = fresh(auction)
    assert (auction.current_price, auction.leading_bidder, auction.bid_count) == (Decimal("210000.00"),
                                                                                   b.organisation, 2)
    assert list(Bid.objects.order_by("sequence").values_list("sequence", "amount")) == [
        (1, Decimal("200000.00")), (2, Decimal("210000.00"))]


def test_only_a_depositor_bids(auction, bidders, outsider):
    with pytest.raises(RuleViolation) as exc:
        bid(auction, bidders[0], RESERVE)
    assert codes(exc) == ["deposit_required"]
    with pytest.raises(ActionForbidden):
        bid(auction, make_bidder("未认证公司", verified=False), RESERVE)
    assert not Bid.objects.exists()


def test_a_bid_in_the_last_minutes_moves_the_end_to_five_minutes_after_it(auction, bidders):
    a, b, _ = bidders
    deposit(auction, a), deposit(auction, b)
    bid(auction, a, RESERVE)  # an hour left: no extension
    assert fresh(auction).extension_count == 0
    two_minutes_left = timezone.now() + dt.timedelta(minutes=2)
    Auction.objects.filter(pk=auction.pk).update(ends_at=two_minutes_left)
    placed = bid(auction, b, RESERVE + Decimal("10000"))
    auction = fresh(auction)
    assert auction.ends_at == placed.at + dt.timedelta(minutes=5) > two_minutes_left
    assert auction.extension_count == 1
    assert TransitionLog.for_object(auction).filter(transition="extend").count() == 1


def test_bids_after_the_end_are_refused_even_before_the_close(auction, bidders):
    deposit(auction, bidders[0])
    end_now(auction)
    with pytest.raises(RuleViolation) as exc:
        bid(auction, bidders[0], RESERVE)
    assert codes(exc) == ["auction_ended"]
    assert fresh(auction).state == AuctionState.OPEN and not Bid.objects.exists()


# -- the happy path: sold, paid, settled -----------------------------------------------------------
def test_the_default_and_auction_path_pays_the_debt_first_and_the_surplus_to_the_holder(
        auction, staff, bidders, lot, bank_org, holder_org):
    a, b, c = bidders
    sold(auction, staff, bidders, "200000", "250000", "400000", "410000")  # a, b, c, a: a wins at 410,000
    auction = fresh(auction)
    assert auction.state == AuctionState.AWAITING_PAYMENT and auction.winning_bid.bidder == a.organisation
    assert {d.organisation.name: d.status for d in BidderDeposit.objects.all()} == {
        a.organisation.name: DepositStatus.HELD, b.organisation.name: DepositStatus.REFUNDED,
        c.organisation.name: DepositStatus.REFUNDED}
    assert balance(b.organisation) == balance(c.organisation) == 0  # losers refunded in full
    assert auctions.balance_due(auction) == Decimal("390000.00")  # the deposit counts toward the price

    auctions.auction_pay(auction_id=auction.pk, actor=a, idempotency_key="pay")
    auctions.auction_pay(auction_id=auction.pk, actor=a, idempotency_key="pay")  # replay: pays once
    settled = auctions.auction_confirm_payment(auction_id=auction.pk, actor=staff)

    assert settled.state == AuctionState.SETTLED
    assert (settled.proceeds_to_creditor, settled.proceeds_to_debtor) == (CLAIM, Decimal("110000.00"))
    assert balance(bank_org) == CLAIM and balance(holder_org) == Decimal("110000.00")
    assert balance(a.organisation) == Decimal("-410000.00")
    for patent in lot:
        assert list(patent.ownerships.values_list("organisation", flat=True)) == [a.organisation.pk]
        assert not Encumbrance.objects.in_force().filter(patent=patent, kind=EncumbranceKind.PLEDGE).exists()
    assert BidderDeposit.objects.get(organisation=a.organisation).status == DepositStatus.APPLIED
    assert ledger_problems() == []
    # a repeated confirmation settles nothing twice
    count = LedgerTransaction.objects.count()
    auctions.auction_confirm_payment(auction_id=auction.pk, actor=staff)
    assert LedgerTransaction.objects.count() == count


def test_the_settlement_is_a_transfer_deal_behind_the_change_of_holder(auction, staff, bidders, lot, holder_org,
                                                                       django_capture_on_commit_callbacks):
    from market.models import Document, RegisterEvent
    from market.transfers.models import DealState, TransferDeal

    from .test_auction_documents import pdf_text

    sold(auction, staff, bidders[:1], "450000")
    auctions.auction_pay(auction_id=auction.pk, actor=bidders[0], idempotency_key="pay")
    with django_capture_on_commit_callbacks(execute=True):
        auctions.auction_confirm_payment(auction_id=auction.pk, actor=staff)
        auctions.auction_confirm_payment(auction_id=auction.pk, actor=staff)  # a repeat records no second deal

    deal = TransferDeal.objects.get()
    assert (deal.state, deal.seller, deal.buyer, deal.price, deal.sale_reference) == (
        DealState.CLOSED, holder_org, bidders[0].organisation, Decimal("450000.00"), f"拍卖 {fresh(auction).number}")
    assert set(deal.patents.all()) == set(lot) and deal.escrow is None  # the auction moved the money
    events = RegisterEvent.objects.filter(kind="holder_change", right_id__in=[p.pk for p in lot])
    assert {e.data["deal"] for e in events} == {deal.number} and events.count() == len(lot)
    kinds = sorted(Document.objects.for_deal(deal).values_list("kind", flat=True))
    assert kinds == ["change_request"] * len(lot) + ["deal_certificate"]
    assert Document.objects.for_deal(deal).filter(state="issued").count() == len(kinds)
    request = pdf_text(Document.objects.for_deal(deal).filter(kind="change_request").first())
    for expected in (holder_org.name, bidders[0].organisation.name, f"拍卖{fresh(auction).number}成交确认书"):
        assert expected in request, expected


def test_a_price_below_the_claim_all_goes_to_the_creditor(auction, staff, bidders, bank_org, holder_org):
    sold(auction, staff, bidders[:1], "250000")
    auctions.auction_pay(auction_id=auction.pk, actor=bidders[0], idempotency_key="pay")
    settled = auctions.auction_confirm_payment(auction_id=auction.pk, actor=staff)
    assert (settled.proceeds_to_creditor, settled.proceeds_to_debtor) == (Decimal("250000.00"), 0)
    assert balance(bank_org) == Decimal("250000.00") and balance(holder_org) == 0
    assert ledger_problems() == []


def test_the_sources_hook_hears_of_the_settlement_in_the_same_transaction(staff, lot, bank_org, holder_org, bidders,
                                                                         monkeypatch):
    monkeypatch.setitem(AUCTION_SOURCES, "market.organisation",
                        AuctionSource(model=Organisation, settled=hooks.settled, failed=hooks.failed))
    monkeypatch.setattr(hooks, "CALLS", [])
    auction = open_auction(staff, lot, bank_org, holder_org, source=bank_org)  # any model may be the source
    sold(auction, staff, bidders[:1], "500000")
    auctions.auction_pay(auction_id=auction.pk, actor=bidders[0], idempotency_key="pay")
    auctions.auction_confirm_payment(auction_id=auction.pk, actor=staff)
    assert [("settled", bank_org.pk, CLAIM, staff)] == hooks.CALLS


def test_a_hook_that_refuses_rolls_the_whole_settlement_back(staff, lot, bank_org, holder_org, bidders, monkeypatch):
    monkeypatch.setitem(AUCTION_SOURCES, "market.organisation", AuctionSource(model=Organisation, settled=hooks.refuse))
    auction = open_auction(staff, lot, bank_org, holder_org, source=bank_org)
    sold(auction, staff, bidders[:1], "500000")
    auctions.auction_pay(auction_id=auction.pk, actor=bidders[0], idempotency_key="pay")
    transactions = LedgerTransaction.objects.count()
    with pytest.raises(RuleViolation) as exc:
        auctions.auction_confirm_payment(auction_id=auction.pk, actor=staff)
    assert codes(exc) == ["loan_closed"]
    auction = fresh(auction)
    assert auction.state == AuctionState.AWAITING_PAYMENT and auction.proceeds_to_creditor == 0
    assert LedgerTransaction.objects.count() == transactions and balance(bank_org) == 0
    assert lot[0].ownerships.get().organisation == holder_org


def test_the_buyer_alone_pays_and_only_before_the_deadline(auction, staff, bidders):
    sold(auction, staff, bidders[:2], "200000", "210000")
    with pytest.raises(ActionForbidden):
        auctions.auction_pay(auction_id=auction.pk, actor=bidders[0], idempotency_key="x")
    Auction.objects.filter(pk=auction.pk).update(payment_due_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(RuleViolation) as exc:
        auctions.auction_pay(auction_id=auction.pk, actor=bidders[1], idempotency_key="y")
    assert codes(exc) == ["payment_overdue"]
    assert fresh(auction).payment_escrow is None


def test_staff_confirm_only_a_payment_that_was_made(auction, staff, bidders):
    sold(auction, staff, bidders[:1], "200000")
    with pytest.raises(RuleViolation) as exc:
        auctions.auction_confirm_payment(auction_id=auction.pk, actor=staff)
    assert codes(exc) == ["payment_missing"]
    assert fresh(auction).state == AuctionState.AWAITING_PAYMENT


# -- forfeit and the next bidder ---------------------------------------------------------------------
def test_a_buyer_who_does_not_pay_forfeits_the_deposit_and_the_next_bidder_takes_the_lot(
        auction, staff, bidders, lot, bank_org, holder_org):
    a, b, _ = bidders
    sold(auction, staff, [a, b], "200000", "320000", "400000")  # a 200k, b 320k, a 400k: a wins
    with pytest.raises(RuleViolation) as exc:
        auctions.auction_forfeit(auction_id=auction.pk, actor=staff)
    assert codes(exc) == ["payment_not_overdue"]

    Auction.objects.filter(pk=auction.pk).update(payment_due_at=timezone.now() - dt.timedelta(seconds=1))
    assert auctions.auctions_tick()["forfeited"] == 1
    auction = fresh(auction)
    assert auction.state == AuctionState.CLOSED and auction.winning_bid is None
    assert BidderDeposit.objects.get(organisation=a.organisation).status == DepositStatus.FORFEITED
    assert balance(bank_org) == DEPOSIT and auction.proceeds_to_creditor == DEPOSIT  # toward the secured claim
    assert auctions.next_bid(auction).bidder == b.organisation

    auctions.auction_offer_next(auction_id=auction.pk, actor=staff)
    auction = fresh(auction)
    assert auction.state == AuctionState.AWAITING_PAYMENT and auction.hammer_price == Decimal("320000.00")
    assert auctions.balance_due(auction) == Decimal("320000.00")  # b's deposit was refunded at the close
    auctions.auction_pay(auction_id=auction.pk, actor=b, idempotency_key="pay-b")
    settled = auctions.auction_confirm_payment(auction_id=auction.pk, actor=staff)
    # the claim (300,000) got 20,000 from the forfeit and 280,000 of the price; 40,000 goes to the holder
    assert (settled.proceeds_to_creditor, settled.proceeds_to_debtor) == (CLAIM, Decimal("40000.00"))
    assert balance(bank_org) == CLAIM and balance(holder_org) == Decimal("40000.00")
    assert lot[0].ownerships.get().organisation == b.organisation
    assert ledger_problems() == []


def test_when_no_bidder_is_left_the_lot_fails_and_is_relisted_lower(auction, staff, bidders, monkeypatch,
                                                                    bank_org):
    sold(auction, staff, bidders[:1], "200000")
    Auction.objects.filter(pk=auction.pk).update(payment_due_at=timezone.now() - dt.timedelta(seconds=1))
    auctions.auction_forfeit(auction_id=auction.pk, actor=staff)
    with pytest.raises(RuleViolation) as exc:
        auctions.auction_offer_next(auction_id=auction.pk, actor=staff)
    assert codes(exc) == ["no_next_bidder"]
    failed = auctions.auction_fail(auction_id=auction.pk, actor=staff, reason="悔拍后无人承受")
    assert failed.state == AuctionState.FAILED
    start = timezone.now() + dt.timedelta(days=1)
    relisted = auctions.auction_relist(auction_id=auction.pk, actor=staff, reserve_price="150000",
                                       starts_at=start, ends_at=start + dt.timedelta(days=1))
    assert relisted.claim_amount == CLAIM - DEPOSIT  # the forfeited deposit already paid part of the debt
    assert relisted.relisted_from_id == auction.pk and relisted.state == AuctionState.SCHEDULED
    assert ledger_problems() == []


# -- failure and relisting ---------------------------------------------------------------------------
def test_no_bid_at_the_reserve_fails_the_auction_and_the_ledger_stays_balanced(auction, staff, bidders, monkeypatch):
    monkeypatch.setitem(AUCTION_SOURCES, "market.auction", AuctionSource(model=Auction, failed=hooks.failed))
    monkeypatch.setattr(hooks, "CALLS", [])
    deposit(auction, bidders[0])
    end_now(auction)
    assert auctions.auctions_tick()["closed"] == 1
    auction = fresh(auction)
    assert auction.state == AuctionState.FAILED and "保留价" in auction.failure_reason
    assert BidderDeposit.objects.get().status == DepositStatus.REFUNDED
    assert balance(bidders[0].organisation) == 0 and ledger_problems() == []
    assert hooks.CALLS == []  # the source (none) has no hook


def test_a_failed_auction_is_relisted_once_and_only_lower(auction, staff, lot):
    end_now(auction)
    auctions.auction_close(auction_id=auction.pk, actor=staff)
    start = timezone.now() + dt.timedelta(hours=1)
    with pytest.raises(ValidationError) as exc:
        auctions.auction_relist(auction_id=auction.pk, actor=staff, reserve_price=RESERVE, starts_at=start,
                                ends_at=start + dt.timedelta(hours=1))
    assert list(exc.value.message_dict) == ["reserve_price"]
    new = auctions.auction_relist(auction_id=auction.pk, actor=staff, reserve_price="150000", starts_at=start,
                                  ends_at=start + dt.timedelta(hours=1))
    assert (new.reserve_price, new.deposit, sorted(new.patents.values_list("pk", flat=True))) == (
        Decimal("150000.00"), DEPOSIT, sorted(p.pk for p in lot))
    with pytest.raises(RuleViolation) as exc:
        auctions.auction_relist(auction_id=auction.pk, actor=staff, reserve_price="100000", starts_at=start,
                                ends_at=start + dt.timedelta(hours=1))
    assert codes(exc) == ["already_relisted"]


def test_cancelling_refunds_every_deposit(auction, staff, bidders):
    for user in bidders:
        deposit(auction, user)
    auctions.auction_cancel(auction_id=auction.pk, actor=staff, reason="债务人已清偿")
    assert fresh(auction).state == AuctionState.CANCELLED
    assert set(BidderDeposit.objects.values_list("status", flat=True)) == {DepositStatus.REFUNDED}
    assert all(balance(u.organisation) == 0 for u in bidders) and ledger_problems() == []


# -- every transition refused outside its states -----------------------------------------------------
REFUSALS = {
    "start": lambda a, staff: auctions.auction_start(auction_id=a.pk, actor=staff),
    "close": lambda a, staff: auctions.auction_close(auction_id=a.pk, actor=staff),
    "offer_next": lambda a, staff: auctions.auction_offer_next(auction_id=a.pk, actor=staff),
    "fail": lambda a, staff: auctions.auction_fail(auction_id=a.pk, actor=staff, reason="x"),
    "confirm_payment": lambda a, staff: auctions.auction_confirm_payment(auction_id=a.pk, actor=staff),
    "forfeit": lambda a, staff: auctions.auction_forfeit(auction_id=a.pk, actor=staff),
    "cancel": lambda a, staff: auctions.auction_cancel(auction_id=a.pk, actor=staff, reason="x"),
    "relist": lambda a, staff: auctions.auction_relist(auction_id=a.pk, actor=staff, reserve_price="1",
                                                       starts_at=timezone.now(),
                                                       ends_at=timezone.now() + dt.timedelta(hours=1)),
}
ALLOWED_FROM = {"start": {"scheduled"}, "close": {"open"}, "offer_next": {"closed"}, "fail": {"closed"},
                "confirm_payment": {"awaiting_payment", "settled"}, "forfeit": {"awaiting_payment"},
                "cancel": {"scheduled", "open"}, "relist": {"failed"}}


@pytest.mark.parametrize("state", [s.value for s in AuctionState])
def test_each_transition_is_refused_in_every_other_state_and_nothing_changes(state, auction, staff):
    Auction.objects.filter(pk=auction.pk).update(state=state)
    for name, call in REFUSALS.items():
        if state in ALLOWED_FROM[name]:
            continue
        with pytest.raises(RuleViolation) as exc:
            call(fresh(auction), staff)
        assert codes(exc) == ["invalid_state"], name
    assert fresh(auction).state == state
    assert Auction.objects.count() == 1


@pytest.mark.parametrize("name", REFUSALS)
def test_only_staff_administer(name, auction, bank_officer):
    with pytest.raises(ActionForbidden):
        REFUSALS[name](auction, bank_officer)


def test_the_beat_task_opens_scheduled_auctions_when_their_start_comes(staff, lot, bank_org, holder_org):
    from market.auctions.tasks import auctions_tick_task

    auction = open_auction(staff, lot, bank_org, holder_org, start=timezone.now() + dt.timedelta(hours=1))
    assert auctions_tick_task.delay().get() == {"started": 0, "closed": 0, "forfeited": 0}
    Auction.objects.filter(pk=auction.pk).update(starts_at=timezone.now() - dt.timedelta(seconds=1))
    assert auctions_tick_task.delay().get()["started"] == 1
    assert fresh(auction).state == AuctionState.OPEN


def test_staff_cannot_close_before_the_end(auction, staff):
    with pytest.raises(RuleViolation) as exc:
        auctions.auction_close(auction_id=auction.pk, actor=staff)
    assert codes(exc) == ["auction_not_ended"]
    assert fresh(auction).state == AuctionState.OPEN
