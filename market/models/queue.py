"""Tasks a write asks for, recorded in the write's transaction (market/services/queue.py publishes them)."""

from django.db import models
from django.utils import timezone


class QueuedTask(models.Model):
    """One Celery task to publish: sent after the write commits, or by the sweep while the broker was down."""

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["sent_at", "created_at"], name="queued_task_pending")]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"
