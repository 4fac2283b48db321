"""Where the flows and the apps above the core plug into it. The core never imports them.

The flows (market/transfers, licensing, pledges, auctions) register here from ``MarketConfig.ready()``
(market/apps.py); valuation and finance register the same way from their own AppConfigs. Each registry is a
plain mapping or list the core reads: which documents exist and who may see them, what the ledger check
also checks, which debt a pledge secures, who takes a licence's royalties (a receivable pledge, a pool), what
an auction's source learns when it ends, what deal history and listing prices the valuation and the search
read.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.models import Q


@dataclass(frozen=True)
class DocumentType:
    """One kind of document: its code in the number, its template, and the builder of the template's data
    (``builder(document, issuing_object) -> dict``)."""

    kind: str
    code: str
    template: str
    builder: Callable[[models.Model, models.Model], dict]
    per_patent: bool = False


# kind → DocumentType; issuing model name → its code in the number; (kind, issuing model name) → the
# issuer's states in which the document can be requested (None: any time).
DOCUMENT_TYPES: dict[str, DocumentType] = {}
ISSUERS: dict[str, str] = {}
ISSUING_STATES: dict[tuple[str, str], tuple[str, ...] | None] = {}
# Each: user → a condition on Document naming the documents that user may see.
DOCUMENT_VISIBILITY: list[Callable[[models.Model], Q]] = []
# Each: () → one line per inconsistency the ledger check also reports.
LEDGER_CHECKS: list[Callable[[], list[str]]] = []
# Each: organisation id → the ids of the listings on which that organisation is a deal's counterparty (it keeps
# reading them once they close).
LISTING_PARTIES: list[Callable[[int], models.QuerySet]] = []


def register_document(kind: str, *, code: str, template: str, builder: Callable, issued_by: dict[type, tuple | None],
                      per_patent: bool = False) -> None:
    """Declare document ``kind``, and the models that issue it with the states in which each may."""
    if kind in DOCUMENT_TYPES:
        raise ValueError(f"document kind {kind!r} is registered twice")
    DOCUMENT_TYPES[kind] = DocumentType(kind=kind, code=code, template=template, builder=builder,
                                        per_patent=per_patent)
    for model, states in issued_by.items():
        ISSUING_STATES[(kind, model._meta.model_name)] = tuple(states) if states is not None else None


def register_issuer(model: type[models.Model], code: str) -> None:
    """A model whose objects issue documents, with its code in their numbers (``ZJIP-<code>-…``)."""
    ISSUERS[model._meta.model_name] = code


def register_document_visibility(condition: Callable[[models.Model], Q]) -> None:
    DOCUMENT_VISIBILITY.append(condition)


def register_ledger_check(check: Callable[[], list[str]]) -> None:
    LEDGER_CHECKS.append(check)


def register_listing_parties(listings_of: Callable[[int], models.QuerySet]) -> None:
    LISTING_PARTIES.append(listings_of)


# -- the debts pledges secure -------------------------------------------------------------------
@dataclass(frozen=True)
class SecuredDebt:
    """The debt a registered pledge secures, as the flow that made it knows it (a pledge loan).

    ``amount`` is what the pledgee may claim today; ``account`` is where the ledger books the money paid to
    the pledgee from proceeds until ``apply(amount=, actor=, key=, source=)`` applies it to the debt (in the
    caller's transaction). ``key`` names the debt, so a debt secured by several patents is claimed once.
    """

    key: str
    label: str
    amount: Decimal
    account: models.Model
    apply: Callable[..., None]
    # When the debt falls due, and how money is deposited (提存) until then: deposit(amount=, actor=, key=, source=).
    due_on: dt.date | None = None
    deposit: Callable[..., None] | None = None


# Each: a pledge (Encumbrance) → its debt, or None when that flow did not make it.
SECURED_DEBTS: list[Callable[[models.Model], SecuredDebt | None]] = []


def register_secured_debt(finder: Callable[[models.Model], SecuredDebt | None]) -> None:
    SECURED_DEBTS.append(finder)


@dataclass(frozen=True)
class RoyaltyClaim:
    """A claim on a licence's royalties made elsewhere than on the patent's register (a pledge of the receivable
    registered in the movable-property registry, a securitisation pool that bought it): who takes them, since
    when (claims are paid in the order of registration, beside the patent's pledges), and the debt it applies
    them to (``debt.amount``: what it may still take)."""

    registered_at: dt.datetime
    pledgee: models.Model
    debt: SecuredDebt


# Each: a licence → the claims on its royalties.
ROYALTY_CLAIMS: list[Callable[[models.Model], list[RoyaltyClaim]]] = []


def register_royalty_claims(finder: Callable[[models.Model], list[RoyaltyClaim]]) -> None:
    ROYALTY_CLAIMS.append(finder)


# -- auctions of collateral ------------------------------------------------------------------------
@dataclass(frozen=True)
class AuctionSource:
    """What an auction learns from, and tells, the object whose collateral it sells (a defaulted loan).

    ``prefill(obj) -> dict`` gives ``creditor``, ``debtor``, ``patents``, ``claim_amount`` and ``defaulted``;
    ``awaiting()`` the objects whose collateral may be auctioned now; ``settled(source_id=, proceeds_to_creditor=,
    actor=)`` and ``failed(source_id=, actor=, proceeds_to_creditor=)`` run in the auction's transaction when it
    ends. ``None`` where the source has nothing to say.
    """

    model: type[models.Model]
    prefill: Callable[[models.Model], dict] | None = None
    awaiting: Callable[[], models.QuerySet] | None = None
    settled: Callable[..., None] | None = None
    failed: Callable[..., None] | None = None


# model label ("market.pledgeloan") → its source; the auctions read it, the flow of the source registers it.
AUCTION_SOURCES: dict[str, AuctionSource] = {}


def register_auction_source(source: AuctionSource) -> None:
    AUCTION_SOURCES[source.model._meta.label_lower] = source


# -- what valuation and search read from the flows ------------------------------------------------
@dataclass(frozen=True)
class ClosedTransfer:
    """A closed transfer deal with a price: when it closed, its patents (in the deal's order), the seller."""

    deal_id: int
    deal_number: str
    price: Decimal
    closed_on: dt.date | None
    patent_ids: tuple[int, ...]
    seller_id: int


class TransferHistory:
    """The market's record of closed transfers (the transfers flow provides the real one): the most recent
    priced ones, and how many each patent and each seller has had."""

    def closed(self, *, limit: int) -> list[ClosedTransfer]:
        return []

    def count_by_patent(self, patent_ids: Iterable[int]) -> Counter:
        return Counter()

    def count_by_seller(self, organisation_ids: Iterable[int]) -> Counter:
        return Counter()


def _no_royalties(listing_ids: list[int]) -> dict[int, Decimal]:
    return {}


def _register_sale_only(*, seller, buyer, patents, price, reference: str, title: str, actor) -> None:
    """Without the transfers flow a sale made elsewhere only changes the holders on the register."""
    from market.register.holders import Holder, holders_replace

    for patent in patents:
        holders_replace(patent, [Holder.of(buyer)], key=f"sale:{reference}:{patent.application_number}",
                        source=reference, data={"sale": reference})


def _notify_nobody(**event) -> list:
    return []


class Providers:
    """Single providers the flows own: ``transfers`` (a TransferHistory) and ``listing_royalties(listing_ids)``
    (what taking each listing's open licence costs at once), read by valuation and search; ``record_sale``,
    called by the auctions; ``notify``, set by the notifications app for the apps beside it (valuation)."""

    transfers: TransferHistory = TransferHistory()
    listing_royalties: Callable[[list[int]], dict[int, Decimal]] = staticmethod(_no_royalties)
    # record_sale(seller=, buyer=, patents=, price=, reference=, title=, actor=): a sale made elsewhere (an
    # auction of collateral) becomes a transfer deal with its change of holder and documents.
    record_sale: Callable[..., object] = staticmethod(_register_sale_only)
    # notify(key=, kind=, title=, body=, url=, users=, organisations=): notifications.services.notify.
    notify: Callable[..., list] = staticmethod(_notify_nobody)


providers = Providers()
