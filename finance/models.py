"""IP finance beyond one loan: risk-sharing schemes of pledge loans (风险补偿 / 政银保) — who shares a loan's
loss, in what shares and up to which yearly caps, the loans enrolled, the shares paid; pledges of licence
royalties (应收账款质押); royalty-backed securitisation pools (知识产权证券化) with their tranches and
distributions."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from market.models import EnterpriseSize, Organisation, PaymentCommand
from market.money import ZERO
from market.web.labels import pick_language

MONEY = {"max_digits": 15, "decimal_places": 2}


class ParticipantRole(models.TextChoices):
    PUBLIC_POOL = "public_pool", "风险补偿资金池 Public compensation pool"
    INSURER = "insurer", "保险机构 Insurer"
    GUARANTOR = "guarantor", "担保机构 Guarantor"


class RiskScheme(models.Model):
    """A scheme set up by trading-centre staff: its eligibility, the premium each enrolled loan pays, and its
    participants; the lending bank bears the share they leave (and what exceeds a participant's cap)."""

    name = models.CharField(_("方案名称"), max_length=200)
    max_amount = models.DecimalField(_("单笔贷款金额上限 (元)"), **MONEY)
    max_rate_percent = models.DecimalField(_("年利率上限 (%)"), max_digits=6, decimal_places=3)
    right_kinds = models.JSONField(_("可纳入的权利类型"), default=list)
    industries = models.JSONField(_("可纳入的产业（空：不限）"), default=list, blank=True)
    holder_sizes = models.JSONField(_("出质企业规模（空：不限）"), default=list, blank=True)
    premium_rate = models.DecimalField(_("保费/服务费率（占贷款金额）"), max_digits=6, decimal_places=4)
    active = models.BooleanField(_("有效"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("风险分担方案")

    def __str__(self) -> str:
        return self.name

    @property
    def holder_size_labels(self) -> list[str]:
        return [pick_language(EnterpriseSize(size).label) for size in self.holder_sizes]

    @property
    def bank_share(self):
        return 1 - sum((p.share for p in self.participants.all()), ZERO)


class SchemeParticipant(models.Model):
    scheme = models.ForeignKey(RiskScheme, on_delete=models.CASCADE, related_name="participants")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="risk_schemes")
    role = models.CharField(_("角色"), max_length=20, choices=ParticipantRole.choices)
    share = models.DecimalField(_("损失分担比例"), max_digits=5, decimal_places=4)
    yearly_cap = models.DecimalField(_("年度赔付上限 (元)"), **MONEY)

    class Meta:
        ordering = ["scheme", "pk"]
        constraints = [models.UniqueConstraint(fields=["scheme", "organisation"], name="uniq_scheme_participant")]


class SchemeEnrolment(models.Model):
    """A pledge loan enrolled in a scheme by its bank (at approval), with the premium it pays."""

    scheme = models.ForeignKey(RiskScheme, on_delete=models.PROTECT, related_name="enrolments")
    loan = models.OneToOneField("market.PledgeLoan", on_delete=models.PROTECT, related_name="risk_enrolment")
    premium = models.DecimalField(_("保费/服务费 (元)"), **MONEY)
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    enrolled_at = models.DateTimeField(auto_now_add=True)
    loss = models.DecimalField(_("损失 (元)"), **MONEY, null=True, blank=True)
    split_at = models.DateTimeField(_("分担时间"), null=True, blank=True)


class LossShare(models.Model):
    """One participant's part of an enrolled loan's loss: its share, what its yearly cap let it pay (paid
    through the ledger to the bank), and what the bank keeps; ``participant`` empty is the bank's own share."""

    enrolment = models.ForeignKey(SchemeEnrolment, on_delete=models.CASCADE, related_name="shares")
    participant = models.ForeignKey(SchemeParticipant, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="loss_shares")
    year = models.PositiveSmallIntegerField(_("年度"))
    due = models.DecimalField(_("按比例应分担 (元)"), **MONEY)
    paid = models.DecimalField(_("实际赔付 (元)"), **MONEY)
    command = models.OneToOneField(PaymentCommand, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["enrolment", "pk"]
        constraints = [models.UniqueConstraint(fields=["enrolment", "participant"], name="uniq_loss_share")]


# -- licence royalties as collateral (应收账款质押) ---------------------------------------------------
class ReceivablePledgeState(models.TextChoices):
    APPLIED = "applied", "待银行审批 Awaiting the bank"
    REGISTERED = "registered", "已登记 Registered"
    DECLINED = "declined", "银行拒绝 Declined"
    WITHDRAWN = "withdrawn", "已撤回 Withdrawn"
    DISCHARGED = "discharged", "已清偿注销 Discharged"


class ReceivablePledge(ConcurrentTransitionMixin, models.Model):
    """A licensor's pledge of the royalties of chosen licences to a bank for a loan: registered in the
    (simulated) unified registry of movable-property security, the licensees notified; their royalties are
    then paid to the bank until the secured amount (the loan with its interest to the term) is covered."""

    pledgor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="receivable_pledges")
    bank = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="receivable_pledges_taken")
    licences = models.ManyToManyField("market.Licence", related_name="receivable_pledges")
    amount = models.DecimalField(_("融资金额 (元)"), **MONEY)
    rate_percent = models.DecimalField(_("年利率 (%)"), max_digits=6, decimal_places=3)
    end_date = models.DateField(_("质押期限至"))
    secured_amount = models.DecimalField(_("被担保债权数额 (元)"), **MONEY, null=True, blank=True)
    state = FSMField(_("状态"), default=ReceivablePledgeState.APPLIED, choices=ReceivablePledgeState.choices,
                     protected=True)
    registration_number = models.CharField(_("登记编号"), max_length=40, blank=True)
    registered_at = models.DateTimeField(_("登记时间"), null=True, blank=True)
    notice = models.TextField(_("登记公示内容"), blank=True)
    decision_reason = models.TextField(blank=True)
    discharged_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("应收账款质押")

    def __str__(self) -> str:
        return f"应收账款质押 {self.number}"

    @property
    def number(self) -> str:
        return f"YS{self.created_at:%Y}{self.pk:06d}"

    @transition(field=state, source=ReceivablePledgeState.APPLIED, target=ReceivablePledgeState.REGISTERED)
    def register(self, secured_amount, registration_number: str, notice: str) -> None:
        self.secured_amount, self.registration_number, self.notice = secured_amount, registration_number, notice
        self.registered_at = timezone.now()

    @transition(field=state, source=ReceivablePledgeState.APPLIED, target=ReceivablePledgeState.DECLINED)
    def decline(self, decision_reason: str) -> None:
        self.decision_reason = decision_reason

    @transition(field=state, source=ReceivablePledgeState.APPLIED, target=ReceivablePledgeState.WITHDRAWN)
    def withdraw(self) -> None:
        pass

    @transition(field=state, source=ReceivablePledgeState.REGISTERED, target=ReceivablePledgeState.DISCHARGED)
    def discharge(self) -> None:
        self.discharged_at = timezone.now()


class ReceivableCollection(models.Model):
    """A royalty (or the pledgor's own payment) applied to a receivable pledge's secured amount."""

    pledge = models.ForeignKey(ReceivablePledge, on_delete=models.PROTECT, related_name="collections")
    key = models.CharField(max_length=120, unique=True)
    source = models.CharField(_("来源"), max_length=80)
    amount = models.DecimalField(_("金额 (元)"), **MONEY)
    collected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pledge", "pk"]


# -- royalty-backed securitisation (知识产权证券化) --------------------------------------------------
class PoolState(models.TextChoices):
    ASSEMBLING = "assembling", "组建中 Assembling"
    ISSUED = "issued", "已发行 Issued"
    CLOSED = "closed", "已到期结清 Closed"


class SecuritisationPool(ConcurrentTransitionMixin, models.Model):
    """A pool of licences' royalty receivables bought with investors' money and paid out through a waterfall
    each period (finance/waterfall.py); the trading centre services it."""

    name = models.CharField(_("专项计划名称"), max_length=200)
    servicer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="pools_serviced")
    periods = models.PositiveSmallIntegerField(_("期数"))
    period_months = models.PositiveSmallIntegerField(_("每期月数"), default=3)
    fee_per_period = models.DecimalField(_("每期管理费 (元)"), **MONEY)
    state = FSMField(_("状态"), default=PoolState.ASSEMBLING, choices=PoolState.choices, protected=True)
    simulation = models.JSONField(_("发行前模拟"), null=True, blank=True)
    fees_owed = models.DecimalField(**MONEY, default=ZERO)
    size = models.DecimalField(_("发行规模 (元)"), **MONEY, null=True, blank=True)
    issued_at = models.DateTimeField(_("发行时间"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("知识产权证券化专项计划")

    def __str__(self) -> str:
        return self.name

    @property
    def number(self) -> str:
        return f"ZQ{self.created_at:%Y}{self.pk:06d}"

    @transition(field=state, source=PoolState.ASSEMBLING, target=PoolState.ISSUED)
    def issue(self, size) -> None:
        self.size, self.issued_at = size, timezone.now()

    @transition(field=state, source=PoolState.ISSUED, target=PoolState.CLOSED)
    def close(self) -> None:
        self.closed_at = timezone.now()


class PoolReceivable(models.Model):
    """A licence whose royalties the pool bought, at its value when added and the price paid at issue."""

    pool = models.ForeignKey(SecuritisationPool, on_delete=models.CASCADE, related_name="receivables")
    licence = models.ForeignKey("market.Licence", on_delete=models.PROTECT, related_name="pool_receivables")
    expected = models.DecimalField(_("预期许可使用费 (元)"), **MONEY)
    present_value = models.DecimalField(_("现值 (元)"), **MONEY)
    price = models.DecimalField(_("购买价款 (元)"), **MONEY, null=True, blank=True)

    class Meta:
        ordering = ["pool", "pk"]
        constraints = [models.UniqueConstraint(fields=["pool", "licence"], name="uniq_pool_licence")]


class PoolTranche(models.Model):
    """A tranche of the pool: size, yearly coupon, priority (1 is paid first), its investor; its balance and
    the coupon still owed move with each distribution."""

    pool = models.ForeignKey(SecuritisationPool, on_delete=models.CASCADE, related_name="tranches")
    name = models.CharField(_("档次"), max_length=40)
    priority = models.PositiveSmallIntegerField(_("偿付顺序"))
    size = models.DecimalField(_("规模 (元)"), **MONEY)
    coupon_percent = models.DecimalField(_("年票面利率 (%)"), max_digits=6, decimal_places=3)
    investor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="pool_tranches")
    balance = models.DecimalField(_("本金余额 (元)"), **MONEY)
    coupon_owed = models.DecimalField(**MONEY, default=ZERO)
    loss = models.DecimalField(_("损失 (元)"), **MONEY, default=ZERO)

    class Meta:
        ordering = ["pool", "priority"]
        constraints = [models.UniqueConstraint(fields=["pool", "priority"], name="uniq_tranche_priority")]


class PoolCollection(models.Model):
    """A royalty collected by the pool (paid to its account instead of the licensor)."""

    pool = models.ForeignKey(SecuritisationPool, on_delete=models.PROTECT, related_name="collections")
    key = models.CharField(max_length=120, unique=True)
    source = models.CharField(_("来源"), max_length=80)
    amount = models.DecimalField(_("金额 (元)"), **MONEY)
    collected_at = models.DateTimeField(auto_now_add=True)
    period = models.ForeignKey("PoolPeriod", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="collections")


class PoolPeriod(models.Model):
    """One period's distribution: what was collected and where each yuan went (``statement``)."""

    pool = models.ForeignKey(SecuritisationPool, on_delete=models.PROTECT, related_name="distributions")
    sequence = models.PositiveSmallIntegerField(_("期次"))
    collected = models.DecimalField(_("本期回收 (元)"), **MONEY)
    fees_paid = models.DecimalField(_("管理费 (元)"), **MONEY)
    residual = models.DecimalField(_("剩余收益 (元)"), **MONEY)
    statement = models.JSONField(_("分配明细"))
    distributed_at = models.DateTimeField(auto_now_add=True)
    distributed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["pool", "sequence"]
        constraints = [models.UniqueConstraint(fields=["pool", "sequence"], name="uniq_pool_period")]

    def __str__(self) -> str:
        return f"{self.pool.name} 第{self.sequence}期"

    @property
    def number(self) -> str:
        return f"{self.pool.number}-{self.sequence:02d}"
