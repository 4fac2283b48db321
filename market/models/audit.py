"""The transition log: who moved which object from which state to which, when and why."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from .organisations import Organisation, User


class TransitionLog(models.Model):
    """One row per state transition of any state machine (listings, deals, escrows, ...)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    transition = models.CharField(max_length=50)
    from_state = models.CharField(max_length=30)
    to_state = models.CharField(max_length=30)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.transition}: {self.from_state} → {self.to_state}"

    @classmethod
    def record(cls, obj: models.Model, *, transition: str, from_state: str, to_state: str,
               actor: User | None, reason: str = "") -> "TransitionLog":
        """Write the log row for a transition ``obj`` just made (inside the same transaction)."""
        return cls.objects.create(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, transition=transition,
            from_state=from_state, to_state=to_state, actor=actor,
            organisation=getattr(actor, "organisation", None), reason=reason or "",
        )

    @classmethod
    def for_object(cls, obj: models.Model):
        return cls.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
