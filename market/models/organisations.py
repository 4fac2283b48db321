"""Organisations (with their unified social credit code) and the users who act for them."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from market.regions import ZHEJIANG_CODES, City
from market.validators import validate_credit_code


class OrganisationKind(models.TextChoices):
    ENTERPRISE = "enterprise", "企业 Enterprise"
    UNIVERSITY = "university", "高校 University"
    RESEARCH_INSTITUTE = "institute", "科研院所 Research institute"
    BANK = "bank", "银行 Bank"
    TRADING_CENTRE = "trading_centre", "交易中心 Trading centre"
    VALUATION_AGENCY = "valuation_agency", "评估机构 Valuation agency"


# Anyone may register an organisation of these kinds; the others are created by trading-centre staff.
SELF_REGISTERED_KINDS = (OrganisationKind.ENTERPRISE, OrganisationKind.UNIVERSITY, OrganisationKind.RESEARCH_INSTITUTE)
# Kinds that carry powers over other organisations' deals, loans or valuations (see Organisation.acts_as).
PRIVILEGED_KINDS = (OrganisationKind.BANK, OrganisationKind.TRADING_CENTRE, OrganisationKind.VALUATION_AGENCY)


class EnterpriseSize(models.TextChoices):
    """An enterprise's size as the SME classification standard (中小企业划型标准规定) assesses it."""

    MICRO = "micro", "微型企业 Micro enterprise"
    SMALL = "small", "小型企业 Small enterprise"
    MEDIUM = "medium", "中型企业 Medium-sized enterprise"
    LARGE = "large", "大型企业 Large enterprise"


class OrganisationQuerySet(models.QuerySet):
    def acting_as(self, kind: str) -> "OrganisationQuerySet":
        """Organisations that hold the powers of ``kind`` now: of that kind and verified (see acts_as)."""
        return self.filter(kind=kind, verified=True)


class Organisation(models.Model):
    """A legal person on the platform, identified by its unified social credit code."""

    name = models.CharField(_("名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True,
                                   validators=[validate_credit_code])
    kind = models.CharField(_("类型"), max_length=20, choices=OrganisationKind.choices)
    city = models.CharField(_("所在地市"), max_length=4, choices=City.choices, default=City.HANGZHOU)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    # Public universities and institutes of Zhejiang must publicise negotiated deals (docs/rules.md, Transfer).
    is_public_institution = models.BooleanField(_("公立事业单位"), default=False)
    is_foreign = models.BooleanField(_("境外机构"), default=False)
    verified = models.BooleanField(_("已认证"), default=False)
    # Set by trading-centre staff from the enterprise's documents, never by itself: schemes that support small
    # enterprises read it (finance/risk_sharing.py). Empty: not assessed.
    enterprise_size = models.CharField(_("企业规模"), max_length=10, choices=EnterpriseSize.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("机构")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # Credit codes are unique whatever the case they were typed in: stored upper-case.
        self.credit_code = (self.credit_code or "").strip().upper()
        super().save(*args, **kwargs)

    @property
    def in_zhejiang(self) -> bool:
        return self.city in ZHEJIANG_CODES

    def acts_as(self, kind: str) -> bool:
        """Whether the organisation holds the powers of ``kind`` now.

        The one check of every privileged power: the kind alone grants nothing until trading-centre
        staff have verified the organisation (an unverified "bank" is treated as no bank at all).
        """
        return self.kind == kind and self.verified

    @property
    def is_staff_org(self) -> bool:
        """A verified trading centre: its users are trading-centre staff."""
        return self.acts_as(OrganisationKind.TRADING_CENTRE)

    @property
    def is_bank(self) -> bool:
        """A verified bank: it may receive pledge-loan applications and review collateral."""
        return self.acts_as(OrganisationKind.BANK)

    @property
    def is_valuation_agency(self) -> bool:
        """A verified valuation agency: it may sign valuations off."""
        return self.acts_as(OrganisationKind.VALUATION_AGENCY)

    @property
    def is_privileged(self) -> bool:
        """Verified and of a privileged kind (sees what banks, staff or agencies see)."""
        return self.verified and self.kind in PRIVILEGED_KINDS


class UserRole(models.TextChoices):
    ADMIN = "admin", "机构管理员 Organisation admin"
    AGENT = "agent", "经办人 Agent"


class User(AbstractUser):
    """A person acting for one organisation (the organisation's kind gives the domain role)."""

    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="users", verbose_name=_("机构"))
    role = models.CharField(_("角色"), max_length=10, choices=UserRole.choices, default=UserRole.AGENT)
    display_name = models.CharField(_("姓名"), max_length=100, blank=True)

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_centre_staff(self) -> bool:
        """Trading-centre staff review listings, register deals and see everything (a verified centre's users)."""
        return bool(self.is_active and self.organisation and self.organisation.is_staff_org)

    @property
    def is_organisation_admin(self) -> bool:
        """The organisation's administrator invites and deactivates its users."""
        return bool(self.is_active and self.organisation_id and self.role == UserRole.ADMIN)


class Invitation(models.Model):
    """An organisation administrator's invitation for one more user of the organisation.

    Only a SHA-256 of the token is stored; the token itself is shown once, to the administrator who
    sends it on. Accepting it creates the user in the inviting organisation and nowhere else.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("电子邮箱"))
    role = models.CharField(_("角色"), max_length=10, choices=UserRole.choices, default=UserRole.AGENT)
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("有效期至"))
    accepted_at = models.DateTimeField(_("接受时间"), null=True, blank=True)
    accepted_user = models.OneToOneField(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("邀请")

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()
