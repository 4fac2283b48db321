"""One debt, one truth: what the escrow pays a pledgee from a transfer or a licence of the pledged patent repays
that loan through the loan's own service, and the ledger check sees a loan that was not told."""

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock

import pytest

from market.licensing.services import open_licences
from market.models import AccountKind, Escrow, TransitionLog
from market.pledges.models import (
    InstalmentStatus,
    LoanRepayment,
    PledgeFiling,
    PledgeFilingKind,
    PledgeLoanState,
    ProceedsDeposit,
)
from market.pledges.services import loans
from market.rules import RuleViolation
from market.services import payments
from market.services.errors import ActionForbidden
from market.services.ledger import external_account, ledger_problems
from market.transfers import services as deals
from market.transfers.models import DealState
from tests.factories import ListingFactory
from tests.licences.conftest import ANNUAL
from tests.market.deal_steps import advance as advance_deal

from .steps import advance, apply

S = PledgeLoanState


@contextmanager
def clock(day: dt.date):
    """Today is ``day`` (the calendar is outside the system: the only thing these tests move)."""
    with mock.patch("django.utils.timezone.localdate", return_value=day):
        yield
pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def disbursed(holder, bank_officer, patent, second_patent):
    """CNY 120,000 over 3 months (40,000 principal a month) against two patents, disbursed today."""
    loan = advance(apply(holder, bank_officer.organisation, [patent, second_patent], amount="120000", term_months=3),
                   to=S.REGISTERED, holder=holder, bank_officer=bank_officer)
    loans.loan_disburse(loan_id=loan.pk, actor=bank_officer, idempotency_key="disburse")
    loan.refresh_from_db()
    return loan


def sell(patent, price, *, holder, buyer, bank_officer, staff, deposit=False):
    listing = ListingFactory(organisation=holder.organisation, created_by=holder, patents=[patent])
    deal = deals.deal_open(listing_id=listing.pk, actor=buyer, price=price)
    deals.deal_consent(deal_id=deal.pk, actor=bank_officer, patent_id=patent.pk, note="同意转让，价款优先清偿",
                       deposit_proceeds=deposit)
    return advance_deal(deal, to=DealState.CLOSED, seller=holder, buyer=buyer, staff=staff)


def test_a_transfer_price_repays_the_loan_and_files_the_release(disbursed, patent, holder, buyer, bank_officer,
                                                                staff):
    debt = disbursed.outstanding_debt()
    assert debt == Decimal("120000.00")  # nothing due yet: the principal; no interest is due before a due date
    deal = sell(patent, "500000", holder=holder, buyer=buyer, bank_officer=bank_officer, staff=staff)

    disbursed.refresh_from_db()
    repayment = LoanRepayment.objects.get(loan=disbursed)
    assert (repayment.amount, repayment.principal, repayment.proceeds_of) == (debt, debt, f"ZT-{deal.pk}")
    assert disbursed.state == S.REPAID and disbursed.outstanding_principal() == 0
    assert {i.status for i in disbursed.instalments.all()} == {InstalmentStatus.PAID}
    assert sum(i.interest for i in disbursed.instalments.all()) == 0  # repaid before any interest accrued due
    assert PledgeFiling.objects.get(loan=disbursed, kind=PledgeFilingKind.RELEASE).patents.count() == 2
    # the bank lent 120,000 and got it back; the seller got the rest of the price
    assert external_account(bank_officer.organisation).balance() == 0
    assert external_account(holder.organisation).balance() == Decimal("120000.00") + Decimal("380000.00")
    assert "民法典第444条" in TransitionLog.for_object(disbursed).get(transition="repay_from_proceeds").reason
    assert ledger_problems() == []


