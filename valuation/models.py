"""Stored valuations and the weights versions they used."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from market.models import Organisation, Patent


class WeightsVersion(models.Model):
    """One published table of indicator weights (``valuation.weights``); never edited once used."""

    version = models.CharField(_("版本"), max_length=20, unique=True)
    weights = models.JSONField(_("权重"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["version"]
        verbose_name = _("评分权重版本")

    def __str__(self) -> str:
        return self.version


class ValuationMethod(models.TextChoices):
    INCOME = "income", "收益法 Income (relief from royalty)"
    MARKET = "market", "市场法 Market (comparable deals)"
    COST = "cost", "成本法 Cost"


class ValuationSource(models.TextChoices):
    REQUEST = "request", "用户请求 Requested"
    BATCH = "batch", "批量重估 Batch revaluation"


class Valuation(models.Model):
    """A valuation of one patent: inputs, method, weights version, results, who asked and who signed off."""

    patent = models.ForeignKey(Patent, on_delete=models.CASCADE, related_name="valuations")
    method = models.CharField(_("评估方法"), max_length=10, choices=ValuationMethod.choices)
    source = models.CharField(_("来源"), max_length=10, choices=ValuationSource.choices, default=ValuationSource.REQUEST)
    weights_version = models.ForeignKey(WeightsVersion, on_delete=models.PROTECT, related_name="valuations")
    valuation_date = models.DateField(_("评估基准日"))
    inputs = models.JSONField(_("输入参数"))
    seed = models.BigIntegerField(_("随机种子"))
    draws = models.PositiveIntegerField(_("模拟次数"))
    score = models.DecimalField(_("综合评分"), max_digits=5, decimal_places=1)
    score_breakdown = models.JSONField(_("评分明细"))
    p10 = models.DecimalField(_("P10 (元)"), max_digits=15, decimal_places=2)
    p50 = models.DecimalField(_("P50 (元)"), max_digits=15, decimal_places=2)
    p90 = models.DecimalField(_("P90 (元)"), max_digits=15, decimal_places=2)
    results = models.JSONField(_("各方法结果"))
    pledge_ratio = models.DecimalField(_("建议质押率"), max_digits=5, decimal_places=4)
    max_loan = models.DecimalField(_("建议最高贷款额 (元)"), max_digits=15, decimal_places=2)
    pledge_advice = models.JSONField(_("质押率建议说明"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    requested_by_organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT,
                                                  related_name="valuations_requested")
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    signed_off_organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT,
                                                related_name="valuations_signed")
    signed_off_at = models.DateTimeField(_("签署时间"), null=True, blank=True)
    # Batch rows: hash of the facts, weights, seed and date; a rerun of the same chunk adds nothing.
    fingerprint = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("价值评估")
        indexes = [models.Index(fields=["patent", "created_at"])]
        constraints = [
            models.UniqueConstraint(fields=["fingerprint"], condition=Q(source="batch"), name="uniq_batch_fingerprint"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.patent.patent_number}"

    @property
    def number(self) -> str:
        """Valuation number shown on reports: PG + year + id."""
        return f"PG{self.valuation_date:%Y}{self.pk:07d}"

    @property
    def signed_off(self) -> bool:
        return self.signed_off_at is not None


class ValuationRequestState(models.TextChoices):
    REQUESTED = "requested", "待评估 Requested"
    COMPLETED = "completed", "已完成 Completed"
    DECLINED = "declined", "已谢绝 Declined"


class ValuationRequest(models.Model):
    """A formal valuation ordered from a valuation agency: by a bank for a loan's collateral, or by the holder.

    The agency values the right with the module's inputs and signs the valuation off, which completes the
    request; or it declines with a reason.
    """

    patent = models.ForeignKey(Patent, on_delete=models.PROTECT, related_name="valuation_requests")
    loan = models.ForeignKey("market.PledgeLoan", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="valuation_requests")
    requester = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="valuation_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="valuation_orders")
    purpose = models.CharField(_("评估目的"), max_length=100)
    note = models.TextField(_("委托说明"), blank=True)
    state = models.CharField(_("状态"), max_length=12, choices=ValuationRequestState.choices,
                             default=ValuationRequestState.REQUESTED)
    valuation = models.ForeignKey(Valuation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decline_reason = models.TextField(_("谢绝理由"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("评估委托")
        indexes = [models.Index(fields=["agency", "state"])]

    def __str__(self) -> str:
        return f"{self.number} {self.patent.patent_number}"

    @property
    def number(self) -> str:
        """Request number shown on pages: WT + year + id."""
        return f"WT{timezone.localtime(self.created_at):%Y}{self.pk:06d}"
