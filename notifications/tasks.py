from celery import shared_task

from notifications import services


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=10, max_retries=5)
def notification_email_task(notification_id: int) -> bool:
    """E-mail one notification; a second run sends nothing."""
    return services.notification_email(notification_id=notification_id)
