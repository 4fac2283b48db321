"""The transactional outbox between listing changes and the search engine.

``outbox_record`` runs inside the writer's transaction: it adds one row per changed listing and asks
for a push after commit. ``outbox_push`` takes the pending rows, brings their listings' index entries
up to date from the committed data and marks the rows processed. When the engine cannot be reached
the rows stay pending with the error and an attempt count, the writer's transaction is unaffected,
and the beat sweep (``outbox_sweep``, every minute) pushes them once the engine is back.

Order: pending rows are locked (``select_for_update``, oldest first) for the whole push, so a second
push waits for the first instead of writing an older state of the same listing after a newer one.
"""

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from market.services.queue import enqueue
from search import tasks

from .backends import get_search_backend
from .models import OutboxEntry

logger = logging.getLogger(__name__)

PUSH_BATCH_SIZE = 500
# Processed rows are kept this long (search_reindex replays the changes made while it ran).
KEEP_PROCESSED = dt.timedelta(days=1)
MAX_ERROR_CHARS = 1000


@dataclass
class PushResult:
    pushed: int = 0  # rows processed
    failed: int = 0  # rows left pending because the engine could not be reached
    error: str = ""


def outbox_record(listing_ids: Iterable[int]) -> None:
    """Record in the current transaction that these listings changed; push them after commit."""
    rows = [OutboxEntry(listing_id=pk) for pk in dict.fromkeys(listing_ids)]
    if not rows:
        return
    OutboxEntry.objects.bulk_create(rows)
    # through the task queue: a broker that is down costs the write nothing; the sweeps catch up.
    enqueue(tasks.outbox_push_task)


def outbox_push(*, batch_size: int = PUSH_BATCH_SIZE) -> PushResult:
    """Push the pending rows to the configured backend, oldest first, ``batch_size`` at a time."""
    backend = get_search_backend()
    result = PushResult()
    while True:
        with transaction.atomic():
            rows = list(OutboxEntry.objects.select_for_update().filter(processed_at__isnull=True)
                        .order_by("pk").values_list("pk", "listing_id")[:batch_size])
            if not rows:
                return result
            row_ids = [pk for pk, _ in rows]
            try:
                with transaction.atomic():
                    backend.index_listing_ids({listing_id for _, listing_id in rows})
            except Exception as exc:
                if not backend.is_transient(exc):
                    raise
                OutboxEntry.objects.filter(pk__in=row_ids).update(
                    attempts=F("attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS])
                logger.warning("search outbox: %d listings not pushed to the %s backend: %s",
                               len(rows), backend.name, exc)
                result.failed += len(rows)
                result.error = str(exc)
                return result
            OutboxEntry.objects.filter(pk__in=row_ids).update(processed_at=timezone.now())
            result.pushed += len(rows)
        if len(rows) < batch_size:
            return result


def outbox_sweep(*, now: dt.datetime | None = None) -> PushResult:
    """Push what is pending (after an engine outage, or a lost task), then forget old processed rows."""
    result = outbox_push()
    cutoff = (now or timezone.now()) - KEEP_PROCESSED
    OutboxEntry.objects.filter(processed_at__lt=cutoff).delete()
    return result


def listings_changed_since(moment: dt.datetime) -> set[int]:
    """Listings with an outbox row created at or after ``moment`` (processed or not)."""
    return set(OutboxEntry.objects.filter(created_at__gte=moment).values_list("listing_id", flat=True))


def outbox_pending() -> int:
    return OutboxEntry.objects.filter(processed_at__isnull=True).count()
