"""Licensing: open-licence declarations (开放许可), licence contracts (实施许可), granted licences, royalties.

A granted ``Licence`` is what either path ends in: an open-licence take-up (one step, no
negotiation) or a licence contract taking effect. It carries its royalty terms and its schedule
of ``RoyaltyPeriod`` rows, and it is on the encumbrance register from the day it exists.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from market.models.encumbrances import Encumbrance, EncumbranceKind
from market.models.listings import Listing
from market.models.organisations import Organisation, User
from market.models.patents import Patent
from market.models.payments import Escrow
from market.money import format_cny

MONEY = {"max_digits": 15, "decimal_places": 2}
DEFAULT_TERRITORY = "中华人民共和国境内"
DEFAULT_SCOPE = "制造、使用、许诺销售、销售、进口专利产品或使用专利方法"


class RoyaltyMethod(models.TextChoices):
    """How royalties are paid: a fixed sum per licence year; an entry fee plus a share of net sales; a fee
    per unit made or sold (with an optional entry fee)."""

    ANNUAL = "annual", "年度固定许可费 Yearly lump sum"
    PERCENTAGE = "percentage", "入门费＋销售额提成 Entry fee + percentage of sales"
    PER_UNIT = "per_unit", "按件计费 Per-unit fee"


class ReportingPeriod(models.IntegerChoices):
    """Months in one reporting period of a percentage or per-unit royalty."""

    QUARTER = 3, "每季度 Quarterly"
    HALF_YEAR = 6, "每半年 Half-yearly"
    YEAR = 12, "每年 Yearly"


class LicenceKind(models.TextChoices):
    """The register's licence kinds (the licence kinds of ``EncumbranceKind``)."""

    EXCLUSIVE = EncumbranceKind.EXCLUSIVE_LICENCE.value, EncumbranceKind.EXCLUSIVE_LICENCE.label
    SOLE = EncumbranceKind.SOLE_LICENCE.value, EncumbranceKind.SOLE_LICENCE.label
    ORDINARY = EncumbranceKind.ORDINARY_LICENCE.value, EncumbranceKind.ORDINARY_LICENCE.label