def test_a_price_below_the_debt_repays_part_and_the_schedule_is_recomputed(disbursed, patent, holder, buyer,
                                                                           bank_officer, staff):
    before = {i.number: i.interest for i in disbursed.instalments.all()}
    sell(patent, "50000", holder=holder, buyer=buyer, bank_officer=bank_officer, staff=staff)

    disbursed.refresh_from_db()
    assert disbursed.state == S.DISBURSED and disbursed.outstanding_principal() == Decimal("70000.00")
    rows = {i.number: i for i in disbursed.instalments.all()}
    # 50,000 paid the first instalment's principal and 10,000 of the second's: 70,000 bears interest in the
    # first two periods (instead of 120,000 and 80,000), the last period's 40,000 is as before
    assert [(r.paid_principal, r.paid_interest) for r in rows.values()] == [
        (Decimal("40000.00"), 0), (Decimal("10000.00"), 0), (0, 0)]
    assert rows[1].interest == (Decimal("70000") * Decimal("0.036") * rows[1].days / 360).quantize(Decimal("0.01"))
    assert rows[2].interest == (Decimal("70000") * Decimal("0.036") * rows[2].days / 360).quantize(Decimal("0.01"))
    assert rows[1].interest < before[1] and rows[2].interest < before[2] and rows[3].interest == before[3]
    assert rows[1].status == InstalmentStatus.SCHEDULED  # its interest is still to pay on its due date
    assert external_account(holder.organisation).balance() == Decimal("120000.00")  # the loan only, no price
    assert ledger_problems() == []
    # the borrower repays the rest through the recomputed schedule and the loan closes
    owed = sum((i.outstanding for i in disbursed.instalments.all()), Decimal("0.00"))
    loans.loan_repay(loan_id=disbursed.pk, actor=holder, amount=owed, idempotency_key="rest")
    disbursed.refresh_from_db()
    assert disbursed.state == S.REPAID and ledger_problems() == []


def test_an_open_licence_fee_of_a_pledged_patent_repays_the_loan_first(disbursed, patent, holder, bank_officer,
                                                                       staff, buyer):
    declaration = open_licences.open_licence_create(actor=holder, patent_id=patent.pk, licence_years=3, **ANNUAL)
    open_licences.open_licence_consent(declaration_id=declaration.pk, actor=bank_officer)
    open_licences.open_licence_submit(declaration_id=declaration.pk, actor=holder)
    open_licences.open_licence_publish(declaration_id=declaration.pk, actor=staff)
    open_licences.open_licence_take_up(declaration_id=declaration.pk, actor=buyer, idempotency_key="take",
                                       notice_confirmed=True)

    fee = Decimal(ANNUAL["annual_fee"])
    repayment = LoanRepayment.objects.get(loan=disbursed)
    assert repayment.amount == fee and repayment.proceeds_of.startswith(declaration.licences.get().number)
    disbursed.refresh_from_db()
    assert disbursed.outstanding_principal() == Decimal("120000.00") - fee
    assert external_account(holder.organisation).balance() == Decimal("120000.00")  # the fee went to the bank
    assert ledger_problems() == []


def test_a_loan_that_registered_but_not_disbursed_claims_nothing(holder, bank_officer, patent, second_patent, buyer,
                                                                 staff):
    loan = advance(apply(holder, bank_officer.organisation, [patent, second_patent], amount="120000", term_months=3),
                   to=S.REGISTERED, holder=holder, bank_officer=bank_officer)
    sell(patent, "50000", holder=holder, buyer=buyer, bank_officer=bank_officer, staff=staff)
    assert not LoanRepayment.objects.filter(loan=loan).exists()
    assert external_account(holder.organisation).balance() == Decimal("50000.00")


def test_the_ledger_check_finds_proceeds_paid_to_the_bank_that_the_loan_never_learned_of(disbursed, holder, buyer,
                                                                                          bank_officer):
    escrow, _ = payments.escrow_hold(payer=buyer.organisation, payee=holder.organisation, amount=Decimal("200000"),
                                     reference="ZT-X", idempotency_key="hold", actor=buyer)
    payments.escrow_capture(escrow_id=escrow.pk, idempotency_key="capture", actor=None)
    account = loans.loan_account(disbursed, AccountKind.LOAN_PROCEEDS)
    payments.escrow_release(escrow_id=escrow.pk, idempotency_key="release", actor=None,
                            first_claims=[payments.Payout(bank_officer.organisation, Decimal("120000"), account)])
    assert Escrow.objects.get(pk=escrow.pk).state == "released"
    assert ledger_problems() == [f"loan {disbursed.number}: 120000.00 paid to the bank from proceeds was not applied"]


def test_the_ledger_check_finds_a_loan_whose_receivable_disagrees_with_its_schedule(disbursed):
    assert ledger_problems() == []
    disbursed.instalments.update(principal=Decimal("30000.00"))
    assert ledger_problems() == [
        f"loan {disbursed.number} (disbursed): receivable is 120000.00, expected 90000.00",
        f"loan {disbursed.number}: the schedule's principal is 90000.00, the loan's 120000.00"]
    disbursed.instalments.update(principal=Decimal("40000.00"), paid_principal=Decimal("40000.00"),
                                 status=InstalmentStatus.PAID)
    assert f"loan {disbursed.number}: disbursed with nothing owed" in ledger_problems()


