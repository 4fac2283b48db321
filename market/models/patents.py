"""The register's rights — patents and, with kind ``trademark``, registered marks (their mark-specific facts in
market/models/trademarks.py) — their holders, and the dates their term and fees follow from."""

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from market.industries import Industry, industry_for_ipc
from market.validators import normalise_application_number, normalise_trademark_number

from .organisations import Organisation

# Designs filed before this date have a 10-year term, after it 15 (Patent Law, 2020 revision).
DESIGN_TERM_CHANGE = dt.date(2021, 6, 1)


class PatentKind(models.TextChoices):
    INVENTION = "invention", "发明 Invention"
    UTILITY_MODEL = "utility_model", "实用新型 Utility model"
    DESIGN = "design", "外观设计 Design"
    TRADEMARK = "trademark", "注册商标 Registered trademark"


class LegalStatus(models.TextChoices):
    PENDING = "pending", "审中 Pending"
    GRANTED = "granted", "有效 In force"
    LAPSED = "lapsed", "未缴年费终止 Lapsed (annual fee)"
    EXPIRED = "expired", "期限届满 Expired"
    INVALIDATED = "invalidated", "被宣告无效 Invalidated"
    ABANDONED = "abandoned", "放弃 Abandoned"
    CANCELLED = "cancelled", "注销 Cancelled"
    REVOKED = "revoked", "撤销 Revoked"


def term_years(kind: str, filing_date: dt.date) -> int:
    """Statutory term: invention 20, utility model 10, design 15 (10 before 2021-06-01) from the filing date;
    a registered trademark 10 from its registration and from each renewal (Trademark Law art. 39-40)."""
    if kind == PatentKind.INVENTION:
        return 20
    if kind in (PatentKind.UTILITY_MODEL, PatentKind.TRADEMARK):
        return 10
    return 15 if filing_date >= DESIGN_TERM_CHANGE else 10


def expiry_date(kind: str, filing_date: dt.date) -> dt.date:
    """Last day of the term: the day before the anniversary of filing."""
    return filing_date + relativedelta(years=term_years(kind, filing_date)) - dt.timedelta(days=1)


