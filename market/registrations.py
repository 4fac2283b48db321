"""Transitional: the registrations of flows that still live in the core's layers (moved with each flow)."""

from market.extensions import AuctionSource, register_auction_source, register_document_visibility, register_ledger_check


def register() -> None:
    from market.auction_selectors import auction_documents
    from market.models import PledgeLoan
    from market.pledge_selectors import pledge_documents_visible_to
    from market.selectors import licensing_documents_q, transfer_documents_q
    from market.services.loans import loan_auction_failed, loan_auction_settled, loan_ledger_problems

    for condition in (transfer_documents_q, licensing_documents_q, auction_documents, pledge_documents_visible_to):
        register_document_visibility(condition)
    register_ledger_check(loan_ledger_problems)
    register_auction_source(AuctionSource(model=PledgeLoan, prefill=None, settled=loan_auction_settled,
                                          failed=loan_auction_failed))
