"""The transfer deal (转让): offer → agreed → signed → paid into escrow → filed → registered → closed."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from market.models.listings import Listing
from market.models.organisations import Organisation, User
from market.models.patents import Patent
from market.models.payments import Escrow


class DealState(models.TextChoices):
    NEGOTIATING = "negotiating", "议价中 Negotiating"
    AGREED = "agreed", "已达成一致 Agreed"
    PUBLICISED = "publicised", "公示中 Publicised"
    SIGNED = "signed", "合同已签署 Contract signed"
    PAID = "paid", "价款已托管 Paid into escrow"
    FILED = "filed", "已提交变更登记 Registration filed"
    REGISTERED = "registered", "已登记 Registered"
    CLOSED = "closed", "已完成 Closed"
    CANCELLED = "cancelled", "已取消 Cancelled"


OPEN_STATES = (DealState.NEGOTIATING, DealState.AGREED, DealState.PUBLICISED, DealState.SIGNED,
               DealState.PAID, DealState.FILED, DealState.REGISTERED)
# ``demo_key`` of the generated demo history (market/demo/history.py): its prices are invented, so no valuation
# reads them as comparable deals.
HISTORY_DEMO_KEY = "history"
# States in which the buyer's money sits in escrow: cancelling refunds it.
FUNDED_STATES = (DealState.PAID, DealState.FILED)


def deal_number(pk: int, created_at) -> str:
    """Deal number shown on documents: ZT + year + id."""
    return f"ZT{created_at:%Y}{pk:06d}"


class TransferDeal(ConcurrentTransitionMixin, models.Model):
    """A transfer of the patents of one listing from the seller to the buyer."""

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="transfer_deals")
    seller = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="deals_as_seller")
    buyer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="deals_as_buyer")
    patents = models.ManyToManyField(Patent, related_name="transfer_deals")
    state = FSMField(_("状态"), default=DealState.NEGOTIATING, choices=DealState.choices, protected=True)
    price = models.DecimalField(_("成交价 (元)"), max_digits=15, decimal_places=2, null=True, blank=True)
    # Zhejiang public universities / institutes: publicity of at least 15 days before signing.
    publicity_required = models.BooleanField(_("需公示"), default=False)
    publicity_ends_at = models.DateTimeField(_("公示截止"), null=True, blank=True)
    related_party_flag = models.CharField(_("关联方提示"), max_length=300, blank=True)
    seller_signed_at = models.DateTimeField(_("转让方签署时间"), null=True, blank=True)
    buyer_signed_at = models.DateTimeField(_("受让方签署时间"), null=True, blank=True)
    # A foreign buyer needs the technology-export registration before the change is filed.
    export_registration_required = models.BooleanField(_("需技术出口登记"), default=False)
    export_registration_number = models.CharField(_("技术出口登记证书编号"), max_length=60, blank=True)
    # A sale made elsewhere that this deal records (an auction of collateral: its number), else empty.
    sale_reference = models.CharField(_("成交来源"), max_length=60, blank=True)
    escrow = models.OneToOneField(Escrow, null=True, blank=True, on_delete=models.PROTECT, related_name="transfer_deal")
    filed_at = models.DateTimeField(_("变更申请提交时间"), null=True, blank=True)
    registration_fee = models.DecimalField(_("变更登记费 (元)"), max_digits=10, decimal_places=2, null=True, blank=True)
    fee_due_date = models.DateField(_("登记费缴纳期限"), null=True, blank=True)
    fee_paid_at = models.DateTimeField(_("登记费缴纳时间"), null=True, blank=True)
    registered_at = models.DateTimeField(_("登记时间"), null=True, blank=True)
    registration_number = models.CharField(_("变更登记号"), max_length=40, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(_("取消原因"), blank=True)
    # HISTORY_DEMO_KEY: generated demo history, never a real deal
    demo_key = models.CharField(max_length=40, blank=True, db_index=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("转让交易")

    def __str__(self) -> str:
        return f"转让交易 #{self.pk} {self.listing.title}"

    @property
    def number(self) -> str:
        return deal_number(self.pk, self.created_at)

    def party_of(self, organisation: Organisation | None) -> str | None:
        """'seller', 'buyer' or None for an organisation."""
        if organisation is None:
            return None
        if organisation.pk == self.seller_id:
            return "seller"
        if organisation.pk == self.buyer_id:
            return "buyer"
        return None

    def latest_offer(self) -> "Offer | None":
        return self.offers.order_by("-created_at", "-pk").first()

    def publicity_over(self) -> bool:
        return not self.publicity_required or (
            self.publicity_ends_at is not None and timezone.now() >= self.publicity_ends_at
            and not self.objections.filter(resolved_at__isnull=True).exists()
        )

    def both_signed(self) -> bool:
        """The buyer and every transferor (the seller and each co-owner) signed."""
        return bool(self.seller_signed_at and self.buyer_signed_at) and not self.transferors.filter(
            signed_at__isnull=True).exists()

    # -- transitions (conditions side-effect free; services do the rest)
    @transition(field=state, source=DealState.NEGOTIATING, target=DealState.AGREED)
    def agree(self, price) -> None:
        self.price = price

    @transition(field=state, source=DealState.AGREED, target=DealState.PUBLICISED)
    def publicise(self, ends_at) -> None:
        self.publicity_ends_at = ends_at

    @transition(field=state, source=[DealState.AGREED, DealState.PUBLICISED], target=DealState.SIGNED,
                conditions=[publicity_over, both_signed])
    def complete_signing(self) -> None:
        pass

    @transition(field=state, source=DealState.SIGNED, target=DealState.PAID)
    def fund(self, escrow: Escrow) -> None:
        self.escrow = escrow

    @transition(field=state, source=DealState.PAID, target=DealState.FILED)
    def file_registration(self, fee, due_date) -> None:
        self.filed_at = timezone.now()
        self.registration_fee = fee
        self.fee_due_date = due_date
        self.fee_paid_at = None

    @transition(field=state, source=DealState.FILED, target=DealState.PAID)
    def lapse_filing(self) -> None:
        """The fee was not paid within a month: the request is deemed not filed."""
        self.filed_at = None

    @transition(field=state, source=DealState.FILED, target=DealState.REGISTERED)
    def register(self, registration_number: str) -> None:
        self.registered_at = timezone.now()
        self.registration_number = registration_number

    @transition(field=state, source=DealState.REGISTERED, target=DealState.CLOSED)
    def close(self) -> None:
        self.closed_at = timezone.now()

    @transition(field=state, source=list(OPEN_STATES[:-1]), target=DealState.CANCELLED)
    def cancel(self, cancel_reason: str) -> None:
        self.cancelled_at = timezone.now()
        self.cancel_reason = cancel_reason


class Offer(models.Model):
    """An offer or counter-offer in a deal's negotiation."""

    deal = models.ForeignKey(TransferDeal, on_delete=models.CASCADE, related_name="offers")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    made_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    price = models.DecimalField(_("报价 (元)"), max_digits=15, decimal_places=2)
    message = models.TextField(_("留言"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]


class Objection(models.Model):
    """An objection filed against a publicised deal; signing waits until it is resolved."""

    deal = models.ForeignKey(TransferDeal, on_delete=models.CASCADE, related_name="objections")
    filed_by_name = models.CharField(_("异议人"), max_length=200)
    filed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("异议内容"))
    filed_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(_("处理结果"), blank=True)


class Transferor(models.Model):
    """One holder that transfers its share: the seller and each co-owner of the deal's patents, with the share
    of the price it receives (agreed when the price is; default the register's shares, else equal), each a
    party that signs the contract (Patent Law art. 14)."""

    deal = models.ForeignKey(TransferDeal, on_delete=models.CASCADE, related_name="transferors")
    name = models.CharField(_("转让方"), max_length=200)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    share = models.DecimalField(_("份额 (%)"), max_digits=7, decimal_places=4)
    signed_at = models.DateTimeField(_("签署时间"), null=True, blank=True)
    signed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["deal", "pk"]
        constraints = [models.UniqueConstraint(fields=["deal", "name"], name="uniq_transferor_name")]

    def __str__(self) -> str:
        return f"{self.name} {self.share}%"
