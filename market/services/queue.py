"""Side effects of a write never wait on the broker.

``enqueue`` records the task in the writer's transaction (``QueuedTask``) and publishes it after commit
without retrying: a broker that is down costs the request one refused connection (at most
``CELERY_BROKER_CONNECTION_TIMEOUT``), the row stays pending, and the beat sweep
(``queued_tasks_publish``, every minute) publishes it once the broker is back. Without a broker (the
embedded default) Celery runs the task in process at once, as before. Tasks are idempotent: one published
twice (a crash between publishing and marking it sent) does its work once.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import current_app
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from market.models import QueuedTask

logger = logging.getLogger(__name__)
SWEEP_AFTER = dt.timedelta(seconds=30)
SWEEP_BATCH = 1000
KEEP_SENT = dt.timedelta(days=1)


def enqueue(task, *args) -> QueuedTask:
    """Ask for Celery task ``task`` (a task or its registered name) with JSON ``args`` once this transaction
    commits."""
    row = QueuedTask.objects.create(task=getattr(task, "name", task), args=list(args))
    transaction.on_commit(lambda: publish([row.pk]), robust=True)
    return row


def _send(row: QueuedTask) -> None:
    """Publish one task: in process without a broker; else once, on a connection that does not retry (the
    broker's transport would retry for seconds) and without waiting for a result store."""
    task = current_app.tasks[row.task]
    if current_app.conf.task_always_eager:
        task.apply_async(args=row.args)
        return
    with current_app.connection_for_write(transport_options={"max_retries": 0}) as connection:
        task.apply_async(args=row.args, retry=False, ignore_result=True, connection=connection)


def publish(ids: list[int]) -> int:
    """Publish the pending rows ``ids`` in order; stop at the first the broker refuses. Returns how many went."""
    sent = 0
    for row in QueuedTask.objects.filter(pk__in=ids, sent_at__isnull=True).order_by("created_at", "pk"):
        try:
            _send(row)
        except Exception as exc:  # the broker is down, or an eager task failed: the sweep tries again
            logger.warning("task %s not published: %s", row, exc)
            QueuedTask.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1, last_error=str(exc)[:300])
            if not current_app.conf.task_always_eager:
                break
            continue
        QueuedTask.objects.filter(pk=row.pk).update(sent_at=timezone.now(), attempts=F("attempts") + 1)
        sent += 1
    return sent


def queued_tasks_publish(*, now: dt.datetime | None = None) -> int:
    """The sweep: publish what is still pending a while after its write (the broker was down then), and forget
    the rows sent more than a day ago."""
    now = now or timezone.now()
    QueuedTask.objects.filter(sent_at__lt=now - KEEP_SENT).delete()
    pending = QueuedTask.objects.filter(sent_at__isnull=True, created_at__lte=now - SWEEP_AFTER)
    return publish(list(pending.order_by("created_at", "pk").values_list("pk", flat=True)[:SWEEP_BATCH]))
