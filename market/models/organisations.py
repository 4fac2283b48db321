"""Organisations (with their unified social credit code) and the users who act for them."""

from django.contrib.auth.models import AbstractUser
from django.db import models
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


class Organisation(models.Model):
    """A legal person on the platform, identified by its unified social credit code."""

    name = models.CharField(_("名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True,
                                   validators=[validate_credit_code])
    kind = models.CharField(_("类型"), max_length=20, choices=OrganisationKind.choices)
    city = models.CharField(_("所在地市"), max_length=4, choices=City.choices, default=City.HANGZHOU)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    # Public universities and institutes of Zhejiang must publicise negotiated deals (DOMAIN.md).
    is_public_institution = models.BooleanField(_("公立事业单位"), default=False)
    is_foreign = models.BooleanField(_("境外机构"), default=False)
    verified = models.BooleanField(_("已认证"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("机构")

    def __str__(self) -> str:
        return self.name

    @property
    def in_zhejiang(self) -> bool:
        return self.city in ZHEJIANG_CODES

    @property
    def is_staff_org(self) -> bool:
        return self.kind == OrganisationKind.TRADING_CENTRE

    @property
    def is_bank(self) -> bool:
        return self.kind == OrganisationKind.BANK


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
        """Trading-centre staff review listings, register deals and see everything."""
        return bool(self.organisation and self.organisation.is_staff_org)
