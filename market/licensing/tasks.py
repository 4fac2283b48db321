"""Celery tasks of licensing (task names as the beat schedule knows them)."""

from celery import shared_task

from .services.licence_contracts import licence_contracts_warn_filing, licences_expire_due
from .services.royalties import royalties_remind_late


@shared_task(name="market.tasks.licences_expire_due_task", acks_late=True)
def licences_expire_due_task() -> int:
    """Daily: licences (and licence contracts) past their end date expire and leave the register."""
    return licences_expire_due()


@shared_task(name="market.tasks.royalties_remind_late_task", acks_late=True)
def royalties_remind_late_task() -> int:
    """Daily: remind licensees of late royalty reports and payments, once per period."""
    return royalties_remind_late()


@shared_task(name="market.tasks.licence_contracts_warn_filing_task", acks_late=True)
def licence_contracts_warn_filing_task() -> int:
    """Daily: warn licensors 30 and 7 days before the 备案 deadline, flag it overdue after; each once."""
    return licence_contracts_warn_filing()
