"""Pledge financing (质押融资): one ``PledgeLoan`` from the holder's application to release or disposal.

The application *is* the loan: one django-fsm state machine runs from the bank's review through the
pledge contract, the registration with the (simulated) registry, disbursement and repayments, to
release (注销) — or default and the auction of the pledged patents. Around it: the patents of the
package, the contract versions, the registry filings (their own state machine), the repayment
schedule, repayments (each one ledger command) and the monitoring alerts.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from market.models.encumbrances import Encumbrance
from market.models.organisations import Organisation, User
from market.models.patents import Patent
from market.models.payments import PaymentCommand
from market.money import ZERO, cny

MONEY = {"max_digits": 15, "decimal_places": 2}
DEFAULT_DEBT_KIND = "流动资金借款"
DEFAULT_SECURITY_SCOPE = "主债权本金、利息、罚息、复利、违约金、损害赔偿金以及实现质权的费用"


class RepaymentPlan(models.TextChoices):
    """Bullet: interest monthly, principal at maturity. Equal principal (等额本金): the principal in equal
    monthly parts (the last takes the cents left), interest monthly on the principal still owed."""

    BULLET = "bullet", "按月付息、到期还本 Bullet"
    EQUAL_PRINCIPAL = "equal_principal", "等额本金（按月） Equal principal instalments"


class PledgeLoanState(models.TextChoices):
    SUBMITTED = "submitted", "待银行审查 Submitted"
    INFO_REQUESTED = "info_requested", "待补充材料 More information requested"
    APPROVED = "approved", "已批准 Approved"
    REJECTED = "rejected", "已拒绝 Rejected"
    WITHDRAWN = "withdrawn", "已撤回 Withdrawn"
    SIGNED = "signed", "质押合同已签署 Contract signed"
    FILED = "filed", "质押登记审查中 Registration filed"
    REGISTERED = "registered", "质押已登记 Pledge registered"
    DISBURSED = "disbursed", "已放款（还款中） Disbursed"
    REPAID = "repaid", "已结清（注销中） Repaid"
    RELEASED = "released", "质押已注销 Released"
    DEFAULTED = "defaulted", "已违约 Defaulted"
    SETTLED = "settled", "拍卖处置结案 Settled by auction"


S = PledgeLoanState
# The bank may still decide; the holder may still change or withdraw the application.
REVIEW_STATES = (S.SUBMITTED, S.INFO_REQUESTED)
# Before registration: co-owners consent and the parties confirm grounds 10 / 11.
PRE_REGISTRATION_STATES = (S.SUBMITTED, S.INFO_REQUESTED, S.APPROVED, S.SIGNED, S.FILED)
# The pledge is on the register: monitored, and its patents blocked without the bank's consent.
PLEDGED_STATES = (S.REGISTERED, S.DISBURSED, S.REPAID, S.DEFAULTED)
CLOSED_STATES = (S.REJECTED, S.WITHDRAWN, S.RELEASED, S.SETTLED)
# States in which the contract exists as signed (its document can be issued).
CONTRACT_STATES = (S.SIGNED, S.FILED, S.REGISTERED, S.DISBURSED, S.REPAID, S.RELEASED, S.DEFAULTED, S.SETTLED)


class PledgeLoan(ConcurrentTransitionMixin, models.Model):
    """A pledge-loan application of a rights holder to one bank, and the loan it becomes."""

    applicant = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="pledge_loans",
                                  verbose_name=_("出质人（借款人）"))
    bank = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="pledge_loans_as_bank",
                             verbose_name=_("质权人（贷款银行）"))
    patents = models.ManyToManyField(Patent, through="PledgeLoanPatent", related_name="pledge_loans")
    state = FSMField(_("状态"), default=S.SUBMITTED, choices=PledgeLoanState.choices, protected=True)
    # What the holder asks for.
    amount_requested = models.DecimalField(_("申请金额 (元)"), **MONEY)
    term_months = models.PositiveSmallIntegerField(_("申请期限 (月)"))
    purpose = models.CharField(_("借款用途"), max_length=500)
    repayment_plan = models.CharField(_("还款方式"), max_length=20, choices=RepaymentPlan.choices)
    # The bank's decision.
    amount = models.DecimalField(_("批准金额 (元)"), **MONEY, null=True, blank=True)
    rate_percent = models.DecimalField(_("年利率 (%)"), max_digits=6, decimal_places=3, null=True, blank=True)
    approved_term_months = models.PositiveSmallIntegerField(_("批准期限 (月)"), null=True, blank=True)
    pledge_ratio = models.DecimalField(_("质押率"), max_digits=5, decimal_places=4, null=True, blank=True)
    info_request = models.TextField(_("补充材料要求"), blank=True)
    applicant_reply = models.TextField(_("申请人答复"), blank=True)
    decision_reason = models.TextField(_("拒绝 / 撤回理由"), blank=True)
    # Registry ground 12: another case where the pledge conditions are not met, cited by staff.
    other_ground = models.TextField(_("其他不予登记情形"), blank=True)
    other_ground_cited_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Money.
    disbursed_on = models.DateField(_("放款日"), null=True, blank=True)
    disbursement_command = models.OneToOneField(PaymentCommand, null=True, blank=True, on_delete=models.PROTECT,
                                                related_name="pledge_loan_disbursed")
    written_off_principal = models.DecimalField(_("处置核销本金 (元)"), **MONEY, default=ZERO)
    auction_proceeds = models.DecimalField(_("拍卖所得 (元)"), **MONEY, null=True, blank=True)
    default_reason = models.TextField(_("违约说明"), blank=True)
    # Demo data: the seed finds its loans again by this key (empty for real applications).
    demo_key = models.CharField(max_length=40, blank=True, db_index=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    registered_at = models.DateTimeField(_("登记时间"), null=True, blank=True)
    defaulted_at = models.DateTimeField(_("违约时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("专利权质押融资")
        indexes = [models.Index(fields=["bank", "state"]), models.Index(fields=["applicant", "state"])]

    def __str__(self) -> str:
        return f"质押融资 {self.number}"

    @property
    def number(self) -> str:
        """Number shown on pages and documents: ZY + year + id."""
        return f"ZY{timezone.localtime(self.created_at):%Y}{self.pk:06d}"

    @property
    def term(self) -> int:
        """The term in months: the approved one once approved, else the one asked for."""
        return self.approved_term_months or self.term_months

    def party_of(self, organisation: Organisation | None) -> str | None:
        """'applicant', 'bank' or None."""
        if organisation is None:
            return None
        if organisation.pk == self.applicant_id:
            return "applicant"
        if organisation.pk == self.bank_id:
            return "bank"
        return None

    def contract(self) -> PledgeContract | None:
        """The current (latest) contract version (from the prefetched versions, when a list prefetched them)."""
        if "contracts" in getattr(self, "_prefetched_objects_cache", {}):
            return max(self.contracts.all(), key=lambda contract: contract.version, default=None)
        return self.contracts.order_by("-version").first()

    def pledged_patents(self) -> models.QuerySet[Patent]:
        """The patents of the package not released yet."""
        return self.patents.filter(pledgeloanpatent__released_at__isnull=True).order_by("application_number")

    def final_due_date(self):
        """The last instalment's due date: when the whole debt falls due (None before disbursement)."""
        return self.instalments.order_by("-due_date").values_list("due_date", flat=True).first()

    def outstanding_principal(self) -> Decimal:
        """Principal disbursed and not repaid nor written off."""
        if self.amount is None or self.disbursed_on is None:
            return ZERO
        repaid = sum((i.paid_principal for i in self.instalments.all()), ZERO)
        return cny(self.amount - repaid - self.written_off_principal)

    def outstanding_debt(self, on=None) -> Decimal:
        """What the bank may claim on ``on`` (today): all unpaid principal plus the unpaid interest of the
        instalments due by then (the auction's claim amount)."""
        on = on or timezone.localdate()
        total = ZERO
        for instalment in self.instalments.exclude(status__in=(InstalmentStatus.PAID, InstalmentStatus.CLOSED)):
            total += instalment.principal - instalment.paid_principal
            if instalment.due_date <= on:
                total += instalment.interest - instalment.paid_interest
        return cny(total)

    def contract_signed(self) -> bool:
        contract = self.contract()
        return bool(contract and contract.both_signed())

    # -- transitions (conditions side-effect free; the services do the rest) ---------------------
    @transition(field=state, source=S.SUBMITTED, target=S.INFO_REQUESTED)
    def request_info(self, message: str) -> None:
        self.info_request = message

    @transition(field=state, source=S.INFO_REQUESTED, target=S.SUBMITTED)
    def resubmit(self, reply: str) -> None:
        self.applicant_reply = reply

    @transition(field=state, source=S.SUBMITTED, target=S.APPROVED)
    def approve(self, *, amount, rate_percent, term_months, pledge_ratio) -> None:
        self.amount, self.rate_percent = amount, rate_percent
        self.approved_term_months, self.pledge_ratio = term_months, pledge_ratio
        self.decided_at = timezone.now()

    @transition(field=state, source=list(REVIEW_STATES), target=S.REJECTED)
    def reject(self, note: str) -> None:
        self.decision_reason = note
        self.decided_at = timezone.now()
        self.closed_at = timezone.now()

    @transition(field=state, source=[S.SUBMITTED, S.INFO_REQUESTED, S.APPROVED, S.SIGNED], target=S.WITHDRAWN)
    def withdraw(self, note: str) -> None:
        self.decision_reason = note
        self.closed_at = timezone.now()

    @transition(field=state, source=S.APPROVED, target=S.SIGNED, conditions=[contract_signed])
    def complete_signing(self) -> None:
        pass

    @transition(field=state, source=S.SIGNED, target=S.APPROVED)
    def amend_contract(self) -> None:
        """A new contract version replaces the signed one (e.g. to cure a registry refusal)."""

    @transition(field=state, source=S.SIGNED, target=S.FILED)
    def file_registration(self) -> None:
        pass

    @transition(field=state, source=S.FILED, target=S.SIGNED)
    def registration_refused(self) -> None:
        pass

    @transition(field=state, source=S.FILED, target=S.REGISTERED)
    def register(self) -> None:
        self.registered_at = timezone.now()

    @transition(field=state, source=S.REGISTERED, target=S.DISBURSED)
    def disburse(self, *, on, command: PaymentCommand) -> None:
        self.disbursed_on = on
        self.disbursement_command = command

    @transition(field=state, source=S.DISBURSED, target=S.REPAID)
    def repay_in_full(self) -> None:
        pass

    @transition(field=state, source=S.REPAID, target=S.RELEASED)
    def release(self) -> None:
        self.closed_at = timezone.now()

    @transition(field=state, source=S.DISBURSED, target=S.DEFAULTED)
    def declare_default(self, note: str) -> None:
        self.default_reason = note
        self.defaulted_at = timezone.now()

    @transition(field=state, source=S.DEFAULTED, target=S.SETTLED)
    def settle(self, *, proceeds: Decimal, written_off: Decimal) -> None:
        self.auction_proceeds = proceeds
        self.written_off_principal = written_off
        self.closed_at = timezone.now()


