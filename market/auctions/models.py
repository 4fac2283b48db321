"""Online auction of defaulted pledged patents (质押专利网络拍卖; Civil Code arts. 436, 444).

scheduled → open → closed → awaiting payment → settled; closed → failed (no valid bid, or no
bidder left to offer the lot); awaiting payment → closed again when the winner does not pay
(the deposit is forfeited; staff may offer the lot to the next bidder); scheduled / open →
cancelled. A failed auction is relisted as a new auction with a lower reserve.
"""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from market.models.organisations import Organisation, User
from market.models.patents import Patent
from market.models.payments import Escrow

MONEY = {"max_digits": 15, "decimal_places": 2}


class AuctionState(models.TextChoices):
    SCHEDULED = "scheduled", "待开拍 Scheduled"
    OPEN = "open", "竞价中 Open"
    CLOSED = "closed", "竞价结束 Closed"
    AWAITING_PAYMENT = "awaiting_payment", "待买受人付款 Awaiting payment"
    SETTLED = "settled", "已成交结算 Settled"
    FAILED = "failed", "流拍 Failed"
    CANCELLED = "cancelled", "已撤拍 Cancelled"


# States in which the lot is tied up: no second auction of the same patents may start.
ACTIVE_STATES = (AuctionState.SCHEDULED, AuctionState.OPEN, AuctionState.CLOSED, AuctionState.AWAITING_PAYMENT)


