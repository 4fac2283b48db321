"""Concurrent steps on one pledge loan (PostgreSQL): the loan's row lock makes exactly one of the racing requests win."""

import threading

import pytest
from django.db import connection

from market.models import LedgerEntry, PaymentCommand
from market.pledges.models import PledgeLoan, PledgeLoanState
from market.pledges.services import applications as pledge_applications
from market.pledges.services import loans
from market.rules import RuleViolation
from market.services.ledger import ledger_problems

from ..pledges.steps import advance, apply
from .test_deal_races import race

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are a PostgreSQL test")


@pytest.fixture
def submitted(transactional_db, holder, bank_officer, holder_org):
    from tests.factories import PatentFactory

    return apply(holder, bank_officer.organisation, [PatentFactory(holders=[holder_org])], amount="120000",
                 term_months=3)


def approve(loan_id, bank_officer):
    return pledge_applications.pledge_approve(loan_id=loan_id, actor=bank_officer, amount="100000", rate_percent="3.5",
                                              term_months=3, pledge_ratio="0.3", above_advice_reason="另有保证担保")


def reject(loan_id, bank_officer):
    return pledge_applications.pledge_reject(loan_id=loan_id, actor=bank_officer, reason="并发拒绝")


def test_approve_racing_reject_exactly_one_wins(submitted, bank_officer):
    results = race(lambda: approve(submitted.pk, bank_officer), lambda: reject(submitted.pk, bank_officer))

    winners = [r for r in results if isinstance(r, PledgeLoan)]
    losers = [r for r in results if not isinstance(r, PledgeLoan)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert isinstance(losers[0], RuleViolation) and losers[0].reasons[0].code == "invalid_state"
    loan = PledgeLoan.objects.get(pk=submitted.pk)
    assert loan.state == winners[0].state in (PledgeLoanState.APPROVED, PledgeLoanState.REJECTED)
    assert [log.to_state for log in loan_log(loan)] == [PledgeLoanState.SUBMITTED, loan.state]


def loan_log(loan):
    from market.models import TransitionLog

    return TransitionLog.for_object(loan)


def test_two_disbursements_with_different_keys_pay_once(submitted, holder, bank_officer):
    loan = advance(submitted, to=PledgeLoanState.REGISTERED, holder=holder, bank_officer=bank_officer)
    results = race(*[lambda k=k: loans.loan_disburse(loan_id=loan.pk, actor=bank_officer, idempotency_key=k)
                     for k in ("tab-1", "tab-2", "tab-3")])

    assert sum(isinstance(r, PledgeLoan) for r in results) == 1, results
    assert PaymentCommand.objects.count() == 1 and LedgerEntry.objects.count() == 4
    assert ledger_problems() == []


def test_without_the_row_lock_the_race_is_real(submitted, bank_officer, monkeypatch):
    """Control: with the loan's row lock switched off both requests pass the checks; only django-fsm's optimistic
    state check stops the second, with a low-level error instead of the clean refusal the lock gives."""
    from django_fsm import ConcurrentTransition

    from market.pledges import locks

    monkeypatch.setattr(locks, "pledge_loan", lambda loan_id: PledgeLoan.objects.select_related(
        "applicant", "bank").get(pk=loan_id))
    gate = threading.Barrier(2)
    original = pledge_applications.apply_transition

    def transition_after_both_checked(*args, **kwargs):
        gate.wait(timeout=10)  # raises BrokenBarrierError unless both requests got past the checks
        return original(*args, **kwargs)

    monkeypatch.setattr(pledge_applications, "apply_transition", transition_after_both_checked)
    results = race(lambda: approve(submitted.pk, bank_officer), lambda: reject(submitted.pk, bank_officer))

    assert sum(isinstance(r, PledgeLoan) for r in results) == 1, results
    loser = next(r for r in results if not isinstance(r, PledgeLoan))
    assert isinstance(loser, ConcurrentTransition), loser
