"""The encumbrance register: what weighs on each patent now, read by every rule."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .organisations import Organisation, User
from .patents import Patent


class EncumbranceKind(models.TextChoices):
    EXCLUSIVE_LICENCE = "exclusive_licence", "独占许可 Exclusive licence"
    SOLE_LICENCE = "sole_licence", "排他许可 Sole licence"
    ORDINARY_LICENCE = "ordinary_licence", "普通许可 Ordinary licence"
    OPEN_LICENCE = "open_licence", "开放许可声明 Open-licence declaration"
    PLEDGE = "pledge", "质押 Pledge"
    OWNERSHIP_DISPUTE = "ownership_dispute", "权属纠纷中止 Ownership dispute (suspended)"
    PRESERVATION = "preservation", "财产保全 Court preservation"


LICENCE_KINDS = (EncumbranceKind.EXCLUSIVE_LICENCE, EncumbranceKind.SOLE_LICENCE, EncumbranceKind.ORDINARY_LICENCE)


class EncumbranceQuerySet(models.QuerySet):
    def in_force(self, on=None):
        """Encumbrances not released and whose term covers ``on`` (today by default).

        A pledge's ``end_date`` is the end of the secured debt's term, not of the pledge: a registered
        pledge stands until its release (注销) is registered, even after a default at maturity.
        """
        on = on or timezone.localdate()
        return self.filter(released_at__isnull=True).filter(
            Q(start_date__isnull=True) | Q(start_date__lte=on),
            Q(end_date__isnull=True) | Q(end_date__gte=on) | Q(kind="pledge"),
        )


class Encumbrance(models.Model):
    """One entry of a patent's register: a licence, declaration, pledge, dispute or preservation."""

    patent = models.ForeignKey(Patent, on_delete=models.CASCADE, related_name="encumbrances")
    kind = models.CharField(_("类型"), max_length=20, choices=EncumbranceKind.choices)
    # The licensee, the pledgee, or the claimant / court for disputes and preservation.
    beneficiary = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="encumbrances_held")
    beneficiary_name = models.CharField(_("权利人名称"), max_length=200, blank=True)
    start_date = models.DateField(_("起始日"), null=True, blank=True)
    end_date = models.DateField(_("终止日"), null=True, blank=True)
    territory = models.CharField(_("地域范围"), max_length=200, blank=True)
    # For pledges: the secured amount and the end of the debt's performance period.
    secured_amount = models.DecimalField(_("担保债权数额"), max_digits=15, decimal_places=2, null=True, blank=True)
    registration_number = models.CharField(_("登记号"), max_length=40, blank=True)
    note = models.CharField(_("备注"), max_length=500, blank=True)
    registered_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    released_at = models.DateTimeField(_("注销时间"), null=True, blank=True)

    objects = EncumbranceQuerySet.as_manager()

    class Meta:
        ordering = ["patent", "-registered_at"]
        verbose_name = _("权利负担")
        indexes = [models.Index(fields=["patent", "kind", "released_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.patent.application_number}"

    @property
    def holder_label(self) -> str:
        return self.beneficiary.name if self.beneficiary else self.beneficiary_name


class ConsentCapacity(models.TextChoices):
    CO_OWNER = "co_owner", "共有人 Co-owner"
    PLEDGEE = "pledgee", "质权人 Pledgee"


class ConsentPurpose(models.TextChoices):
    TRANSFER = "transfer", "转让 Transfer"
    LICENCE = "licence", "许可 Licence"
    PLEDGE = "pledge", "质押 Pledge"
    OPEN_LICENCE = "open_licence", "开放许可 Open licence"
    ABANDON = "abandon", "放弃专利权 Abandonment"


class Consent(models.Model):
    """A recorded written consent by a co-owner or pledgee to one deal on one patent."""

    patent = models.ForeignKey(Patent, on_delete=models.CASCADE, related_name="consents")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="consents_given")
    capacity = models.CharField(_("身份"), max_length=10, choices=ConsentCapacity.choices)
    purpose = models.CharField(_("事项"), max_length=20, choices=ConsentPurpose.choices)
    deal_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    deal_id = models.PositiveBigIntegerField()
    deal = GenericForeignKey("deal_type", "deal_id")
    given_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    given_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    # A pledgee's choice (Civil Code art. 444): the proceeds are deposited (提存) until the debt is due instead
    # of repaying it early.
    deposit_proceeds = models.BooleanField(_("价款提存"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["patent", "organisation", "capacity", "purpose", "deal_type", "deal_id"], name="uniq_consent")]
