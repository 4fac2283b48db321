"""Market models, one module per topic; import them from here."""

from .audit import TransitionLog
from .deals import DealState, Objection, Offer, TransferDeal
from .documents import Document, DocumentKind, DocumentState
from .encumbrances import Consent, ConsentCapacity, ConsentPurpose, Encumbrance, EncumbranceKind
from .listings import Listing, ListingMode, ListingState
from .organisations import Organisation, OrganisationKind, User, UserRole
from .patents import LegalStatus, Patent, PatentKind, PatentOwner
from .payments import (
    AccountKind,
    Escrow,
    EscrowState,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    PaymentCommand,
)

__all__ = [
    "AccountKind", "Consent", "ConsentCapacity", "ConsentPurpose", "DealState", "Document", "DocumentKind",
    "DocumentState", "Encumbrance", "EncumbranceKind", "Escrow", "EscrowState", "LedgerAccount", "LedgerEntry",
    "LedgerTransaction", "LegalStatus", "Listing", "ListingMode", "ListingState", "Objection", "Offer",
    "Organisation", "OrganisationKind", "Patent", "PatentKind", "PatentOwner", "PaymentCommand", "TransferDeal",
    "TransitionLog", "User", "UserRole",
]