class PledgeLoanPatent(models.Model):
    """One patent of the package; its register entry once registered, and when it was released."""

    loan = models.ForeignKey(PledgeLoan, on_delete=models.CASCADE)
    patent = models.ForeignKey(Patent, on_delete=models.PROTECT)
    encumbrance = models.OneToOneField(Encumbrance, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="pledge_loan_patent")
    released_at = models.DateTimeField(_("注销时间"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["loan", "patent"], name="uniq_pledge_loan_patent")]


class PledgeContract(models.Model):
    """One version of the pledge contract (质押合同); a new version replaces an earlier one unsigned.

    It carries the required items of the registry's ground 7 that are not read from the parties and
    patents: the kind and amount of the secured debt, the debt term and the scope of the security.
    """

    loan = models.ForeignKey(PledgeLoan, on_delete=models.CASCADE, related_name="contracts")
    version = models.PositiveIntegerField(default=1)
    debt_kind = models.CharField(_("被担保主债权种类"), max_length=100, blank=True)
    principal = models.DecimalField(_("被担保主债权数额 (元)"), **MONEY)
    rate_percent = models.DecimalField(_("年利率 (%)"), max_digits=6, decimal_places=3)
    repayment_plan = models.CharField(_("还款方式"), max_length=20, choices=RepaymentPlan.choices)
    start_date = models.DateField(_("债务履行期起始日"))
    end_date = models.DateField(_("债务履行期届满日"))
    security_scope = models.TextField(_("质押担保范围"), blank=True)
    other_terms = models.TextField(_("其他约定"), blank=True)
    holder_signed_at = models.DateTimeField(_("出质人签署时间"), null=True, blank=True)
    holder_signed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    bank_signed_at = models.DateTimeField(_("质权人签署时间"), null=True, blank=True)
    bank_signed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["loan", "version"]
        constraints = [models.UniqueConstraint(fields=["loan", "version"], name="uniq_pledge_contract_version")]

    def both_signed(self) -> bool:
        return bool(self.holder_signed_at and self.bank_signed_at)


