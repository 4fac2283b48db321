"""Celery tasks of pledge financing (task names as the beat schedule knows them). Tasks take ids and are safe to
run twice."""

from celery import shared_task

from market.pledges.services import loans, monitoring, registry


@shared_task(name="market.pledge_tasks.pledge_registry_examine_task", acks_late=True)
def pledge_registry_examine_task(filing_id: int) -> str:
    """The simulated registry examines filing ``filing_id`` (a decided filing is left as it is)."""
    return registry.pledge_registry_examine(filing_id=filing_id).state


@shared_task(name="market.pledge_tasks.pledge_filings_decide_due_task", acks_late=True)
def pledge_filings_decide_due_task() -> int:
    """Daily: filings still open on their due date (3 working days) are decided."""
    return registry.pledge_filings_decide_due()


@shared_task(name="market.pledge_tasks.loans_mark_overdue_task", acks_late=True)
def loans_mark_overdue_task() -> int:
    """Daily: unpaid instalments past their due date become overdue (alerted once)."""
    return loans.loans_mark_overdue()


@shared_task(name="market.pledge_tasks.loans_close_due_deposits_task", acks_late=True)
def loans_close_due_deposits_task() -> int:
    """Daily: proceeds deposited (提存) until their debt fell due repay it; the rest returns to the borrower."""
    return loans.loans_close_due_deposits()


@shared_task(name="market.pledge_tasks.pledge_monitor_all_task", acks_late=True)
def pledge_monitor_all_task() -> int:
    """Daily: monitor every registered pledge (annual fees, invalidation, status, term, value)."""
    return monitoring.pledge_monitor_all()


@shared_task(name="market.pledge_tasks.pledge_monitor_patent_task", acks_late=True)
def pledge_monitor_patent_task(patent_id: int) -> int:
    """After a pledged patent or its valuation changed: monitor the loans that pledge it."""
    return len(monitoring.pledge_monitor_patent(patent_id=patent_id))
