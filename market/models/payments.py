"""Escrow (created → held → captured → released, or refunded), idempotent commands, the ledger."""

from decimal import Decimal

from django.db import models
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from market.money import cny

from .organisations import Organisation, User


class EscrowState(models.TextChoices):
    CREATED = "created", "已创建 Created"
    HELD = "held", "已托管 Held"
    CAPTURED = "captured", "已划转 Captured"
    RELEASED = "released", "已放款 Released"
    REFUNDED = "refunded", "已退款 Refunded"


class Escrow(ConcurrentTransitionMixin, models.Model):
    """Money the payer put in the platform's hands until the deal's condition is met."""

    reference = models.CharField(_("业务编号"), max_length=60, unique=True)
    payer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="escrows_paid")
    payee = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="escrows_received")
    amount = models.DecimalField(_("金额 (元)"), max_digits=15, decimal_places=2)
    state = FSMField(default=EscrowState.CREATED, choices=EscrowState.choices, protected=True)
    provider_reference = models.CharField(_("支付渠道流水号"), max_length=80, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    held_at = models.DateTimeField(null=True, blank=True)
    captured_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("资金托管")

    def __str__(self) -> str:
        return f"{self.reference} {self.amount}"

    @transition(field=state, source=EscrowState.CREATED, target=EscrowState.HELD)
    def hold(self, provider_reference: str) -> None:
        self.provider_reference = provider_reference
        self.held_at = timezone.now()

    @transition(field=state, source=EscrowState.HELD, target=EscrowState.CAPTURED)
    def capture(self) -> None:
        self.captured_at = timezone.now()

    @transition(field=state, source=EscrowState.CAPTURED, target=EscrowState.RELEASED)
    def release(self) -> None:
        self.released_at = timezone.now()

    @transition(field=state, source=[EscrowState.CREATED, EscrowState.HELD], target=EscrowState.REFUNDED)
    def refund(self) -> None:
        self.refunded_at = timezone.now()


class PaymentCommand(models.Model):
    """One payment request, remembered by its idempotency key so that a replay moves no money."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=100)
    kind = models.CharField(max_length=30)
    escrow = models.ForeignKey(Escrow, null=True, on_delete=models.PROTECT, related_name="commands")
    amount = models.DecimalField(max_digits=15, decimal_places=2, null=True)
    actor = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "key"], name="uniq_payment_idempotency_key")]


class AccountKind(models.TextChoices):
    # Money outside the platform on the organisation's side (its bank account at the provider).
    EXTERNAL = "external", "外部账户 External"
    ESCROW_HELD = "escrow_held", "托管中 Escrow held"
    ESCROW_CAPTURED = "escrow_captured", "待放款 Escrow captured"
    FEES = "fees", "规费 Fees"
    # Pledge loans: the bank's claim on the borrower (principal outstanding) and its mirror on the borrower's side.
    LOAN_RECEIVABLE = "loan_receivable", "贷款本金（银行债权） Loan receivable"
    LOAN_PAYABLE = "loan_payable", "贷款本金（借款人债务） Loan payable"
    # Money paid to the pledgee from proceeds (a transfer price, a royalty) until the loan applies it.
    LOAN_PROCEEDS = "loan_proceeds", "质押物价款（待抵偿） Loan proceeds"
    # A securitisation pool's cash: investors' subscriptions, the royalties it collects, until it pays them out.
    POOL_CASH = "pool_cash", "证券化专项计划账户 Pool cash"


class LedgerAccount(models.Model):
    """A ledger account; its balance is the sum of its entries, never stored."""

    code = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=20, choices=AccountKind.choices)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    escrow = models.ForeignKey(Escrow, null=True, blank=True, on_delete=models.PROTECT, related_name="accounts")

    def __str__(self) -> str:
        return self.code

    def balance(self) -> Decimal:
        return cny(self.entries.aggregate(total=Sum("amount"))["total"])


class LedgerTransaction(models.Model):
    """A balanced set of entries written by one payment command."""

    command = models.ForeignKey(PaymentCommand, on_delete=models.PROTECT, related_name="transactions")
    escrow = models.ForeignKey(Escrow, null=True, on_delete=models.PROTECT, related_name="transactions")
    memo = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)


class LedgerEntry(models.Model):
    """One leg: a signed amount on one account (the legs of a transaction sum to zero)."""

    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="entries")
    amount = models.DecimalField(max_digits=15, decimal_places=2)

    class Meta:
        indexes = [models.Index(fields=["account"])]
