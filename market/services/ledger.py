"""The double-entry ledger: balanced transactions, account balances, and consistency checks."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from market.extensions import LEDGER_CHECKS
from market.models import (
    AccountKind,
    Escrow,
    EscrowState,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Organisation,
    PaymentCommand,
)
from market.money import ZERO, cny

CNIPA_FEES_CODE = "fees:cnipa"


def external_account(organisation: Organisation) -> LedgerAccount:
    """The organisation's money outside the platform (its bank account at the provider)."""
    account, _ = LedgerAccount.objects.get_or_create(
        code=f"org:{organisation.pk}:external", defaults={"kind": AccountKind.EXTERNAL, "organisation": organisation})
    return account


def escrow_account(escrow: Escrow, kind: str) -> LedgerAccount:
    """The escrow's ``held`` or ``captured`` account."""
    account, _ = LedgerAccount.objects.get_or_create(
        code=f"escrow:{escrow.pk}:{kind}", defaults={"kind": kind, "escrow": escrow})
    return account


def fees_account() -> LedgerAccount:
    account, _ = LedgerAccount.objects.get_or_create(code=CNIPA_FEES_CODE, defaults={"kind": AccountKind.FEES})
    return account


def post(*, command: PaymentCommand, memo: str, legs: list[tuple[LedgerAccount, Decimal]],
         escrow: Escrow | None = None) -> LedgerTransaction:
    """Write one balanced transaction; refuses legs that do not sum to zero."""
    amounts = [cny(amount) for _, amount in legs]
    if sum(amounts, ZERO) != ZERO or not legs:
        raise ValueError(f"unbalanced ledger transaction {memo}: {amounts}")
    txn = LedgerTransaction.objects.create(command=command, escrow=escrow, memo=memo)
    LedgerEntry.objects.bulk_create(
        LedgerEntry(transaction=txn, account=account, amount=amount) for (account, _), amount in zip(legs, amounts,
                                                                                                     strict=True))
    return txn


def balance(account: LedgerAccount) -> Decimal:
    return account.balance()


def escrow_balances(escrow: Escrow) -> dict[str, Decimal]:
    """Balances of the escrow's held and captured accounts."""
    rows = LedgerEntry.objects.filter(account__escrow=escrow).values("account__kind").annotate(total=Sum("amount"))
    result = {AccountKind.ESCROW_HELD: ZERO, AccountKind.ESCROW_CAPTURED: ZERO}
    for row in rows:
        result[row["account__kind"]] = cny(row["total"])
    return result


# What each escrow state implies for its two accounts: (held, captured) as a multiple of the amount.
EXPECTED_BY_STATE = {
    EscrowState.CREATED: (0, 0),
    EscrowState.HELD: (1, 0),
    EscrowState.CAPTURED: (0, 1),
    EscrowState.RELEASED: (0, 0),
    EscrowState.REFUNDED: (0, 0),
}


def ledger_problems() -> list[str]:
    """Every inconsistency of the ledger, one line each (empty when the books balance)."""
    problems = []
    total = cny(LedgerEntry.objects.aggregate(total=Sum("amount"))["total"])
    if total != ZERO:
        problems.append(f"ledger does not sum to zero: {total}")
    unbalanced = (LedgerEntry.objects.values("transaction").annotate(total=Sum("amount"))
                  .exclude(total=0).values_list("transaction", "total"))
    for txn_id, txn_total in unbalanced:
        if cny(txn_total) != ZERO:
            problems.append(f"transaction {txn_id} does not balance: {cny(txn_total)}")
    for escrow in Escrow.objects.all():
        held_factor, captured_factor = EXPECTED_BY_STATE[escrow.state]
        balances = escrow_balances(escrow)
        expected = {AccountKind.ESCROW_HELD: cny(escrow.amount * held_factor),
                    AccountKind.ESCROW_CAPTURED: cny(escrow.amount * captured_factor)}
        for kind, value in expected.items():
            if balances[kind] != value:
                problems.append(f"escrow {escrow.reference} ({escrow.state}): {kind} is {balances[kind]}, "
                                f"expected {value}")
    for check in LEDGER_CHECKS:  # each flow's own accounts (loans: receivable against schedule)
        problems += check()
    return problems