class Auction(ConcurrentTransitionMixin, models.Model):
    """One auction of a package of pledged patents, run by the trading centre for the pledgee."""

    title = models.CharField(_("拍卖标的"), max_length=300)
    patents = models.ManyToManyField(Patent, related_name="auctions")
    # What is being enforced (normally the defaulted pledge loan); any model, or none for an off-platform debt.
    source_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    creditor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="auctions_as_creditor",
                                 verbose_name=_("质权人（债权人）"))
    debtor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="auctions_as_debtor",
                               verbose_name=_("出质人（专利权人）"))
    claim_amount = models.DecimalField(_("担保债权数额 (元)"), **MONEY)
    reserve_price = models.DecimalField(_("保留价 (元)"), **MONEY)
    reserve_basis = models.CharField(_("保留价依据"), max_length=500, blank=True)
    increment = models.DecimalField(_("加价幅度 (元)"), **MONEY)
    deposit = models.DecimalField(_("竞买保证金 (元)"), **MONEY)
    starts_at = models.DateTimeField(_("开拍时间"))
    scheduled_ends_at = models.DateTimeField(_("原定结束时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    extension_count = models.PositiveIntegerField(_("延时次数"), default=0)
    state = FSMField(_("状态"), default=AuctionState.SCHEDULED, choices=AuctionState.choices, protected=True)
    # The live price: denormalised under the auction's row lock so the public page reads one row. Every bid
    # rewrites these columns: unindexed, they let PostgreSQL update the row in place (a HOT update).
    current_price = models.DecimalField(_("当前价 (元)"), **MONEY, null=True, blank=True)
    leading_bid = models.ForeignKey("Bid", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    db_index=False)
    leading_bidder = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                       db_index=False)
    bid_count = models.PositiveIntegerField(_("出价次数"), default=0)
    deposit_count = models.PositiveIntegerField(_("竞买人数"), default=0)
    # The bid the lot is offered on now (the winner, or after a forfeit the next bidder).
    winning_bid = models.ForeignKey("Bid", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    payment_due_at = models.DateTimeField(_("付款期限"), null=True, blank=True)
    payment_escrow = models.ForeignKey(Escrow, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    proceeds_to_creditor = models.DecimalField(_("已偿付债权人 (元)"), **MONEY, default=0)
    proceeds_to_debtor = models.DecimalField(_("余款付出质人 (元)"), **MONEY, default=0)
    closed_at = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.TextField(_("流拍原因"), blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(_("撤拍原因"), blank=True)
    relisted_from = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="relisted_as")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("拍卖")
        indexes = [models.Index(fields=["state", "ends_at"]), models.Index(fields=["source_type", "source_id"])]

    def __str__(self) -> str:
        return f"拍卖 {self.number} {self.title}"

    @property
    def number(self) -> str:
        """Auction number shown on pages and documents: PM + year + id."""
        return f"PM{timezone.localtime(self.created_at):%Y}{self.pk:06d}"

    @property
    def hammer_price(self):
        """The price the lot is offered at now (the winning bid's amount)."""
        return self.winning_bid.amount if self.winning_bid_id else None

    @property
    def seller(self) -> Organisation:
        """The pledgor whose patents are sold (what document pages call the seller)."""
        return self.debtor

    @property
    def buyer(self) -> Organisation | None:
        """The bidder the lot is offered to now, if any."""
        return self.winning_bid.bidder if self.winning_bid_id else None

    def minimum_bid(self):
        """The lowest acceptable next bid: the reserve, then the current price plus the increment."""
        return self.reserve_price if self.current_price is None else self.current_price + self.increment

    def has_ended(self, now=None) -> bool:
        return (now or timezone.now()) >= self.ends_at

    # -- transitions (conditions side-effect free; services do the rest)
    @transition(field=state, source=AuctionState.SCHEDULED, target=AuctionState.OPEN)
    def start(self, at) -> None:
        self.starts_at = min(self.starts_at, at)

    @transition(field=state, source=AuctionState.OPEN, target=AuctionState.CLOSED)
    def close(self) -> None:
        self.closed_at = timezone.now()

    @transition(field=state, source=AuctionState.CLOSED, target=AuctionState.AWAITING_PAYMENT)
    def award(self, bid: "Bid", due_at) -> None:
        self.winning_bid = bid
        self.payment_due_at = due_at
        self.payment_escrow = None

    @transition(field=state, source=AuctionState.AWAITING_PAYMENT, target=AuctionState.CLOSED)
    def forfeit(self) -> None:
        """The buyer did not pay in time: the lot is free again (the deposit is forfeited by the service)."""
        self.winning_bid = None
        self.payment_due_at = None

    @transition(field=state, source=AuctionState.AWAITING_PAYMENT, target=AuctionState.SETTLED)
    def settle(self) -> None:
        self.settled_at = timezone.now()

    @transition(field=state, source=AuctionState.CLOSED, target=AuctionState.FAILED)
    def fail(self, failure_reason: str) -> None:
        self.failed_at = timezone.now()
        self.failure_reason = failure_reason

    @transition(field=state, source=[AuctionState.SCHEDULED, AuctionState.OPEN], target=AuctionState.CANCELLED)
    def cancel(self, cancel_reason: str) -> None:
        self.cancelled_at = timezone.now()
        self.cancel_reason = cancel_reason


class DepositStatus(models.TextChoices):
    HELD = "held", "已缴纳 Held"
    REFUNDED = "refunded", "已退还 Refunded"
    APPLIED = "applied", "已抵作价款 Applied to the price"
    FORFEITED = "forfeited", "不予退还 Forfeited"


class BidderDeposit(models.Model):
    """A bidder's deposit (竞买保证金), held in escrow: refunded, applied to the price, or forfeited."""

    auction = models.ForeignKey(Auction, on_delete=models.PROTECT, related_name="deposits")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="auction_deposits")
    # 竞买号: the bidder's public number in this auction (the page shows it instead of the name).
    paddle = models.PositiveIntegerField(_("竞买号"))
    escrow = models.OneToOneField(Escrow, on_delete=models.PROTECT, related_name="auction_deposit")
    status = models.CharField(_("状态"), max_length=10, choices=DepositStatus.choices, default=DepositStatus.HELD)
    paid_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["auction", "paddle"]
        constraints = [
            models.UniqueConstraint(fields=["auction", "organisation"], name="uniq_auction_deposit_bidder"),
            models.UniqueConstraint(fields=["auction", "paddle"], name="uniq_auction_deposit_paddle"),
        ]

    def __str__(self) -> str:
        return f"{self.auction.number} 竞买号 {self.paddle_label}"

    @property
    def paddle_label(self) -> str:
        return f"{self.paddle:03d}"


class Bid(models.Model):
    """An accepted bid. Bids of one auction are strictly increasing in sequence and amount."""

    # The unique (auction, …) indexes below serve lookups by auction; fewer indexes make each bid cheaper.
    auction = models.ForeignKey(Auction, on_delete=models.PROTECT, related_name="bids", db_index=False)
    deposit = models.ForeignKey(BidderDeposit, on_delete=models.PROTECT, related_name="bids")
    bidder = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="auction_bids")
    placed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", db_index=False)
    amount = models.DecimalField(_("出价 (元)"), **MONEY)
    sequence = models.PositiveIntegerField(_("序号"))
    at = models.DateTimeField(_("出价时间"))
    # Set when the lot was offered on this bid and the bidder did not pay in time.
    lapsed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["auction", "-sequence"]
        constraints = [
            # The database itself refuses two accepted bids at one amount, or a gap-filling sequence number.
            models.UniqueConstraint(fields=["auction", "amount"], name="uniq_auction_bid_amount"),
            models.UniqueConstraint(fields=["auction", "sequence"], name="uniq_auction_bid_sequence"),
        ]

    def __str__(self) -> str:
        return f"{self.auction.number} #{self.sequence} {self.amount}"
