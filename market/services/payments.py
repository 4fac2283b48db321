"""Escrow operations with idempotency keys: hold, capture, release, refund, and fee payments.

Every operation takes a key. The first call with a key records a PaymentCommand and moves the
money; a replay with the same key and the same request returns the current state and moves
nothing; the same key for a different request is refused (IdempotencyConflict).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction

from market import locks
from market.models import AccountKind, Escrow, EscrowState, LedgerAccount, Organisation, PaymentCommand, User
from market.money import ZERO, cny, split
from market.providers import provider

from . import ledger
from .errors import IdempotencyConflict
from .transitions import apply_transition


def claim_command(*, organisation: Organisation, key: str, kind: str, actor: User | None,
                  escrow: Escrow | None = None, amount: Decimal | None = None) -> tuple[PaymentCommand, bool]:
    """Record the command for ``key`` or find the earlier one: returns (command, is_new).

    Runs inside the caller's transaction. A concurrent first call with the same key makes this
    one wait on the unique index and then see the committed row (a replay).
    """
    if not key or len(key) > 100:
        raise IdempotencyConflict("幂等键必须为1-100个字符 / The idempotency key must have 1-100 characters")
    amount = cny(amount) if amount is not None else None
    try:
        with transaction.atomic():
            command = PaymentCommand.objects.create(organisation=organisation, key=key, kind=kind, escrow=escrow,
                                                    amount=amount, actor=actor)
        return command, True
    except IntegrityError:
        command = PaymentCommand.objects.get(organisation=organisation, key=key)
    same_escrow = escrow is None or command.escrow_id == escrow.pk
    if command.kind != kind or not same_escrow or (amount is not None and command.amount != amount):
        raise IdempotencyConflict(
            "该幂等键已用于另一笔不同的支付请求 / This idempotency key was already used for a different payment request")
    return command, False


def is_replay(*, organisation: Organisation, key: str, kind: str, escrow: Escrow | None) -> bool:
    """True when ``key`` already recorded this very request (same kind, same escrow); a different one conflicts."""
    command = PaymentCommand.objects.filter(organisation=organisation, key=key).first()
    if command is None:
        return False
    if command.kind != kind or (escrow is not None and command.escrow_id != escrow.pk):
        raise IdempotencyConflict(
            "该幂等键已用于另一笔不同的支付请求 / This idempotency key was already used for a different payment request")
    return True


def escrow_hold(*, payer: Organisation, payee: Organisation, amount: Decimal, reference: str,
                idempotency_key: str, actor: User) -> tuple[Escrow, bool]:
    """Charge the payer and hold ``amount`` in a new escrow; returns (escrow, moved_money)."""
    amount = cny(amount)
    if amount <= ZERO:
        raise ValueError("escrow amount must be positive")
    command, is_new = claim_command(organisation=payer, key=idempotency_key, kind="hold", actor=actor, amount=amount)
    if not is_new:
        return command.escrow, False
    escrow = Escrow.objects.create(reference=reference, payer=payer, payee=payee, amount=amount)
    command.escrow = escrow
    command.save(update_fields=["escrow"])
    provider_ref = provider.charge(payer_code=payer.credit_code, amount=amount, reference=reference)
    apply_transition(escrow, "hold", actor=actor, provider_reference=provider_ref)
    ledger.post(command=command, escrow=escrow, memo=f"托管 {reference}", legs=[
        (ledger.external_account(payer), -amount),
        (ledger.escrow_account(escrow, AccountKind.ESCROW_HELD), amount),
    ])
    return escrow, True


def escrow_capture(*, escrow_id: int, idempotency_key: str, actor: User | None) -> Escrow:
    """Move held money to captured: the deal's condition is met, the payer can no longer get it back."""
    escrow = locks.escrow(escrow_id)
    command, is_new = claim_command(organisation=escrow.payer, key=idempotency_key, kind="capture", actor=actor,
                                    escrow=escrow)
    if not is_new:
        return escrow
    apply_transition(escrow, "capture", actor=actor)
    ledger.post(command=command, escrow=escrow, memo=f"划转 {escrow.reference}", legs=[
        (ledger.escrow_account(escrow, AccountKind.ESCROW_HELD), -escrow.amount),
        (ledger.escrow_account(escrow, AccountKind.ESCROW_CAPTURED), escrow.amount),
    ])
    return escrow


