"""The register's history and the claims that join organisations to their holdings.

A right (a patent now; a registered trademark next) is referred to by content type and id, so both
kinds share the event log and the claims.
"""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .organisations import Organisation, User


class RegisterEventKind(models.TextChoices):
    GRANT = "grant", "授权公告 Grant"
    FEE_PAID = "fee_paid", "缴纳年费 Annual fee paid"
    FEE_OVERDUE = "fee_overdue", "年费滞纳 Annual fee overdue"
    LAPSE = "lapse", "未缴年费终止 Lapse"
    INVALIDATION_REQUESTED = "invalidation_requested", "无效宣告请求 Invalidation requested"
    INVALIDATION_DECIDED = "invalidation_decided", "无效宣告决定 Invalidation decided"
    ABANDONED = "abandoned", "放弃专利权 Abandoned"
    EXPIRED = "expired", "期限届满 Term ended"
    HOLDER_CHANGE = "holder_change", "权利人变更 Holder change"
    DISPUTE = "dispute", "权属纠纷 Ownership dispute"
    DISPUTE_ENDED = "dispute_ended", "权属纠纷结束 Dispute ended"
    PRESERVATION = "preservation", "保全 Court preservation"
    PRESERVATION_ENDED = "preservation_ended", "解除保全 Preservation lifted"
    # a registered trademark's own events
    REGISTERED = "registered", "商标注册公告 Mark registered"
    RENEWAL = "renewal", "续展注册 Renewal"
    CANCELLED = "cancelled", "商标注销 Mark cancelled"
    REVOKED = "revoked", "商标撤销 Mark revoked"


class RegisterEvent(models.Model):
    """One fact the register recorded, applied once (``key`` is the feed's id of the event)."""

    key = models.CharField(_("事件编号"), max_length=100, unique=True)
    right_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    right_id = models.PositiveBigIntegerField()
    right = GenericForeignKey("right_type", "right_id")
    kind = models.CharField(_("事件"), max_length=30, choices=RegisterEventKind.choices)
    effective_date = models.DateField(_("生效日"))
    data = models.JSONField(_("内容"), default=dict, blank=True)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    applied_at = models.DateTimeField(_("记入时间"), default=timezone.now)

    class Meta:
        ordering = ["effective_date", "pk"]
        indexes = [models.Index(fields=["right_type", "right_id", "effective_date"])]
        verbose_name = _("登记事件")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.effective_date}"


class ClaimState(models.TextChoices):
    PENDING = "pending", "待审核 Pending"
    ACCEPTED = "accepted", "已确认 Accepted"
    REJECTED = "rejected", "已驳回 Rejected"


class Claim(models.Model):
    """An organisation's claim to a holding on the register: accepted at once when the register names it
    (credit code, else name), otherwise decided by trading-centre staff with a reason."""

    right_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    right_id = models.PositiveBigIntegerField()
    right = GenericForeignKey("right_type", "right_id")
    # The id of the holder row (PatentOwner for patents) the claim is for, once known.
    holding_id = models.PositiveBigIntegerField(null=True, blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="claims")
    claimed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(_("状态"), max_length=20, choices=ClaimState.choices, default=ClaimState.PENDING)
    evidence = models.CharField(_("说明"), max_length=1000, blank=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    reason = models.CharField(_("理由"), max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(
            fields=["right_type", "right_id", "organisation"], condition=models.Q(state="pending"),
            name="uniq_pending_claim")]
        verbose_name = _("权利认领")

    def __str__(self) -> str:
        return f"{self.organisation} · {self.get_state_display()}"
