"""Celery tasks of the auctions (task names as the beat schedule knows them)."""

from celery import shared_task

from .services import auctions_tick


@shared_task(name="market.tasks.auctions_tick_task", acks_late=True)
def auctions_tick_task() -> dict:
    """Every minute: open auctions whose start has come, close those past their end, forfeit unpaid buyers."""
    return auctions_tick()