@dataclass(frozen=True)
class Payout:
    """Money an escrow pays out to ``organisation``; booked on ``account`` (default: its external account)."""

    organisation: Organisation
    amount: Decimal
    account: LedgerAccount | None = None


def split_by_shares(amount: Decimal, shares: list[tuple[Organisation, Decimal]]) -> list[Payout]:
    """``amount`` paid to each organisation by its weight (market/money.py ``split``)."""
    return [Payout(organisation, part)
            for (organisation, _), part in zip(shares, split(amount, [w for _, w in shares]), strict=True)]


def escrow_release(*, escrow_id: int, idempotency_key: str, actor: User | None, first_claims: list[Payout] = (),
                   shares: list[tuple[Organisation, Decimal]] | None = None) -> Escrow:
    """Pay captured money out: ``first_claims`` (e.g. a pledgee's secured debt) first, the rest to the payee,
    or split between several by ``shares`` (co-holders: organisation and weight)."""
    escrow = locks.escrow(escrow_id)
    command, is_new = claim_command(organisation=escrow.payer, key=idempotency_key, kind="release", actor=actor,
                                    escrow=escrow)
    if not is_new:
        return escrow
    apply_transition(escrow, "release", actor=actor)
    remaining = escrow.amount
    legs = [(ledger.escrow_account(escrow, AccountKind.ESCROW_CAPTURED), -escrow.amount)]
    payouts = []
    for claim in first_claims:
        paid = min(cny(claim.amount), remaining)
        if paid > ZERO:
            payouts.append(Payout(claim.organisation, paid, claim.account))
            remaining -= paid
    if remaining > ZERO:
        payouts += split_by_shares(remaining, shares or [(escrow.payee, Decimal(1))])
    for payout in payouts:
        if payout.amount > ZERO:
            provider.payout(payee_code=payout.organisation.credit_code, amount=payout.amount,
                            reference=escrow.reference)
            legs.append((payout.account or ledger.external_account(payout.organisation), payout.amount))
    ledger.post(command=command, escrow=escrow, memo=f"放款 {escrow.reference}", legs=legs)
    return escrow


def escrow_refund(*, escrow_id: int, idempotency_key: str, actor: User | None) -> Escrow:
    """Return held money to the payer."""
    escrow = locks.escrow(escrow_id)
    command, is_new = claim_command(organisation=escrow.payer, key=idempotency_key, kind="refund", actor=actor,
                                    escrow=escrow)
    if not is_new:
        return escrow
    was_held = escrow.state == EscrowState.HELD
    apply_transition(escrow, "refund", actor=actor)
    if was_held:
        provider.payout(payee_code=escrow.payer.credit_code, amount=escrow.amount, reference=escrow.reference)
        ledger.post(command=command, escrow=escrow, memo=f"退款 {escrow.reference}", legs=[
            (ledger.escrow_account(escrow, AccountKind.ESCROW_HELD), -escrow.amount),
            (ledger.external_account(escrow.payer), escrow.amount),
        ])
    return escrow


def fee_pay(*, payer: Organisation, amount: Decimal, reference: str, idempotency_key: str,
            actor: User) -> tuple[PaymentCommand, bool]:
    """Pay an official fee (collected for CNIPA); returns (command, moved_money)."""
    amount = cny(amount)
    command, is_new = claim_command(organisation=payer, key=idempotency_key, kind=f"fee:{reference}", actor=actor,
                                    amount=amount)
    if is_new:
        provider.charge(payer_code=payer.credit_code, amount=amount, reference=reference)
        ledger.post(command=command, memo=f"规费 {reference}", legs=[
            (ledger.external_account(payer), -amount), (ledger.fees_account(), amount)])
    return command, is_new
