"""Technology demands (技术需求): what a buyer wants, entered by the buyer or by staff on its behalf."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from market.industries import Industry
from market.models import ListingMode, Organisation, User

# Modes a demand may want. A pledge listing asks for financing: nothing there is offered to a buyer.
WANTED_MODES = (ListingMode.LICENCE, ListingMode.TRANSFER, ListingMode.OPEN_LICENCE)


class DemandState(models.TextChoices):
    OPEN = "open", "征集中 Open"
    MATCHED = "matched", "已匹配 Matched"
    CLOSED = "closed", "已关闭 Closed"
    WITHDRAWN = "withdrawn", "已撤回 Withdrawn"


class Demand(ConcurrentTransitionMixin, models.Model):
    """A demand for technology. ``organisation`` is whom it is for; ``created_by`` who entered it
    (one of its users, or trading-centre staff acting on its behalf).

    ``ipc_prefixes``, ``wanted_modes`` and ``regions`` are lists of canonical values (``H01M10``,
    ``transfer``, ``3301``), normalised by ``matching.validation.demand_fields``.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="demands",
                                     verbose_name=_("需求方"))
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("录入人"))
    title = models.CharField(_("需求名称"), max_length=200)
    text = models.TextField(_("需求描述"), max_length=2000)
    industry = models.CharField(_("产业"), max_length=20, choices=Industry.choices, blank=True)
    ipc_prefixes = models.JSONField(_("IPC分类号"), default=list, blank=True)
    budget_min = models.DecimalField(_("预算下限 (元)"), max_digits=15, decimal_places=2, null=True, blank=True)
    budget_max = models.DecimalField(_("预算上限 (元)"), max_digits=15, decimal_places=2, null=True, blank=True)
    wanted_modes = models.JSONField(_("期望交易方式"), default=list)
    regions = models.JSONField(_("期望地区"), default=list, blank=True)
    state = FSMField(_("状态"), default=DemandState.OPEN, choices=DemandState.choices, protected=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("技术需求")
        indexes = [models.Index(fields=["state", "created_at"])]
        constraints = [models.CheckConstraint(
            condition=Q(budget_min__isnull=True) | Q(budget_max__isnull=True) | Q(budget_min__lte=models.F("budget_max")),
            name="demand_budget_min_not_above_max")]

    def __str__(self) -> str:
        return self.title

    @property
    def number(self) -> str:
        """Number shown to users: XQ + year + id."""
        return f"XQ{self.created_at:%Y}{self.pk:06d}"

    @property
    def is_active(self) -> bool:
        return self.state in (DemandState.OPEN, DemandState.MATCHED)

    # -- transitions: they only move the state; matching.services lock, check, log and notify
    @transition(field=state, source=DemandState.OPEN, target=DemandState.MATCHED)
    def match(self) -> None:
        pass

    @transition(field=state, source=DemandState.MATCHED, target=DemandState.OPEN)
    def reopen(self) -> None:
        pass

    @transition(field=state, source=[DemandState.OPEN, DemandState.MATCHED], target=DemandState.CLOSED)
    def close(self) -> None:
        pass

    @transition(field=state, source=[DemandState.OPEN, DemandState.MATCHED], target=DemandState.WITHDRAWN)
    def withdraw(self) -> None:
        pass