class Patent(models.Model):
    """A right on the register: a patent (or application) with its bibliographic data, legal status and flags,
    or (``kind`` trademark) a registered mark, whose registration number is its ``application_number`` (the
    trademark office gives one number to both), its registration date ``grant_date`` and whose mark, goods and
    term are its ``mark`` record. Every flow (listing, transfer, licence, pledge, auction) takes both kinds."""

    application_number = models.CharField(_("申请号"), max_length=16, unique=True)
    kind = models.CharField(_("专利类型"), max_length=20, choices=PatentKind.choices)
    title = models.CharField(_("名称"), max_length=500)
    abstract = models.TextField(_("摘要"), blank=True)
    first_claim = models.TextField(_("主权项"), blank=True)
    claims = models.TextField(_("权利要求书"), blank=True)
    claims_count = models.PositiveIntegerField(_("权利要求数"), default=0)
    independent_claims = models.PositiveIntegerField(_("独立权利要求数"), default=0)
    ipc_codes = models.JSONField(_("IPC分类号"), default=list, blank=True)
    industry = models.CharField(_("产业"), max_length=20, choices=Industry.choices, default=Industry.OTHER)
    applicants = models.CharField(_("申请人"), max_length=500, blank=True)
    inventors = models.CharField(_("发明人"), max_length=500, blank=True)
    filing_date = models.DateField(_("申请日"))
    publication_date = models.DateField(_("公开日"), null=True, blank=True)
    grant_date = models.DateField(_("授权公告日"), null=True, blank=True)
    priority_date = models.DateField(_("优先权日"), null=True, blank=True)
    publication_number = models.CharField(_("公开号"), max_length=20, blank=True)
    family_size = models.PositiveIntegerField(_("同族数"), default=1)
    forward_citations = models.PositiveIntegerField(_("被引次数"), default=0)
    backward_citations = models.PositiveIntegerField(_("引证次数"), default=0)

    legal_status = models.CharField(_("法律状态"), max_length=20, choices=LegalStatus.choices,
                                    default=LegalStatus.GRANTED)
    invalidation_pending = models.BooleanField(_("无效宣告请求审查中"), default=False)
    annual_fee_overdue = models.BooleanField(_("年费滞纳期内"), default=False)
    annual_fee_paid_until = models.DateField(_("年费缴至"), null=True, blank=True)
    owners = models.ManyToManyField(Organisation, through="PatentOwner", related_name="patents")
    # Set by the demo generator when a field was filled in deterministically (not a register fact).
    demo_generated_fields = models.JSONField(_("演示生成字段"), default=list, blank=True)
    source = models.CharField(_("数据来源"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The long texts (tens of kilobytes for some patents), which lists of deals and loans never show.
    LONG_TEXTS = ("abstract", "first_claim", "claims")

    class Meta:
        ordering = ["-filing_date", "application_number"]
        verbose_name = _("专利")
        # Same-day twins (一案双申, the pledge registry's ground 10) are looked up by filing date and title.
        indexes = [models.Index(fields=["filing_date", "title"], name="patent_filing_date_title")]

    def __str__(self) -> str:
        return f"{self.patent_number} {self.title}"

    def save(self, *args, **kwargs):
        normalise = normalise_trademark_number if self.is_trademark else normalise_application_number
        self.application_number = normalise(self.application_number)
        if self.ipc_codes and (not self.industry or self.industry == Industry.OTHER):
            self.industry = industry_for_ipc(self.ipc_codes)
        super().save(*args, **kwargs)

    @property
    def is_trademark(self) -> bool:
        return self.kind == PatentKind.TRADEMARK

    @property
    def patent_number(self) -> str:
        """ZL + application number once granted; an application is known by its application number; a mark
        by its registration number (第N号)."""
        if self.is_trademark:
            return f"第{self.application_number}号"
        return f"ZL{self.application_number}" if self.grant_date else self.application_number

    def status_on(self, on: dt.date | None = None) -> str:
        """The legal status the register's facts give on ``on`` (today): a granted patent past its term
        is expired whatever was last recorded; a mark only once its renewal grace period has passed unused
        (Trademark Law art. 40)."""
        if self.legal_status == LegalStatus.GRANTED and self.protected_until < (on or timezone.localdate()):
            return LegalStatus.EXPIRED
        return self.legal_status

    @property
    def protected_until(self) -> dt.date:
        """The last day the right stands without a further act: the term's end, for a mark the end of its
        renewal grace period."""
        return self.mark.grace_until if self.is_trademark else self.expiry_date

    @property
    def current_status(self) -> str:
        return self.status_on()

    def get_current_status_display(self) -> str:
        return LegalStatus(self.current_status).label

    @property
    def main_ipc(self) -> str:
        return self.ipc_codes[0] if self.ipc_codes else ""

    @property
    def term_years(self) -> int:
        return term_years(self.kind, self.filing_date)

    @property
    def expiry_date(self) -> dt.date:
        """Last day of the term: the day before the anniversary of filing; a mark's current term's end."""
        if self.is_trademark:
            return self.mark.valid_until
        return expiry_date(self.kind, self.filing_date)

    def remaining_years(self, on: dt.date | None = None) -> float:
        """Years of term left on ``on`` (today by default); 0 once expired."""
        on = on or timezone.localdate()
        return max(0.0, (self.expiry_date - on).days / 365.25)

    @property
    def in_force(self) -> bool:
        return self.status_on() == LegalStatus.GRANTED

    @property
    def is_co_owned(self) -> bool:
        return self.ownerships.count() > 1

    def holder_names(self) -> str:
        return "；".join(o.name for o in self.ownerships.all())


class PatentOwner(models.Model):
    """One holder on the register (its name, credit code and share, as the register's data give them);
    several rows make the patent co-owned (共有). ``organisation`` is the platform organisation that
    claimed this holding (market/register/claims.py): empty until then, so a holder acts, and a co-owner
    consents, only once it has joined."""

    patent = models.ForeignKey(Patent, on_delete=models.CASCADE, related_name="ownerships")
    name = models.CharField(_("登记权利人"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    # Percent of the right; empty: equal shares.
    share = models.DecimalField(_("份额（%）"), max_digits=5, decimal_places=2, null=True, blank=True)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="ownerships")
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    # A co-ownership agreement may let one owner act alone (Patent Law art. 14).
    agreement_allows_sole_action = models.BooleanField(_("共有协议允许单独处分"), default=False)
    since = models.DateField(_("登记日"), default=timezone.localdate)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["patent", "organisation"], name="uniq_patent_owner"),
                       models.UniqueConstraint(fields=["patent", "name"], name="uniq_patent_holder_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def joined(self) -> bool:
        return self.organisation_id is not None
