"""Abandonment of a patent (放弃专利权): requested by the holder, executed once every consent is recorded."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from .organisations import Organisation, User
from .patents import Patent


class AbandonmentState(models.TextChoices):
    REQUESTED = "requested", "待同意 Awaiting consents"
    ABANDONED = "abandoned", "已放弃 Abandoned"
    CANCELLED = "cancelled", "已撤销 Cancelled"


class AbandonmentRequest(ConcurrentTransitionMixin, models.Model):
    """The holder's request to abandon a patent; a pledgee and every co-owner must consent first."""

    patent = models.ForeignKey(Patent, on_delete=models.PROTECT, related_name="abandonment_requests")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("放弃理由"), blank=True)
    state = FSMField(default=AbandonmentState.REQUESTED, choices=AbandonmentState.choices, protected=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def party_of(self, organisation: Organisation | None) -> str | None:
        return "holder" if organisation is not None and organisation.pk == self.organisation_id else None

    @transition(field=state, source=AbandonmentState.REQUESTED, target=AbandonmentState.ABANDONED)
    def execute(self) -> None:
        self.decided_at = timezone.now()

    @transition(field=state, source=AbandonmentState.REQUESTED, target=AbandonmentState.CANCELLED)
    def cancel(self) -> None:
        self.decided_at = timezone.now()
