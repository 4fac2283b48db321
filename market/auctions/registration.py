"""How the auctions plug into the core: their documents, who sees them, their tasks."""

from market.extensions import register_document, register_document_visibility, register_issuer
from market.models import DocumentKind

from . import tasks  # noqa: F401  (registers the tasks with Celery)
from .documents import announcement_context, confirmation_context
from .models import Auction, AuctionState
from .selectors import auction_documents


def register() -> None:
    register_issuer(Auction, "PM")
    register_document(DocumentKind.AUCTION_ANNOUNCEMENT, code="GG", template="market/documents/auction_announcement.html",
                      builder=announcement_context, issued_by={Auction: tuple(AuctionState)})
    register_document(DocumentKind.AUCTION_CONFIRMATION, code="CJ", template="market/documents/auction_confirmation.html",
                      builder=confirmation_context,
                      issued_by={Auction: (AuctionState.AWAITING_PAYMENT, AuctionState.SETTLED)})
    register_document_visibility(auction_documents)
