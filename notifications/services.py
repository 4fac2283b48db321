"""Notify users of an event once: in-app at once, by e-mail after commit (idempotent)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from market.models import Organisation, User
from market.services.queue import enqueue
from notifications import tasks

from .models import Notification


def notify(*, key: str, kind: str, title: str, body: str = "", url: str = "",
           users: Iterable[User] = (), organisations: Iterable[Organisation] = ()) -> list[Notification]:
    """Record the event ``key`` for each user (and every active user of each organisation) who has not had it.

    Returns the notifications created now; an event already notified to a user is skipped, so
    calling this again (a retried task, a daily job that runs twice) notifies nobody twice.
    """
    recipients = {u.pk: u for u in users}
    for org in organisations:
        recipients.update({u.pk: u for u in org.users.filter(is_active=True)})
    if not recipients:
        return []
    already = set(Notification.objects.filter(key=key, recipient_id__in=recipients).values_list("recipient_id",
                                                                                               flat=True))
    created = Notification.objects.bulk_create(
        [Notification(recipient=user, kind=kind, key=key, title=title, body=body, url=url)
         for pk, user in recipients.items() if pk not in already],
        ignore_conflicts=True)
    fresh = list(Notification.objects.filter(key=key, recipient_id__in=[n.recipient_id for n in created],
                                             emailed_at__isnull=True))
    if fresh:
        ids = [n.pk for n in fresh]
        for pk in ids:
            enqueue(tasks.notification_email_task, pk)
    return fresh


def notification_email(*, notification_id: int) -> bool:
    """Send the e-mail of one notification unless it was sent already; True when sent now."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().select_related("recipient").get(pk=notification_id)
        if notification.emailed_at is not None or not notification.recipient.email:
            return False
        link = f"{settings.PUBLIC_BASE_URL}{notification.url}" if notification.url else ""
        send_mail(notification.title, "\n\n".join(p for p in (notification.body, link) if p),
                  settings.DEFAULT_FROM_EMAIL, [notification.recipient.email])
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True


def notifications_mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all, or the given ones); returns how many changed."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())