class ConfirmableGround(models.TextChoices):
    """Registry grounds the parties may lift by confirming, informed, that they proceed."""

    SAME_DAY_FILING = "same_day_filing", "同日申请发明与实用新型（第10项） Same-day invention and utility model (10)"
    INVALIDATION_PENDING = "invalidation_pending", "无效宣告程序已启动（第11项） Invalidation started (11)"


class PledgeConfirmation(models.Model):
    """One party's informed confirmation that it proceeds despite ground 10 or 11 on one patent."""

    loan = models.ForeignKey(PledgeLoan, on_delete=models.CASCADE, related_name="confirmations")
    patent = models.ForeignKey(Patent, on_delete=models.PROTECT, related_name="+")
    ground = models.CharField(max_length=30, choices=ConfirmableGround.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["loan", "patent", "ground", "organisation"],
                                               name="uniq_pledge_confirmation")]


class PledgeFilingKind(models.TextChoices):
    REGISTRATION = "registration", "质押登记 Registration"
    RELEASE = "release", "注销登记 Release"


class PledgeFilingState(models.TextChoices):
    FILED = "filed", "审查中 Filed"
    REGISTERED = "registered", "已登记 Registered"
    REFUSED = "refused", "不予登记 Refused"


class PledgeFiling(ConcurrentTransitionMixin, models.Model):
    """A filing with the simulated pledge registry (CNIPA): a registration or a release (注销).

    filed → registered, or refused with the grounds. The registry decides within
    ``MARKET["PLEDGE_REGISTRY_DECISION_WORKING_DAYS"]`` working days of the filing (``decision_due``).
    """

    loan = models.ForeignKey(PledgeLoan, on_delete=models.PROTECT, related_name="filings")
    kind = models.CharField(_("事项"), max_length=20, choices=PledgeFilingKind.choices)
    patents = models.ManyToManyField(Patent, related_name="pledge_filings")
    contract = models.ForeignKey(PledgeContract, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Why a release is filed: the debt repaid, or the bank agreeing to release part of the package.
    reason = models.CharField(_("事由"), max_length=200, blank=True)
    state = FSMField(_("状态"), default=PledgeFilingState.FILED, choices=PledgeFilingState.choices, protected=True)
    filed_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    filed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decision_due = models.DateField(_("审查期限"))
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    registration_number = models.CharField(_("登记号"), max_length=40, blank=True)
    # [{"ground": 4, "code": ..., "rule": ..., "message": ...}] when refused.
    refusal_grounds = models.JSONField(_("不予登记理由"), default=list, blank=True)

    class Meta:
        ordering = ["-filed_at", "-pk"]
        verbose_name = _("质押登记申请")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def number(self) -> str:
        return f"ZD{timezone.localtime(self.filed_at):%Y}{self.pk:06d}"

    @property
    def applicant(self) -> Organisation:
        """The pledgor (the parties of a filing are the loan's; documents and the verification page name them)."""
        return self.loan.applicant

    @property
    def bank(self) -> Organisation:
        return self.loan.bank

    @transition(field=state, source=PledgeFilingState.FILED, target=PledgeFilingState.REGISTERED)
    def register(self, registration_number: str) -> None:
        self.registration_number = registration_number
        self.decided_at = timezone.now()

    @transition(field=state, source=PledgeFilingState.FILED, target=PledgeFilingState.REFUSED)
    def refuse(self, grounds: list[dict]) -> None:
        self.refusal_grounds = grounds
        self.decided_at = timezone.now()


class InstalmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", "未到期 Scheduled"
    OVERDUE = "overdue", "逾期 Overdue"
    PAID = "paid", "已还清 Paid"
    CLOSED = "closed", "处置结案 Closed by disposal"


class Instalment(models.Model):
    """One period of the repayment schedule: what is due on ``due_date`` and what was paid of it."""

    loan = models.ForeignKey(PledgeLoan, on_delete=models.CASCADE, related_name="instalments")
    number = models.PositiveSmallIntegerField(_("期次"))
    due_date = models.DateField(_("应还日"))
    days = models.PositiveSmallIntegerField(_("计息天数"))
    principal = models.DecimalField(_("应还本金 (元)"), **MONEY)
    interest = models.DecimalField(_("应还利息 (元)"), **MONEY)
    paid_principal = models.DecimalField(_("已还本金 (元)"), **MONEY, default=ZERO)
    paid_interest = models.DecimalField(_("已还利息 (元)"), **MONEY, default=ZERO)
    status = models.CharField(_("状态"), max_length=10, choices=InstalmentStatus.choices,
                              default=InstalmentStatus.SCHEDULED)
    overdue_since = models.DateField(_("逾期起始日"), null=True, blank=True)
    paid_at = models.DateTimeField(_("还清时间"), null=True, blank=True)

    class Meta:
        ordering = ["loan", "number"]
        constraints = [models.UniqueConstraint(fields=["loan", "number"], name="uniq_instalment_number")]

    @property
    def amount(self) -> Decimal:
        return self.principal + self.interest

    @property
    def outstanding(self) -> Decimal:
        return cny(self.amount - self.paid_principal - self.paid_interest)


class LoanRepayment(models.Model):
    """One repayment: by the borrower, or from the proceeds of transferring or licensing the pledged patents
    (Civil Code art. 444); one payment command (idempotency key), split into interest and principal."""

    loan = models.ForeignKey(PledgeLoan, on_delete=models.PROTECT, related_name="repayments")
    command = models.OneToOneField(PaymentCommand, on_delete=models.PROTECT, related_name="pledge_repayment")
    amount = models.DecimalField(_("还款金额 (元)"), **MONEY)
    principal = models.DecimalField(_("其中本金 (元)"), **MONEY)
    interest = models.DecimalField(_("其中利息 (元)"), **MONEY)
    # The escrow whose proceeds paid it (its reference), empty for the borrower's own repayments.
    proceeds_of = models.CharField(_("价款来源"), max_length=60, blank=True)
    paid_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    paid_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["loan", "paid_at", "pk"]


class ProceedsDeposit(models.Model):
    """Proceeds of the pledged patents deposited (提存, Civil Code art. 444) on the loan's proceeds account
    until the debt falls due: then they repay what is left and the rest returns to the borrower; a loan repaid
    before then returns them at once."""

    loan = models.ForeignKey(PledgeLoan, on_delete=models.PROTECT, related_name="deposits")
    key = models.CharField(max_length=160, unique=True)
    amount = models.DecimalField(_("提存金额 (元)"), **MONEY)
    proceeds_of = models.CharField(_("价款来源"), max_length=60)
    held_until = models.DateField(_("提存至"))
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        ordering = ["loan", "held_until", "pk"]


class PledgeAlertKind(models.TextChoices):
    ANNUAL_FEE_DUE = "annual_fee_due", "年费即将到期（60日内） Annual fee due within 60 days"
    ANNUAL_FEE_OVERDUE = "annual_fee_overdue", "年费逾期未缴 Annual fee overdue"
    INVALIDATION = "invalidation", "已提出无效宣告请求 Invalidation request filed"
    LEGAL_STATUS = "legal_status", "法律状态变化 Legal status changed"
    TERM_BEFORE_DEBT = "term_before_debt", "专利权期限早于债务届满 Term ends before the debt"
    VALUE_BELOW_DEBT = "value_below_debt", "重估P10低于未偿债务 Revalued P10 below the outstanding debt"
    INSTALMENT_OVERDUE = "instalment_overdue", "还款逾期 Instalment overdue"


class AlertSeverity(models.TextChoices):
    """How soon the bank must act on an alert."""

    HIGH = "high", "高 High"
    MEDIUM = "medium", "中 Medium"
    LOW = "low", "低 Low"


ALERT_SEVERITY = {
    PledgeAlertKind.INSTALMENT_OVERDUE: AlertSeverity.HIGH, PledgeAlertKind.ANNUAL_FEE_OVERDUE: AlertSeverity.HIGH,
    PledgeAlertKind.LEGAL_STATUS: AlertSeverity.HIGH, PledgeAlertKind.VALUE_BELOW_DEBT: AlertSeverity.HIGH,
    PledgeAlertKind.INVALIDATION: AlertSeverity.MEDIUM, PledgeAlertKind.TERM_BEFORE_DEBT: AlertSeverity.MEDIUM,
    PledgeAlertKind.ANNUAL_FEE_DUE: AlertSeverity.LOW,
}


class PledgeAlert(models.Model):
    """One monitoring event of a pledged loan, raised once (``key`` names the event), cleared when it ends."""

    loan = models.ForeignKey(PledgeLoan, on_delete=models.CASCADE, related_name="alerts")
    patent = models.ForeignKey(Patent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=30, choices=PledgeAlertKind.choices)
    key = models.CharField(max_length=200, unique=True)
    message = models.TextField(_("说明"))
    raised_at = models.DateTimeField(_("发生时间"), default=timezone.now)
    cleared_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    acknowledgement_note = models.CharField(_("处理说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        indexes = [models.Index(fields=["loan", "kind", "cleared_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.loan.number}"

    @property
    def severity(self) -> str:
        return ALERT_SEVERITY[self.kind]

    def get_severity_display(self) -> str:
        return AlertSeverity(self.severity).label
