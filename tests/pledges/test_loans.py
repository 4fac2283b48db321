"""The registered loan: disbursement and repayments through the ledger with idempotency keys, release on
full repayment, partial release, overdue instalments, default after the grace period, the auction hooks."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from market.models import Encumbrance, EncumbranceKind, LedgerEntry, PaymentCommand, TransitionLog
from market.pledges.models import Instalment, LoanRepayment, PledgeAlert, PledgeFiling, PledgeLoan, PledgeLoanState
from market.pledges.services import applications as pledge_applications
from market.pledges.services import loans, registry
from market.rules import RuleViolation
from market.services.errors import ActionForbidden, IdempotencyConflict
from market.services.ledger import ledger_problems
from notifications.models import Notification

from .steps import advance, apply

S = PledgeLoanState


@pytest.fixture
def registered(holder, bank_officer, patent, second_patent):
    loan = apply(holder, bank_officer.organisation, [patent, second_patent], amount="120000", term_months=3)
    return advance(loan, to=S.REGISTERED, holder=holder, bank_officer=bank_officer)


@pytest.fixture
def disbursed(registered, bank_officer):
    loans.loan_disburse(loan_id=registered.pk, actor=bank_officer, idempotency_key="disburse-1")
    return PledgeLoan.objects.get(pk=registered.pk)


def balance(code):
    return sum((e.amount for e in LedgerEntry.objects.filter(account__code=code)), Decimal("0.00"))


def backdate(loan, days):
    """Move the schedule ``days`` into the past (the clock of the test)."""
    for instalment in loan.instalments.all():
        instalment.due_date -= dt.timedelta(days=days)
        instalment.save(update_fields=["due_date"])


def test_disbursement_pays_the_borrower_through_the_ledger_once(registered, bank_officer, holder):
    loan = loans.loan_disburse(loan_id=registered.pk, actor=bank_officer, idempotency_key="k1")
    again = loans.loan_disburse(loan_id=registered.pk, actor=bank_officer, idempotency_key="k1")

    assert loan.state == again.state == S.DISBURSED and loan.disbursed_on == timezone.localdate()
    assert PaymentCommand.objects.count() == 1 and LedgerEntry.objects.count() == 4
    assert balance(f"org:{holder.organisation_id}:external") == Decimal("120000.00")
    assert balance(f"org:{bank_officer.organisation_id}:external") == Decimal("-120000.00")
    assert balance(f"loan:{loan.pk}:loan_receivable") == Decimal("120000.00")
    assert [i.principal for i in loan.instalments.all()] == [Decimal("40000.00")] * 3
    with pytest.raises(RuleViolation):
        loans.loan_disburse(loan_id=loan.pk, actor=bank_officer, idempotency_key="k2")
    assert ledger_problems() == []


def test_only_the_bank_disburses_and_only_once_registered(registered, holder, bank_officer, holder_org):
    from tests.factories import PatentFactory

    with pytest.raises(ActionForbidden):
        loans.loan_disburse(loan_id=registered.pk, actor=holder, idempotency_key="k")
    signed = advance(apply(holder, bank_officer.organisation, [PatentFactory(holders=[holder_org])]), to=S.SIGNED,
                     holder=holder, bank_officer=bank_officer)
    with pytest.raises(RuleViolation):
        loans.loan_disburse(loan_id=signed.pk, actor=bank_officer, idempotency_key="k")
    assert PledgeLoan.objects.get(pk=registered.pk).state == S.REGISTERED and not PaymentCommand.objects.exists()


def test_a_repayment_pays_interest_first_and_a_replay_moves_nothing(disbursed, holder):
    first = disbursed.instalments.get(number=1)
    repayment = loans.loan_repay(loan_id=disbursed.pk, actor=holder, amount="500.00", idempotency_key="r1")
    replay = loans.loan_repay(loan_id=disbursed.pk, actor=holder, amount="500.00", idempotency_key="r1")

    assert replay.pk == repayment.pk and LoanRepayment.objects.count() == 1
    assert (repayment.interest, repayment.principal) == (first.interest, Decimal("500.00") - first.interest)
    with pytest.raises(IdempotencyConflict):
        loans.loan_repay(loan_id=disbursed.pk, actor=holder, amount="600.00", idempotency_key="r1")
    assert ledger_problems() == []


def test_repaying_in_full_files_the_release_and_the_registry_clears_the_register(disbursed, holder, bank_officer):
    owed = sum((i.outstanding for i in disbursed.instalments.all()), Decimal("0"))
    with pytest.raises(ValidationError):
        loans.loan_repay(loan_id=disbursed.pk, actor=holder, amount=owed + 1, idempotency_key="too-much")
    loans.loan_repay(loan_id=disbursed.pk, actor=holder, amount=owed, idempotency_key="all")

    loan = PledgeLoan.objects.get(pk=disbursed.pk)
    release = PledgeFiling.objects.get(kind="release")
    assert loan.state == S.REPAID and release.state == "filed" and release.patents.count() == 2
    registry.pledge_registry_examine(filing_id=release.pk)

    loan = PledgeLoan.objects.get(pk=disbursed.pk)
    assert loan.state == S.RELEASED and not loan.pledged_patents().exists()
    assert not Encumbrance.objects.in_force().filter(kind=EncumbranceKind.PLEDGE).exists()
    # the books balance: the bank got principal plus interest back, the loan's accounts are at zero
    interest = sum((i.interest for i in loan.instalments.all()), Decimal("0"))
    assert balance(f"org:{bank_officer.organisation_id}:external") == interest
    assert balance(f"org:{holder.organisation_id}:external") == -interest
    assert balance(f"loan:{loan.pk}:loan_receivable") == balance(f"loan:{loan.pk}:loan_payable") == Decimal("0.00")
    assert ledger_problems() == []


def test_repayment_refused_before_disbursement_and_by_the_bank(registered, holder, bank_officer):
    with pytest.raises(RuleViolation):
        loans.loan_repay(loan_id=registered.pk, actor=holder, amount="10", idempotency_key="early")
    with pytest.raises(ActionForbidden):
        loans.loan_repay(loan_id=registered.pk, actor=bank_officer, amount="10", idempotency_key="bank")
    assert not LedgerEntry.objects.exists() and not PaymentCommand.objects.exists()


def test_the_bank_releases_one_patent_of_the_package(disbursed, bank_officer, holder, patent, second_patent):
    with pytest.raises(ActionForbidden):
        loans.loan_release_patent(loan_id=disbursed.pk, actor=holder, patent_id=patent.pk)
    filing = loans.loan_release_patent(loan_id=disbursed.pk, actor=bank_officer, patent_id=patent.pk)
    registry.pledge_registry_examine(filing_id=filing.pk)

    loan = PledgeLoan.objects.get(pk=disbursed.pk)
    assert loan.state == S.DISBURSED and list(loan.pledged_patents()) == [second_patent]
    assert [e.patent for e in Encumbrance.objects.in_force().filter(kind=EncumbranceKind.PLEDGE)] == [second_patent]
    with pytest.raises(RuleViolation) as refusal:
        loans.loan_release_patent(loan_id=loan.pk, actor=bank_officer, patent_id=second_patent.pk)
    assert refusal.value.reasons[0].code == "last_pledged_patent"


def test_overdue_instalments_are_flagged_and_alerted_once(disbursed, bank_officer, holder):
    backdate(disbursed, 40)
    assert loans.loans_mark_overdue() == 1
    assert loans.loans_mark_overdue() == 0

    instalment = Instalment.objects.get(status="overdue")
    assert instalment.number == 1 and instalment.overdue_since == instalment.due_date + dt.timedelta(days=1)
    alert = PledgeAlert.objects.get(kind="instalment_overdue")
    assert Notification.objects.filter(key=f"pledge-alert:{alert.key}").count() == 2  # the bank and the holder
    loans.loan_repay(loan_id=disbursed.pk, actor=holder, amount=instalment.outstanding, idempotency_key="late")
    assert PledgeAlert.objects.get(pk=alert.pk).cleared_at is not None


def test_default_only_after_the_grace_period(disbursed, bank_officer, holder, staff, settings):
    settings.MARKET = {**settings.MARKET, "PLEDGE_DEFAULT_GRACE_DAYS": 30}
    backdate(disbursed, 40)  # the first instalment is 9 days late (due one month after the start)
    with pytest.raises(RuleViolation) as refusal:
        loans.loan_declare_default(loan_id=disbursed.pk, actor=bank_officer, reason="逾期未还")
    assert refusal.value.reasons[0].code == "grace_period_running"
    with pytest.raises(ActionForbidden):
        loans.loan_declare_default(loan_id=disbursed.pk, actor=holder, reason="x")

    backdate(disbursed, 30)
    loan = loans.loan_declare_default(loan_id=disbursed.pk, actor=bank_officer, reason="逾期超过宽限期")
    assert loan.state == S.DEFAULTED and loan.defaulted_at is not None
    assert list(loans.loans_defaulted_for_auction()) == [loan]
    assert Notification.objects.filter(recipient=staff, title__contains="违约").exists()


def defaulted_loan(disbursed, bank_officer):
    backdate(disbursed, 80)
    return loans.loan_declare_default(loan_id=disbursed.pk, actor=bank_officer, reason="逾期")


def test_a_settled_auction_closes_the_loan_and_clears_the_register(disbursed, bank_officer):
    loan = defaulted_loan(disbursed, bank_officer)
    claim = loan.outstanding_debt()
    assert claim == Decimal("120000.00") + loan.instalments.get(number=1).interest + \
        loan.instalments.get(number=2).interest  # two instalments fell due in the backdated schedule

    settled = loans.loan_auction_settled(loan_id=loan.pk, proceeds_to_creditor="100000.00", actor=None)
    again = loans.loan_auction_settled(loan_id=loan.pk, proceeds_to_creditor="100000.00", actor=None)

    assert settled.state == again.state == S.SETTLED and settled.auction_proceeds == Decimal("100000.00")
    assert not Encumbrance.objects.in_force().filter(kind=EncumbranceKind.PLEDGE).exists()
    assert set(settled.instalments.values_list("status", flat=True)) <= {"paid", "closed"}
    assert balance(f"loan:{loan.pk}:loan_receivable") == Decimal("0.00")
    assert ledger_problems() == []
    assert "差额" in TransitionLog.for_object(loan).get(transition="settle").reason


def test_a_failed_auction_leaves_the_loan_defaulted_and_forfeited_deposits_reduce_the_debt(disbursed, bank_officer):
    loan = defaulted_loan(disbursed, bank_officer)
    before = loan.outstanding_debt()
    loans.loan_auction_failed(loan_id=loan.pk, actor=None)
    loans.loan_auction_failed(loan_id=loan.pk, actor=None, proceeds_to_creditor="5000.00")

    loan = PledgeLoan.objects.get(pk=loan.pk)
    assert loan.state == S.DEFAULTED and loan.outstanding_debt() == before - Decimal("5000.00")
    assert TransitionLog.for_object(loan).filter(transition="auction_failed").count() == 2
    assert ledger_problems() == []


def test_the_auction_hooks_refuse_a_loan_that_is_not_defaulted(disbursed):
    with pytest.raises(RuleViolation):
        loans.loan_auction_settled(loan_id=disbursed.pk, proceeds_to_creditor="1", actor=None)
    with pytest.raises(RuleViolation):
        loans.loan_auction_failed(loan_id=disbursed.pk, actor=None)
    assert PledgeLoan.objects.get(pk=disbursed.pk).state == S.DISBURSED


def test_the_holder_asks_the_bank_to_consent_to_a_transfer(disbursed, holder, bank_officer, patent, buyer):
    from market.transfers import services as deals
    from tests.factories import ListingFactory

    listing = ListingFactory(organisation=holder.organisation, created_by=holder, patents=[patent])
    deal = deals.deal_open(listing_id=listing.pk, actor=buyer, price="800000")
    deals.deal_consent_request(deal_id=deal.pk, actor=holder, message="拟转让，价款优先还贷")
    deals.deal_consent_request(deal_id=deal.pk, actor=holder)

    note = Notification.objects.get(recipient=bank_officer, key__contains="consent-request")
    assert note.url == f"/deals/{deal.pk}/"
    deals.deal_consent(deal_id=deal.pk, actor=bank_officer, patent_id=patent.pk)  # the bank answers on the deal
    from market.rules import transfer_blockers
    assert transfer_blockers(patent, seller=holder.organisation, deal=deal) == []


LATER_STEPS = {
    "sign_contract": lambda loan, h, b: pledge_applications.pledge_contract_sign(loan_id=loan.pk, actor=h),
    "file_registration": lambda loan, h, b: registry.pledge_registration_file(loan_id=loan.pk, actor=h),
    "disburse": lambda loan, h, b: loans.loan_disburse(loan_id=loan.pk, actor=b, idempotency_key=f"d{loan.pk}"),
    "repay": lambda loan, h, b: loans.loan_repay(loan_id=loan.pk, actor=h, amount="1", idempotency_key=f"r{loan.pk}"),
    "declare_default": lambda loan, h, b: loans.loan_declare_default(loan_id=loan.pk, actor=b, reason="逾期"),
    "release_patent": lambda loan, h, b: loans.loan_release_patent(loan_id=loan.pk, actor=b,
                                                                   patent_id=loan.patents.first().pk),
}
LATER_ALLOWED = {S.APPROVED: {"sign_contract"}, S.SIGNED: {"file_registration"},
                 S.REGISTERED: {"disburse", "release_patent"}, S.DISBURSED: {"repay", "declare_default", "release_patent"},
                 S.RELEASED: set()}


@pytest.mark.parametrize("state", list(LATER_ALLOWED))
@pytest.mark.parametrize("step", list(LATER_STEPS))
def test_each_later_step_is_refused_outside_its_states(state, step, holder, bank_officer, patent, second_patent):
    loan = apply(holder, bank_officer.organisation, [patent, second_patent], amount="120000", term_months=3)
    if state == S.APPROVED:
        loan = advance(loan, to=S.APPROVED, holder=holder, bank_officer=bank_officer)
        pledge_applications.pledge_contract_draft(loan_id=loan.pk, actor=bank_officer)
    else:
        loan = advance(loan, to=state, holder=holder, bank_officer=bank_officer)
    try:
        LATER_STEPS[step](loan, holder, bank_officer)
        refused = None
    except RuleViolation as exc:
        refused = exc.reasons[0].code
    if step in LATER_ALLOWED[state]:
        assert refused != "invalid_state"  # a later rule may still refuse (e.g. the grace period)
    else:
        assert refused == "invalid_state"
        assert PledgeLoan.objects.get(pk=loan.pk).state == state
