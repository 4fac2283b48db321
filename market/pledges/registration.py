"""How pledge financing plugs into the core: its documents and who sees them, its ledger check, its tasks,
the monitoring of pledged patents, and the defaulted loan as the source of auctions of collateral."""

from market.extensions import (
    AuctionSource,
    register_auction_source,
    register_document,
    register_document_visibility,
    register_issuer,
    register_ledger_check,
    register_secured_debt,
)
from market.models import DocumentKind

from . import receivers, tasks  # noqa: F401  (tasks: registers them with Celery)
from .documents import contract_context, filing_context
from .models import CONTRACT_STATES, PledgeFiling, PledgeFilingState, PledgeLoan, PledgeLoanState
from .selectors import pledge_documents_visible_to
from .services import loans


def auction_prefill(loan: PledgeLoan) -> dict:
    """What an auction of a defaulted loan's collateral starts from: the bank as creditor, the holder as
    debtor, the pledged patents, the debt still owed."""
    return {"creditor": loan.bank, "debtor": loan.applicant, "patents": list(loan.pledged_patents()),
            "claim_amount": loan.outstanding_debt(), "defaulted": loan.state == PledgeLoanState.DEFAULTED}


def register() -> None:
    receivers.connect()
    register_issuer(PledgeLoan, "ZY")
    register_issuer(PledgeFiling, "DJ")
    register_document(DocumentKind.PLEDGE_CONTRACT, code="ZH", template="market/documents/pledge_contract.html",
                      builder=contract_context, issued_by={PledgeLoan: CONTRACT_STATES})
    register_document(DocumentKind.PLEDGE_REGISTRATION, code="ZD", template="market/documents/pledge_registration.html",
                      builder=filing_context, issued_by={PledgeFiling: tuple(PledgeFilingState)})
    register_document(DocumentKind.PLEDGE_NOTICE, code="ZT", template="market/documents/pledge_notice.html",
                      builder=filing_context, issued_by={PledgeFiling: (PledgeFilingState.REGISTERED,)})
    register_document(DocumentKind.PLEDGE_RELEASE, code="ZX", template="market/documents/pledge_release.html",
                      builder=filing_context, issued_by={PledgeFiling: tuple(PledgeFilingState)})
    register_document_visibility(pledge_documents_visible_to)
    register_ledger_check(loans.loan_ledger_problems)
    register_secured_debt(loans.secured_debt)
    register_auction_source(AuctionSource(
        model=PledgeLoan, prefill=auction_prefill, awaiting=loans.loans_defaulted_for_auction,
        settled=lambda source_id, **kwargs: loans.loan_auction_settled(loan_id=source_id, **kwargs),
        failed=lambda source_id, **kwargs: loans.loan_auction_failed(loan_id=source_id, **kwargs)))
