"""The pledge row locks, in the global order of market/locks.py: the loan (a deal), then its filing."""

from .models import PledgeFiling, PledgeLoan


def pledge_loan(loan_id: int) -> PledgeLoan:
    """A pledge loan (after an auction that disposes of its patents; before its filings and escrows)."""
    return PledgeLoan.objects.select_for_update(of=("self",)).select_related("applicant", "bank").get(pk=loan_id)


def pledge_filing(filing_id: int) -> PledgeFiling:
    return PledgeFiling.objects.select_for_update().get(pk=filing_id)
