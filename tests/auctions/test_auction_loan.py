"""The whole default path with a real pledge loan: default → auction from the loan → sale → debt covered first,
surplus to the holder, the loan settled through its hook; and the failed path (forfeit reported to the loan)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from market.auctions import services as auctions
from market.auctions.models import Auction, AuctionState
from market.models import Encumbrance, EncumbranceKind
from market.pledges.models import PledgeLoan, PledgeLoanState
from market.rules import RuleViolation
from market.services.ledger import external_account, ledger_problems
from tests.factories import PatentFactory

from .conftest import bid, deposit, end_now, fresh

loans = pytest.importorskip("market.pledges.services.loans")
steps = pytest.importorskip("tests.pledges.steps")


@pytest.fixture
def defaulted(holder, bank_officer, holder_org):
    patents = [PatentFactory(holders=[holder_org], title=t, applicants=holder_org.name, filing_date=dt.date(2019, 3, 1),
                             grant_date=dt.date(2021, 6, 1)) for t in ("一种高安全性锂电池隔膜", "一种电池管理系统")]
    loan = steps.apply(holder, bank_officer.organisation, patents, amount="120000", term_months=3)
    loan = steps.advance(loan, to=PledgeLoanState.DISBURSED, holder=holder, bank_officer=bank_officer)
    for instalment in loan.instalments.all():  # the schedule 80 days in the past: past the grace period
        instalment.due_date -= dt.timedelta(days=80)
        instalment.save(update_fields=["due_date"])
    return loans.loan_declare_default(loan_id=loan.pk, actor=bank_officer, reason="逾期未还")


def open_from_loan(loan, staff, **terms):
    now = timezone.now()
    return auctions.auction_open_for_loan(loan_id=loan.pk, actor=staff, reserve_price="100000", increment="1000",
                                          deposit="10000", starts_at=now, ends_at=now + dt.timedelta(hours=1), **terms)


def test_the_loan_page_link_prefills_the_auction_from_the_defaulted_loan(defaulted, staff, holder_org, bank_org):
    html = Client()
    html.force_login(staff)
    page = html.get(f"/staff/auctions/new/?loan={defaulted.pk}").content.decode()
    assert defaulted.number in page and f"{defaulted.outstanding_debt():.2f}" in page
    assert f'<option value="{bank_org.pk}" selected>' in page and f'<option value="{holder_org.pk}" selected>' in page


def test_default_auction_sale_settles_the_loan_debt_first_and_surplus_to_the_holder(
        defaulted, staff, bidders, bank_org, holder_org):
    claim = defaulted.outstanding_debt()
    auction = open_from_loan(defaulted, staff)
    assert (auction.creditor, auction.debtor, auction.claim_amount) == (bank_org, holder_org, claim)
    assert auction.source == defaulted and auction.patents.count() == 2
    bank_before, holder_before = external_account(bank_org).balance(), external_account(holder_org).balance()

    deposit(auction, bidders[0])
    bid(auction, bidders[0], "200000")
    end_now(auction)
    auctions.auction_close(auction_id=auction.pk, actor=staff)
    auctions.auction_pay(auction_id=auction.pk, actor=bidders[0], idempotency_key="pay")
    settled = auctions.auction_confirm_payment(auction_id=auction.pk, actor=staff)

    assert settled.proceeds_to_creditor == claim
    assert settled.proceeds_to_debtor == Decimal("200000.00") - claim
    assert external_account(bank_org).balance() - bank_before == claim
    assert external_account(holder_org).balance() - holder_before == Decimal("200000.00") - claim
    loan = PledgeLoan.objects.get(pk=defaulted.pk)
    assert loan.state == PledgeLoanState.SETTLED and loan.auction_proceeds == claim
    assert not Encumbrance.objects.in_force().filter(kind=EncumbranceKind.PLEDGE).exists()
    assert ledger_problems() == []
    if hasattr(loans, "loan_ledger_problems"):
        assert loans.loan_ledger_problems() == []


def test_a_failed_auction_reports_the_forfeited_deposit_to_the_loan_which_can_be_auctioned_again(
        defaulted, staff, bidders):
    claim = defaulted.outstanding_debt()
    auction = open_from_loan(defaulted, staff)
    deposit(auction, bidders[0])
    bid(auction, bidders[0], "100000")
    end_now(auction)
    auctions.auction_close(auction_id=auction.pk, actor=staff)
    Auction.objects.filter(pk=auction.pk).update(payment_due_at=timezone.now() - dt.timedelta(seconds=1))
    auctions.auction_forfeit(auction_id=auction.pk, actor=staff)
    auctions.auction_fail(auction_id=auction.pk, actor=staff, reason="无人承受")

    loan = PledgeLoan.objects.get(pk=defaulted.pk)
    assert loan.state == PledgeLoanState.DEFAULTED
    assert loan.outstanding_debt() == claim - Decimal("10000.00")  # the forfeited deposit reduced the debt
    assert fresh(auction).state == AuctionState.FAILED and ledger_problems() == []
    start = timezone.now() + dt.timedelta(days=1)
    relisted = auctions.auction_relist(auction_id=auction.pk, actor=staff, reserve_price="80000", starts_at=start,
                                       ends_at=start + dt.timedelta(days=1))
    assert relisted.source == loan and relisted.claim_amount == claim - Decimal("10000.00")


def test_only_a_defaulted_loan_is_auctioned(holder, bank_officer, staff, holder_org):
    patent = PatentFactory(holders=[holder_org], applicants=holder_org.name)
    loan = steps.apply(holder, bank_officer.organisation, [patent], amount="100000", term_months=3)
    with pytest.raises(RuleViolation) as exc:
        open_from_loan(loan, staff)
    assert exc.value.reasons[0].code == "loan_not_defaulted"
    assert not Auction.objects.exists()
