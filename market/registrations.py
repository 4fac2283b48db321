"""Transitional: the registrations of flows that still live in the core's layers (moved with each flow)."""

from market.extensions import AuctionSource, register_auction_source, register_document_visibility, register_ledger_check


def register() -> None:
    from market.models import PledgeLoan, PledgeLoanState
    from market.pledge_selectors import pledge_documents_visible_to
    from market.services import loans

    for condition in (pledge_documents_visible_to,):
        register_document_visibility(condition)
    register_ledger_check(loans.loan_ledger_problems)

    def prefill(loan: PledgeLoan) -> dict:
        return {"creditor": loan.bank, "debtor": loan.applicant, "patents": list(loan.pledged_patents()),
                "claim_amount": loan.outstanding_debt(), "defaulted": loan.state == PledgeLoanState.DEFAULTED}

    register_auction_source(AuctionSource(
        model=PledgeLoan, prefill=prefill, awaiting=loans.loans_defaulted_for_auction,
        settled=lambda source_id, **kwargs: loans.loan_auction_settled(loan_id=source_id, **kwargs),
        failed=lambda source_id, **kwargs: loans.loan_auction_failed(loan_id=source_id, **kwargs)))
