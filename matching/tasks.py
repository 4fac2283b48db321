"""Celery tasks of the matching app: they take ids and are safe to run twice."""

from celery import shared_task

from .services.notifications import proposal_notify
from .services.proposals import proposals_sync_closed_deals
from .services.subscriptions import saved_searches_digest


@shared_task(acks_late=True)
def proposal_notify_task(proposal_id: int) -> int:
    """Notify both sides of a proposal (queued after commit); a second run notifies nobody."""
    return len(proposal_notify(proposal_id=proposal_id))


@shared_task(acks_late=True)
def saved_searches_digest_task() -> int:
    """Daily (beat): each saved search's new listings, each listing once; nothing when nothing is new."""
    return saved_searches_digest()


@shared_task(acks_late=True)
def proposals_sync_closed_deals_task() -> int:
    """Daily (beat): proposals whose linked transfer deal closed are marked deal closed."""
    return proposals_sync_closed_deals()
