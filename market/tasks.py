"""Celery tasks of the market app. Tasks take ids and are safe to run twice."""

from celery import shared_task

from market.documents.issue import document_render
from market.register.feed import register_expire_due
from market.services.listings import listings_expire_due
from market.services.queue import queued_tasks_publish


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=5, retry_backoff_max=300, max_retries=5)
def document_render_task(document_id: int) -> str:
    """Render and issue document ``document_id``; an issued document is left as it is.

    Only ``OSError`` (storage, fonts, a full disk) is retried: a template or data error would
    fail the same way again, so it leaves the document failed with the error recorded.
    """
    return document_render(document_id=document_id).state


@shared_task(acks_late=True)
def listings_expire_due_task() -> int:
    """Daily: published listings past their expiry date leave the market."""
    return listings_expire_due()


@shared_task(acks_late=True)
def register_expire_due_task() -> int:
    """Daily: patents whose term has ended are recorded expired (期限届满) on the register."""
    return register_expire_due()


@shared_task
def queued_tasks_publish_task() -> int:
    """Every minute: publish the tasks writes asked for while the broker was down (market/services/queue.py)."""
    return queued_tasks_publish()
