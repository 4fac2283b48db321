"""Market models, one module per topic; import them from here."""

from .abandonments import AbandonmentRequest, AbandonmentState
from .audit import TransitionLog
from .documents import Document, DocumentKind, DocumentState
from .encumbrances import Consent, ConsentCapacity, ConsentPurpose, Encumbrance, EncumbranceKind
from .listings import Listing, ListingMode, ListingState
from .organisations import EnterpriseSize, Invitation, Organisation, OrganisationKind, User, UserRole
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
from .queue import QueuedTask
from .register import Claim, ClaimState, RegisterEvent, RegisterEventKind
from .trademarks import MarkSimilarity, MarkType, TrademarkRecord

__all__ = [
    "AbandonmentRequest", "AbandonmentState",
    "AccountKind", "Consent", "ConsentCapacity", "ConsentPurpose", "Document", "DocumentKind",
    "DocumentState", "Encumbrance", "EncumbranceKind", "Escrow", "EscrowState", "LedgerAccount", "LedgerEntry",
    "LedgerTransaction", "LegalStatus", "Listing", "ListingMode", "ListingState", "Invitation", "Organisation",
    "EnterpriseSize", "OrganisationKind", "Patent", "PatentKind", "PatentOwner", "PaymentCommand", "Claim", "ClaimState",
    "QueuedTask", "RegisterEvent", "RegisterEventKind", "MarkSimilarity", "MarkType", "TrademarkRecord",
    "TransitionLog", "User", "UserRole",
]