class RoyaltyTerms(models.Model):
    """Royalty terms: the method and the amounts it needs (the others stay empty)."""

    royalty_method = models.CharField(_("许可使用费支付方式"), max_length=20, choices=RoyaltyMethod.choices,
                                      blank=True)
    annual_fee = models.DecimalField(_("年许可费 (元)"), **MONEY, null=True, blank=True)
    entry_fee = models.DecimalField(_("入门费 (元)"), **MONEY, null=True, blank=True)
    # Percent of net sales: 3.50 means 3.5 %.
    royalty_rate = models.DecimalField(_("提成比例 (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    unit_fee = models.DecimalField(_("每件许可费 (元)"), **MONEY, null=True, blank=True)
    period_months = models.PositiveSmallIntegerField(_("结算周期"), choices=ReportingPeriod.choices,
                                                     default=ReportingPeriod.QUARTER)

    class Meta:
        abstract = True

    def royalty_summary(self) -> str:
        """The terms in one Chinese line, as documents and pages show them."""
        period = ReportingPeriod(self.period_months).label.split(" ")[0] if self.period_months else ""
        if self.royalty_method == RoyaltyMethod.ANNUAL:
            return f"年许可费 {format_cny(self.annual_fee)}，每许可年度开始时支付"
        if self.royalty_method == RoyaltyMethod.PERCENTAGE:
            return (f"入门费 {format_cny(self.entry_fee)}，另按净销售额的 {self.royalty_rate}% 提成（{period}结算）")
        if self.royalty_method == RoyaltyMethod.PER_UNIT:
            entry = f"入门费 {format_cny(self.entry_fee)}，" if self.entry_fee else ""
            return f"{entry}每件 {format_cny(self.unit_fee)}（{period}结算）"
        return ""


# -- open licence ----------------------------------------------------------------------------------
class OpenLicenceState(models.TextChoices):
    DRAFT = "draft", "草稿 Draft"
    SUBMITTED = "submitted", "待审核 Submitted"
    PUBLISHED = "published", "已公告 Published"
    REJECTED = "rejected", "已驳回 Rejected"
    WITHDRAWN = "withdrawn", "已撤回 Withdrawn"


class OpenLicenceDeclaration(ConcurrentTransitionMixin, RoyaltyTerms):
    """The holder's declaration that anyone may license the patent on these published terms."""

    patent = models.ForeignKey(Patent, on_delete=models.PROTECT, related_name="open_licence_declarations")
    holder = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="open_licence_declarations")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    state = FSMField(_("状态"), default=OpenLicenceState.DRAFT, choices=OpenLicenceState.choices, protected=True)
    licence_years = models.PositiveSmallIntegerField(_("许可期限 (年)"))
    territory = models.CharField(_("地域范围"), max_length=200, default=DEFAULT_TERRITORY)
    scope = models.CharField(_("实施方式"), max_length=300, default=DEFAULT_SCOPE)
    covers_whole_patent = models.BooleanField(_("许可全部权利要求"), default=True)
    scope_note = models.TextField(_("许可范围说明"), blank=True)
    evaluation_report = models.FileField(_("专利权评价报告"), upload_to="evaluation_reports/%Y/%m/", blank=True)
    evaluation_report_sha256 = models.CharField(max_length=64, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(_("公告时间"), null=True, blank=True)
    announcement_number = models.CharField(_("开放许可声明公告号"), max_length=40, blank=True)
    announcement_date = models.DateField(_("公告日"), null=True, blank=True)
    rejection_reason = models.TextField(_("驳回理由"), blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawal_announcement_number = models.CharField(_("撤回公告号"), max_length=40, blank=True)
    withdrawal_reason = models.TextField(_("撤回理由"), blank=True)
    encumbrance = models.OneToOneField(Encumbrance, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="open_licence_declaration")
    listing = models.OneToOneField(Listing, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="open_licence_declaration")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("开放许可声明")
        indexes = [models.Index(fields=["patent", "state"])]

    def __str__(self) -> str:
        return f"开放许可声明 {self.number} {self.patent.title}"

    @property
    def number(self) -> str:
        return f"KF{self.created_at:%Y}{self.pk:06d}"

    @property
    def stands(self) -> bool:
        """Published and not withdrawn: licences can be taken, the annual fee is reduced."""
        return self.state == OpenLicenceState.PUBLISHED

    @transition(field=state, source=[OpenLicenceState.DRAFT, OpenLicenceState.REJECTED],
                target=OpenLicenceState.SUBMITTED)
    def submit(self) -> None:
        self.submitted_at = timezone.now()
        self.rejection_reason = ""

    @transition(field=state, source=OpenLicenceState.SUBMITTED, target=OpenLicenceState.PUBLISHED)
    def publish(self, announcement_number: str) -> None:
        self.published_at = timezone.now()
        self.announcement_number = announcement_number
        self.announcement_date = timezone.localdate(self.published_at)

    @transition(field=state, source=OpenLicenceState.SUBMITTED, target=OpenLicenceState.REJECTED)
    def reject(self, rejection_reason: str) -> None:
        self.rejection_reason = rejection_reason

    @transition(field=state, source=[OpenLicenceState.DRAFT, OpenLicenceState.SUBMITTED, OpenLicenceState.REJECTED,
                                     OpenLicenceState.PUBLISHED], target=OpenLicenceState.WITHDRAWN)
    def withdraw(self, withdrawal_reason: str, announcement_number: str = "") -> None:
        self.withdrawn_at = timezone.now()
        self.withdrawal_reason = withdrawal_reason
        self.withdrawal_announcement_number = announcement_number


# -- licence contract ------------------------------------------------------------------------------
class LicenceTerms(RoyaltyTerms):
    """What a licence contract offer proposes (and the contract, once agreed, holds)."""

    licence_kind = models.CharField(_("许可类型"), max_length=20, choices=LicenceKind.choices, blank=True)
    territory = models.CharField(_("地域范围"), max_length=200, default=DEFAULT_TERRITORY)
    start_date = models.DateField(_("许可起始日"), null=True, blank=True)
    end_date = models.DateField(_("许可终止日"), null=True, blank=True)

    class Meta:
        abstract = True

    TERM_FIELDS = ("licence_kind", "territory", "start_date", "end_date", "royalty_method", "annual_fee",
                   "entry_fee", "royalty_rate", "unit_fee", "period_months")

    def terms(self) -> dict:
        return {name: getattr(self, name) for name in self.TERM_FIELDS}


class LicenceContractState(models.TextChoices):
    NEGOTIATING = "negotiating", "议价中 Negotiating"
    AGREED = "agreed", "已达成一致 Agreed"
    SIGNED = "signed", "合同已签署 Contract signed"
    EFFECTIVE = "effective", "已生效 In effect"
    FILED = "filed", "已提交备案 Record filed"
    RECORDED = "recorded", "已备案 Recorded"
    EXPIRED = "expired", "期满终止 Expired"
    TERMINATED = "terminated", "提前终止 Terminated"
    CANCELLED = "cancelled", "已取消 Cancelled"


CONTRACT_OPEN_STATES = (LicenceContractState.NEGOTIATING, LicenceContractState.AGREED, LicenceContractState.SIGNED)
CONTRACT_IN_EFFECT = (LicenceContractState.EFFECTIVE, LicenceContractState.FILED, LicenceContractState.RECORDED)


class LicensingParties:
    """The two sides of a licence or licence contract: ``licensor`` and ``licensee``."""

    def party_of(self, organisation: Organisation | None) -> str | None:
        """'licensor', 'licensee' or None."""
        if organisation is None:
            return None
        if organisation.pk == self.licensor_id:
            return "licensor"
        if organisation.pk == self.licensee_id:
            return "licensee"
        return None


class LicenceContract(ConcurrentTransitionMixin, LicensingParties, LicenceTerms):
    """A negotiated licence (实施许可) of one patent: offer → agreed → signed → effective → 备案 → recorded."""

    listing = models.ForeignKey(Listing, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="licence_contracts")
    patent = models.ForeignKey(Patent, on_delete=models.PROTECT, related_name="licence_contracts")
    licensor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="licence_contracts_granted")
    licensee = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="licence_contracts_taken")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    state = FSMField(_("状态"), default=LicenceContractState.NEGOTIATING, choices=LicenceContractState.choices,
                     protected=True)
    licensor_signed_at = models.DateTimeField(_("许可方签署时间"), null=True, blank=True)
    licensee_signed_at = models.DateTimeField(_("被许可方签署时间"), null=True, blank=True)
    effective_date = models.DateField(_("生效日"), null=True, blank=True)
    filing_due_date = models.DateField(_("备案期限"), null=True, blank=True)
    filed_at = models.DateTimeField(_("备案提交时间"), null=True, blank=True)
    record_number = models.CharField(_("备案号"), max_length=40, blank=True)
    recorded_at = models.DateTimeField(_("备案时间"), null=True, blank=True)
    filing_refusal_reason = models.TextField(_("不予备案理由"), blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(_("终止 / 取消原因"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("专利实施许可合同")

    def __str__(self) -> str:
        return f"实施许可合同 {self.number} {self.patent.title}"

    @property
    def number(self) -> str:
        return f"SS{self.created_at:%Y}{self.pk:06d}"

    def latest_offer(self) -> LicenceOffer | None:
        return self.offers.order_by("-created_at", "-pk").first()

    def both_signed(self) -> bool:
        return bool(self.licensor_signed_at and self.licensee_signed_at)

    @property
    def filing_overdue(self) -> bool:
        """In effect, not filed, and past the 3-month 备案 deadline."""
        return (self.state == LicenceContractState.EFFECTIVE and self.filing_due_date is not None
                and self.filing_due_date < timezone.localdate())

    @transition(field=state, source=LicenceContractState.NEGOTIATING, target=LicenceContractState.AGREED)
    def agree(self, terms: dict) -> None:
        for name, value in terms.items():
            setattr(self, name, value)

    @transition(field=state, source=LicenceContractState.AGREED, target=LicenceContractState.SIGNED,
                conditions=[both_signed])
    def complete_signing(self) -> None:
        pass

    @transition(field=state, source=LicenceContractState.SIGNED, target=LicenceContractState.EFFECTIVE)
    def take_effect(self, effective_date, filing_due_date) -> None:
        self.effective_date = effective_date
        self.filing_due_date = filing_due_date

    @transition(field=state, source=LicenceContractState.EFFECTIVE, target=LicenceContractState.FILED)
    def file_record(self) -> None:
        self.filed_at = timezone.now()
        self.filing_refusal_reason = ""

    @transition(field=state, source=LicenceContractState.FILED, target=LicenceContractState.RECORDED)
    def record(self, record_number: str) -> None:
        self.record_number = record_number
        self.recorded_at = timezone.now()

    @transition(field=state, source=LicenceContractState.FILED, target=LicenceContractState.EFFECTIVE)
    def refuse_record(self, refusal_reason: str) -> None:
        """CNIPA refuses the filing; the contract stays in effect and may be filed again once cured."""
        self.filing_refusal_reason = refusal_reason
        self.filed_at = None

    @transition(field=state, source=list(CONTRACT_IN_EFFECT), target=LicenceContractState.EXPIRED)
    def expire(self) -> None:
        self.ended_at = timezone.now()

    @transition(field=state, source=list(CONTRACT_IN_EFFECT), target=LicenceContractState.TERMINATED)
    def terminate(self, end_reason: str) -> None:
        self.ended_at = timezone.now()
        self.end_reason = end_reason

    @transition(field=state, source=list(CONTRACT_OPEN_STATES), target=LicenceContractState.CANCELLED)
    def cancel(self, end_reason: str) -> None:
        self.ended_at = timezone.now()
        self.end_reason = end_reason


class LicenceOffer(LicenceTerms):
    """An offer or counter-offer of licence terms in a contract's negotiation."""

    contract = models.ForeignKey(LicenceContract, on_delete=models.CASCADE, related_name="offers")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    made_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    message = models.TextField(_("留言"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]


# -- granted licences and royalties ---------------------------------------------------------------
class LicenceState(models.TextChoices):
    ACTIVE = "active", "有效 In force"
    EXPIRED = "expired", "期满 Expired"
    TERMINATED = "terminated", "已终止 Terminated"


class Licence(ConcurrentTransitionMixin, LicensingParties, RoyaltyTerms):
    """A licence granted to one licensee: from an open-licence take-up or a contract in effect."""

    patent = models.ForeignKey(Patent, on_delete=models.PROTECT, related_name="licences")
    licensor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="licences_granted")
    licensee = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="licences_taken")
    kind = models.CharField(_("许可类型"), max_length=20, choices=LicenceKind.choices,
                            default=LicenceKind.ORDINARY)
    territory = models.CharField(_("地域范围"), max_length=200, default=DEFAULT_TERRITORY)
    scope = models.CharField(_("实施方式"), max_length=300, default=DEFAULT_SCOPE)
    start_date = models.DateField(_("许可起始日"))
    end_date = models.DateField(_("许可终止日"))
    state = FSMField(_("状态"), default=LicenceState.ACTIVE, choices=LicenceState.choices, protected=True)
    declaration = models.ForeignKey(OpenLicenceDeclaration, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="licences")
    contract = models.OneToOneField(LicenceContract, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="licence")
    encumbrance = models.OneToOneField(Encumbrance, on_delete=models.PROTECT, related_name="licence")
    # Open licence: when the licensee confirmed the written notice (书面通知) of take-up.
    notice_confirmed_at = models.DateTimeField(_("书面通知确认时间"), null=True, blank=True)
    # The idempotency key of the take-up: a replay returns this licence.
    take_up_key = models.CharField(max_length=100, blank=True)
    record_number = models.CharField(_("备案号"), max_length=40, blank=True)
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("专利实施许可")
        constraints = [
            models.UniqueConstraint(fields=["licensee", "take_up_key"], condition=~Q(take_up_key=""),
                                    name="uniq_licence_take_up_key"),
            models.CheckConstraint(condition=Q(declaration__isnull=True) | Q(contract__isnull=True),
                                   name="licence_one_source"),
        ]

    def __str__(self) -> str:
        return f"许可 {self.number} {self.patent.title} → {self.licensee.name}"

    @property
    def number(self) -> str:
        return f"XK{self.created_at:%Y}{self.pk:06d}"

    @property
    def is_open_licence(self) -> bool:
        return self.declaration_id is not None

    @transition(field=state, source=LicenceState.ACTIVE, target=LicenceState.EXPIRED)
    def expire(self) -> None:
        self.ended_at = timezone.now()

    @transition(field=state, source=LicenceState.ACTIVE, target=LicenceState.TERMINATED)
    def terminate(self, end_reason: str) -> None:
        self.ended_at = timezone.now()
        self.end_reason = end_reason


class RoyaltyKind(models.TextChoices):
    ENTRY_FEE = "entry_fee", "入门费 Entry fee"
    ANNUAL = "annual", "年度许可费 Yearly fee"
    SALES = "sales", "销售额提成 Royalty on sales"
    UNITS = "units", "按件许可费 Per-unit royalty"


REPORTED_KINDS = (RoyaltyKind.SALES, RoyaltyKind.UNITS)


class RoyaltyPeriod(models.Model):
    """One royalty due: a fixed sum (entry fee, a licence year) or a period's report of sales or units.

    ``amount_due`` is known from the start for fixed sums and computed when the licensee reports;
    it is paid through an escrow (held, captured and released to the licensor at once).
    """

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="periods")
    sequence = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=12, choices=RoyaltyKind.choices)
    period_start = models.DateField(_("期间起"))
    period_end = models.DateField(_("期间止"))
    due_date = models.DateField(_("报告及付款期限"))
    # Net sales in CNY (SALES) or units (UNITS), as reported.
    reported_quantity = models.DecimalField(_("报告数额"), max_digits=18, decimal_places=2, null=True, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    reported_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    amount_due = models.DecimalField(_("应付金额 (元)"), **MONEY, null=True, blank=True)
    escrow = models.OneToOneField(Escrow, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="royalty_period")
    paid_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["licence", "sequence"]
        constraints = [models.UniqueConstraint(fields=["licence", "sequence"], name="uniq_royalty_period")]

    def __str__(self) -> str:
        return f"{self.licence.number} #{self.sequence} {self.get_kind_display()}"

    @property
    def needs_report(self) -> bool:
        return self.kind in REPORTED_KINDS

    @property
    def settled(self) -> bool:
        """Paid, or reported with nothing to pay, or cancelled (the licence ended first)."""
        return (self.paid_at is not None or self.cancelled_at is not None
                or (self.amount_due is not None and self.amount_due == 0))

    @property
    def payable(self) -> bool:
        return not self.settled and self.amount_due is not None and self.amount_due > 0

    @property
    def late(self) -> bool:
        return not self.settled and self.due_date < timezone.localdate()

    @property
    def status(self) -> str:
        """paid / settled / cancelled / awaiting_report / due / upcoming (a period not ended yet)."""
        if self.cancelled_at:
            return "cancelled"
        if self.paid_at:
            return "paid"
        if self.settled:
            return "settled"
        if self.needs_report and self.reported_at is None:
            return "awaiting_report" if self.period_end < timezone.localdate() else "upcoming"
        return "due"


class ReminderKind(models.TextChoices):
    FILING_DUE_30 = "filing_due_30", "备案期限前30日提醒 Filing due in 30 days"
    FILING_DUE_7 = "filing_due_7", "备案期限前7日提醒 Filing due in 7 days"
    FILING_OVERDUE = "filing_overdue", "备案逾期 Filing overdue"
    REPORT_LATE = "report_late", "许可使用费报告逾期 Royalty report late"
    PAYMENT_LATE = "payment_late", "许可使用费逾期未付 Royalty payment late"


FILING_LEVELS = (ReminderKind.FILING_DUE_30, ReminderKind.FILING_DUE_7, ReminderKind.FILING_OVERDUE)


class LicenceReminder(models.Model):
    """A reminder sent once: the unique constraints make a second run of the daily task a no-op."""

    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="licence_reminders")
    contract = models.ForeignKey(LicenceContract, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="reminders")
    period = models.ForeignKey(RoyaltyPeriod, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="reminders")
    message = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "kind"], condition=Q(contract__isnull=False),
                                    name="uniq_contract_reminder"),
            models.UniqueConstraint(fields=["period", "kind"], condition=Q(period__isnull=False),
                                    name="uniq_period_reminder"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.organisation.name}"
