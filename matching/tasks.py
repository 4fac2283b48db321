"""Celery tasks of the matching app: they take ids and are safe to run twice."""

from celery import shared_task

from matching.services import notifications, proposals, subscriptions


@shared_task(acks_late=True)
def proposal_notify_task(proposal_id: int) -> int:
    """Notify both sides of a proposal (queued after commit); a second run notifies nobody."""
    return len(notifications.proposal_notify(proposal_id=proposal_id))


@shared_task(acks_late=True)
def saved_searches_digest_task() -> int:
    """Daily (beat): each saved search's new listings, each listing once; nothing when nothing is new."""
    return subscriptions.saved_searches_digest()


@shared_task(acks_late=True)
def proposals_sync_closed_deals_task() -> int:
    """Daily (beat): proposals whose linked transfer deal closed are marked deal closed."""
    return proposals.proposals_sync_closed_deals()
