"""Proceeds of transferring or licensing a pledged right pay the pledgee first (Civil Code art. 444).

An escrow that pays a holder for its patents (a transfer's price, a royalty, an open-licence fee) is
released through ``release_proceeds``: each pledge in force on the patents claims its secured debt first.
A debt the platform made (a pledge loan, market/extensions.py ``SECURED_DEBTS``) receives the money on
its own account and applies it through its own service (interest, then principal; the schedule recomputed;
repaid in full → the pledge released) — or, where the debt is not yet due and the pledgee so agreed in its
consent, holds them deposited (提存) until it is — so the loan and the escrow never tell two stories. A pledge
registered elsewhere (its secured amount on the register) is paid to the pledgee and, once paid in full,
leaves the register. What is left goes to the holder, or to the co-holders by their shares.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils import timezone

from market import locks
from market.extensions import ROYALTY_CLAIMS, SECURED_DEBTS, SecuredDebt
from market.models import Encumbrance, EncumbranceKind, Escrow, Organisation, Patent, User
from market.money import ZERO, cny

from . import payments


@dataclass(frozen=True)
class SecuredClaim:
    """What one pledgee may take from the proceeds: for its loan's debt, or the register's secured amount."""

    pledgee: Organisation
    amount: Decimal
    pledge: Encumbrance | None  # None: a claim on a licence's royalties (extensions.ROYALTY_CLAIMS)
    debt: SecuredDebt | None
    registered_at: dt.datetime | None = None


def _debt_of(pledge: Encumbrance) -> SecuredDebt | None:
    for finder in SECURED_DEBTS:
        debt = finder(pledge)
        if debt is not None:
            return debt
    return None


def secured_claims(patents: Iterable[Patent], receivable: models.Model | None = None) -> list[SecuredClaim]:
    """The pledges in force on ``patents`` with a known pledgee, and the claims on the royalties of licence
    ``receivable`` (a pledged or sold receivable), in the order of their registration; one claim per debt."""
    claims, seen = [], set()
    pledges = (Encumbrance.objects.in_force().filter(patent__in=list(patents), kind=EncumbranceKind.PLEDGE,
                                                      beneficiary__isnull=False)
               .select_related("beneficiary").order_by("registered_at", "pk"))
    for pledge in pledges:
        debt = _debt_of(pledge)
        if debt is not None and debt.key in seen:
            continue
        if debt is not None:
            seen.add(debt.key)
        amount = debt.amount if debt is not None else cny(pledge.secured_amount or ZERO)
        claims.append(SecuredClaim(pledge.beneficiary, amount, pledge, debt, pledge.registered_at))
    if receivable is not None:
        claims += [SecuredClaim(claim.pledgee, claim.debt.amount, None, claim.debt, claim.registered_at)
                   for finder in ROYALTY_CLAIMS for claim in finder(receivable)]
        earliest = dt.datetime.min.replace(tzinfo=dt.UTC)
        claims.sort(key=lambda c: c.registered_at or earliest)  # stable: the register's order among equals
    return claims


def release_proceeds(*, escrow_id: int, patents: Iterable[Patent], idempotency_key: str, actor: User | None,
                     shares: list[tuple[Organisation, Decimal]] | None = None,
                     depositing: Iterable[int] = (), receivable: models.Model | None = None) -> Escrow:
    """Release a captured escrow: secured claims on ``patents`` first, then the payee (or ``shares``).

    A pledgee in ``depositing`` (organisation ids) agreed to have its part deposited (提存) until its debt
    falls due rather than repaid early; a debt already due is repaid. The royalty of licence ``receivable`` also
    pays the claims on that licence's royalties (a receivable pledge, a pool). Runs inside the caller's transaction;
    a replayed key moves and applies nothing twice.
    """
    depositing = set(depositing)
    today = timezone.localdate()
    escrow = locks.escrow(escrow_id)
    if payments.is_replay(organisation=escrow.payer, key=idempotency_key, kind="release", escrow=escrow):
        return escrow
    remaining, paid = escrow.amount, []
    for claim in secured_claims(patents, receivable):
        part = min(claim.amount, remaining)
        remaining -= part
        paid.append((claim, part))
    escrow = payments.escrow_release(
        escrow_id=escrow.pk, idempotency_key=idempotency_key, actor=actor, shares=shares,
        first_claims=[payments.Payout(c.pledgee, part, c.debt.account if c.debt else None) for c, part in paid])
    for claim, part in paid:
        debt = claim.debt
        if debt is not None and part > ZERO:
            deposit = (claim.pledgee.pk in depositing and debt.deposit is not None and debt.due_on is not None
                       and debt.due_on > today)
            (debt.deposit if deposit else debt.apply)(amount=part, actor=actor, source=escrow.reference,
                                                      key=f"{idempotency_key}:debt:{debt.key}")
        elif claim.debt is None and ZERO < claim.amount <= part:
            pledge = claim.pledge
            pledge.released_at = timezone.now()
            pledge.note = (pledge.note + f" 以 {escrow.reference} 价款清偿担保债权后注销").strip()
            pledge.save(update_fields=["released_at", "note"])
    return escrow
