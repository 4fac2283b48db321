"""Celery tasks of the market app. Tasks take ids and are safe to run twice."""

from celery import shared_task

from market.services.documents import document_render
from market.services.listings import listings_expire_due


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
def licences_expire_due_task() -> int:
    """Daily: licences (and licence contracts) past their end date expire and leave the register."""
    from market.services.royalties import licences_expire_due

    return licences_expire_due()


@shared_task(acks_late=True)
def royalties_remind_late_task() -> int:
    """Daily: remind licensees of late royalty reports and payments, once per period."""
    from market.services.royalties import royalties_remind_late

    return royalties_remind_late()


@shared_task(acks_late=True)
def licence_contracts_warn_filing_task() -> int:
    """Daily: warn licensors 30 and 7 days before the 备案 deadline, flag it overdue after; each once."""
    from market.services.licence_contracts import licence_contracts_warn_filing

    return licence_contracts_warn_filing()


# Pledge financing: its tasks live in market/pledge_tasks.py; importing them here registers them with Celery.
from market import pledge_tasks  # noqa: E402, F401
