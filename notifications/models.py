"""In-app notifications, one row per recipient user and event; e-mailed once after commit."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Notification(models.Model):
    """What happened, for one user; ``key`` names the event so that it is notified once, never twice."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=50)
    key = models.CharField(max_length=200, help_text="event identity, e.g. 'pledge-alert:12:annual-fee:2027-03-01'")
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="uniq_notification_per_event")]

    def __str__(self) -> str:
        return self.title
