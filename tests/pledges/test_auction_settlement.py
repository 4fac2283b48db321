"""A defaulted loan's collateral sold at auction (market.auctions.services calls this app's hooks): the
proceeds pay the secured debt first, the surplus goes to the holder, the loan is settled and the books balance."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from market.auctions import services as auctions
from market.auctions.models import Auction
from market.models import Encumbrance, EncumbranceKind, LedgerEntry
from market.pledges.models import PledgeLoan, PledgeLoanState
from market.pledges.services import loans
from market.services.ledger import ledger_problems

from .steps import advance, apply

S = PledgeLoanState


def external(org):
    return sum((e.amount for e in LedgerEntry.objects.filter(account__code=f"org:{org.pk}:external")), Decimal("0.00"))


def defaulted(holder, bank_officer, patent):
    loan = advance(apply(holder, bank_officer.organisation, [patent], amount="120000", term_months=3),
                   to=S.DISBURSED, holder=holder, bank_officer=bank_officer)
    for instalment in loan.instalments.all():
        instalment.due_date -= dt.timedelta(days=120)
        instalment.save(update_fields=["due_date"])
    return loans.loan_declare_default(loan_id=loan.pk, actor=bank_officer, reason="逾期")


def open_auction(loan, staff, reserve):
    now = timezone.now()
    return auctions.auction_open_for_loan(loan_id=loan.pk, actor=staff, reserve_price=reserve, starts_at=now,
                                          ends_at=now + dt.timedelta(hours=1), increment="1000", deposit="10000")


def end(auction):
    Auction.objects.filter(pk=auction.pk).update(ends_at=timezone.now() - dt.timedelta(seconds=1))


def test_a_sale_settles_the_debt_and_pays_the_surplus_to_the_holder(holder, bank_officer, staff, buyer, patent):
    loan = defaulted(holder, bank_officer, patent)
    claim = loan.outstanding_debt()
    bank_before, holder_before = external(bank_officer.organisation), external(holder.organisation)
    auction = open_auction(loan, staff, reserve="150000")
    auctions.auction_deposit(auction_id=auction.pk, actor=buyer, idempotency_key="dep")
    auctions.auction_bid(auction_id=auction.pk, actor=buyer, amount="200000")
    end(auction)
    auctions.auction_close(auction_id=auction.pk, actor=staff)
    auctions.auction_pay(auction_id=auction.pk, actor=buyer, idempotency_key="pay")
    auctions.auction_confirm_payment(auction_id=auction.pk, actor=staff)

    loan = PledgeLoan.objects.get(pk=loan.pk)
    assert loan.state == S.SETTLED and loan.auction_proceeds == claim
    assert external(bank_officer.organisation) - bank_before == claim
    assert external(holder.organisation) - holder_before == Decimal("200000.00") - claim
    assert not Encumbrance.objects.in_force().filter(kind=EncumbranceKind.PLEDGE).exists()
    assert patent.ownerships.get().organisation == buyer.organisation
    assert ledger_problems() == []


def test_no_bid_fails_and_the_loan_stays_defaulted_for_relisting(holder, bank_officer, staff, patent):
    loan = defaulted(holder, bank_officer, patent)
    auction = open_auction(loan, staff, reserve="150000")
    end(auction)
    auctions.auction_close(auction_id=auction.pk, actor=staff)

    loan = PledgeLoan.objects.get(pk=loan.pk)
    assert loan.state == S.DEFAULTED and list(loans.loans_defaulted_for_auction()) == [loan]
    assert Encumbrance.objects.in_force().filter(kind=EncumbranceKind.PLEDGE).count() == 1
    assert ledger_problems() == []
