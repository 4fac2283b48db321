"""Celery tasks of pledge financing (registered through ``market.tasks``). Tasks take ids and are safe to run twice."""

from celery import shared_task

from market.services.loans import loans_mark_overdue
from market.services.pledge_monitoring import pledge_monitor_all, pledge_monitor_patent
from market.services.pledge_registry import pledge_filings_decide_due, pledge_registry_examine


@shared_task(acks_late=True)
def pledge_registry_examine_task(filing_id: int) -> str:
    """The simulated registry examines filing ``filing_id`` (a decided filing is left as it is)."""
    return pledge_registry_examine(filing_id=filing_id).state


@shared_task(acks_late=True)
def pledge_filings_decide_due_task() -> int:
    """Daily: filings still open on their due date (3 working days) are decided."""
    return pledge_filings_decide_due()


@shared_task(acks_late=True)
def loans_mark_overdue_task() -> int:
    """Daily: unpaid instalments past their due date become overdue (alerted once)."""
    return loans_mark_overdue()


@shared_task(acks_late=True)
def pledge_monitor_all_task() -> int:
    """Daily: monitor every registered pledge (annual fees, invalidation, status, term, value)."""
    return pledge_monitor_all()


@shared_task(acks_late=True)
def pledge_monitor_patent_task(patent_id: int) -> int:
    """After a pledged patent or its valuation changed: monitor the loans that pledge it."""
    return len(pledge_monitor_patent(patent_id=patent_id))