# -- deposit (提存) instead of early repayment ------------------------------------------------------------
def test_a_deposit_holds_the_price_until_the_debt_falls_due_then_repays_it(disbursed, patent, holder, buyer,
                                                                          bank_officer, staff):
    sell(patent, "500000", holder=holder, buyer=buyer, bank_officer=bank_officer, staff=staff, deposit=True)

    disbursed.refresh_from_db()
    deposit = ProceedsDeposit.objects.get(loan=disbursed)
    assert deposit.amount == Decimal("120000.00") and deposit.closed_at is None
    assert deposit.held_until == disbursed.instalments.order_by("-due_date").first().due_date
    assert disbursed.state == S.DISBURSED and not LoanRepayment.objects.exists()  # not repaid early
    assert external_account(bank_officer.organisation).balance() == Decimal("-120000.00")  # held, not the bank's
    assert ledger_problems() == []
    assert loans.loans_close_due_deposits(today=deposit.held_until - dt.timedelta(days=1)) == 0
    # the borrower pays the first instalment itself; at the due date the deposit repays the rest
    first = disbursed.instalments.get(number=1)
    loans.loan_repay(loan_id=disbursed.pk, actor=holder, amount=first.outstanding, idempotency_key="first")
    with clock(deposit.held_until):
        assert loans.loans_close_due_deposits() == 1
    disbursed.refresh_from_db()
    assert disbursed.state == S.REPAID
    repaid = LoanRepayment.objects.get(loan=disbursed, proceeds_of__startswith="ZT-")
    back = deposit.amount - repaid.amount
    assert back > 0 and ledger_problems() == []  # the rest of the deposit went back to the borrower
    assert loans.loans_close_due_deposits(today=deposit.held_until) == 0


def test_a_loan_repaid_by_the_borrower_returns_the_deposit(disbursed, patent, holder, buyer, bank_officer, staff):
    sell(patent, "500000", holder=holder, buyer=buyer, bank_officer=bank_officer, staff=staff, deposit=True)
    owed = sum((i.outstanding for i in disbursed.instalments.all()), Decimal("0.00"))
    before = external_account(holder.organisation).balance()
    loans.loan_repay(loan_id=disbursed.pk, actor=holder, amount=owed, idempotency_key="all")

    assert ProceedsDeposit.objects.get().closed_at is not None
    assert external_account(holder.organisation).balance() == before - owed + Decimal("120000.00")
    assert ledger_problems() == []


def test_only_the_pledgee_chooses_a_deposit_and_before_the_seller_signs(disbursed, patent, holder, buyer,
                                                                        bank_officer):
    listing = ListingFactory(organisation=holder.organisation, created_by=holder, patents=[patent])
    deal = deals.deal_open(listing_id=listing.pk, actor=buyer, price="500000")
    with pytest.raises(ActionForbidden):
        deals.deal_consent(deal_id=deal.pk, actor=buyer, patent_id=patent.pk, deposit_proceeds=True)
    deals.deal_accept(deal_id=deal.pk, actor=holder)
    deals.deal_consent(deal_id=deal.pk, actor=bank_officer, patent_id=patent.pk)
    deals.deal_sign(deal_id=deal.pk, actor=holder)
    with pytest.raises(RuleViolation) as refused:
        deals.deal_consent(deal_id=deal.pk, actor=bank_officer, patent_id=patent.pk, deposit_proceeds=True)
    assert refused.value.reasons[0].code == "deposit_after_signing"


def test_the_pledgee_chooses_the_deposit_through_the_api(disbursed, patent, holder, buyer, bank_officer):
    from rest_framework.test import APIClient

    from market.models import Consent

    listing = ListingFactory(organisation=holder.organisation, created_by=holder, patents=[patent])
    deal = deals.deal_open(listing_id=listing.pk, actor=buyer, price="500000")
    bank = APIClient()
    bank.force_authenticate(bank_officer)
    refused = bank.post(f"/api/v1/deals/{deal.pk}/consent/", {"patent_id": patent.pk, "deposit_proceeds": "maybe"},
                        format="json")
    assert refused.status_code == 400 and "deposit_proceeds" in refused.json()
    given = bank.post(f"/api/v1/deals/{deal.pk}/consent/", {"patent_id": patent.pk, "deposit_proceeds": True},
                      format="json")
    assert given.status_code == 200, given.json()
    assert Consent.objects.get(organisation=bank_officer.organisation).deposit_proceeds is True
