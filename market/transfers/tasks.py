"""Celery tasks of the transfer deals (task names as the beat schedule knows them)."""

from celery import shared_task

from .services import deals_lapse_unpaid_filings


@shared_task(name="market.tasks.deals_lapse_unpaid_filings_task", acks_late=True)
def deals_lapse_unpaid_filings_task() -> int:
    """Daily: change requests whose fee is unpaid a month after filing are deemed not filed."""
    return deals_lapse_unpaid_filings()
