"""Risk-sharing schemes of pledge loans (风险补偿 / 政银保): who shares a loan's loss, in what shares and up to
which yearly caps; the loans enrolled; the shares paid when an enrolled loan's collateral was sold short."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from market.models import Organisation, PaymentCommand
from market.money import ZERO

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
