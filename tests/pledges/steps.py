"""Drive a pledge loan to a given state through the real services."""

from __future__ import annotations

from decimal import Decimal

from market.pledges.models import PledgeLoan, PledgeLoanState
from market.pledges.services import applications as pledge_applications
from market.pledges.services import loans
from market.pledges.services import registry as pledge_registry

S = PledgeLoanState
# The approvals of the tests lend what was asked, often above the review's advice: the bank says why.
ABOVE_ADVICE = "另有保证人连带责任担保"
ORDER = [S.SUBMITTED, S.APPROVED, S.SIGNED, S.FILED, S.REGISTERED, S.DISBURSED, S.REPAID, S.RELEASED]


def apply(holder, bank_org, patents, *, amount="1000000", term_months=12, plan="equal_principal") -> PledgeLoan:
    return pledge_applications.pledge_apply(actor=holder, bank_id=bank_org.pk, patent_ids=[p.pk for p in patents],
                                            amount=amount, term_months=term_months, purpose="补充流动资金",
                                            repayment_plan=plan)


def approve(loan, bank_officer, *, amount=None, rate="3.6", term=None, ratio="0.3"):
    """Approve what was asked (amount and term) at 3.6% a year."""
    return pledge_applications.pledge_approve(loan_id=loan.pk, actor=bank_officer, amount=amount or loan.amount_requested,
                                              rate_percent=rate, term_months=term or loan.term_months,
                                              pledge_ratio=ratio, above_advice_reason=ABOVE_ADVICE)


def sign(loan, holder, bank_officer, **terms):
    pledge_applications.pledge_contract_draft(loan_id=loan.pk, actor=bank_officer, **terms)
    pledge_applications.pledge_contract_sign(loan_id=loan.pk, actor=bank_officer)
    return pledge_applications.pledge_contract_sign(loan_id=loan.pk, actor=holder)


def file_and_examine(loan, actor):
    filing = pledge_registry.pledge_registration_file(loan_id=loan.pk, actor=actor)
    return pledge_registry.pledge_registry_examine(filing_id=filing.pk)


def repay_all(loan, holder):
    loan = PledgeLoan.objects.get(pk=loan.pk)
    owed = sum((i.outstanding for i in loan.instalments.all()), Decimal("0"))
    return loans.loan_repay(loan_id=loan.pk, actor=holder, amount=owed, idempotency_key=f"repay-all-{loan.pk}")


def advance(loan: PledgeLoan, *, to: str, holder, bank_officer) -> PledgeLoan:
    """Run the happy path from the loan's state up to ``to``; returns the fresh loan."""
    steps = {
        S.SUBMITTED: lambda: approve(loan, bank_officer),
        S.APPROVED: lambda: sign(loan, holder, bank_officer),
        S.SIGNED: lambda: pledge_registry.pledge_registration_file(loan_id=loan.pk, actor=holder),
        S.FILED: lambda: pledge_registry.pledge_registry_examine(filing_id=loan.filings.get(state="filed").pk),
        S.REGISTERED: lambda: loans.loan_disburse(loan_id=loan.pk, actor=bank_officer,
                                                  idempotency_key=f"disburse-{loan.pk}"),
        S.DISBURSED: lambda: repay_all(loan, holder),
        S.REPAID: lambda: pledge_registry.pledge_registry_examine(
            filing_id=loan.filings.get(state="filed", kind="release").pk),
    }
    loan = PledgeLoan.objects.get(pk=loan.pk)
    while ORDER.index(loan.state) < ORDER.index(to):
        steps[loan.state]()
        loan = PledgeLoan.objects.get(pk=loan.pk)
    return loan
