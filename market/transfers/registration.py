"""How the transfer deals plug into the core: their documents, who sees them, their task."""

from market.extensions import (
    providers,
    register_document,
    register_document_visibility,
    register_issuer,
    register_listing_parties,
)
from market.models import DocumentKind

from . import services, tasks  # noqa: F401  (tasks: registers the task with Celery)
from .documents import change_request_context, deal_certificate_context, transfer_contract_context
from .models import DealState, TransferDeal
from .selectors import ClosedTransfers, transfer_documents_q


def register() -> None:
    register_issuer(TransferDeal, "ZT")
    after_signing = (DealState.SIGNED, DealState.PAID, DealState.FILED, DealState.REGISTERED, DealState.CLOSED)
    register_document(DocumentKind.TRANSFER_CONTRACT, code="HT", template="market/documents/transfer_contract.html",
                      builder=transfer_contract_context, issued_by={TransferDeal: after_signing})
    register_document(DocumentKind.CHANGE_REQUEST, code="BG", template="market/documents/change_request.html",
                      builder=change_request_context, per_patent=True,
                      issued_by={TransferDeal: (DealState.FILED, DealState.REGISTERED, DealState.CLOSED)})
    register_document(DocumentKind.DEAL_CERTIFICATE, code="JZ", template="market/documents/deal_certificate.html",
                      builder=deal_certificate_context, issued_by={TransferDeal: (DealState.CLOSED,)})
    register_document_visibility(transfer_documents_q)
    register_listing_parties(lambda org_id: TransferDeal.objects.filter(buyer_id=org_id).values("listing_id"))
    providers.transfers = ClosedTransfers()
    providers.record_sale = services.deal_record_sale
