"""Monitoring on every change of a pledged patent.

The receivers queue the monitoring task for after the commit of the change (market/services/queue.py), only
for a patent a registered pledge holds (bulk updates and batch revaluations are caught by the daily run).
Connected by market/pledges/registration.py.
"""

from django.db.models.signals import post_save

from market.models import Patent
from market.services.queue import enqueue
from valuation.models import Valuation

from . import tasks
from .models import PLEDGED_STATES, PledgeLoanPatent


def queue_monitoring(patent_id: int) -> None:
    if PledgeLoanPatent.objects.filter(patent_id=patent_id, released_at__isnull=True,
                                       loan__state__in=PLEDGED_STATES).exists():
        enqueue(tasks.pledge_monitor_patent_task, patent_id)


def pledged_patent_saved(sender, instance: Patent, raw: bool = False, **kwargs) -> None:
    if not raw:
        queue_monitoring(instance.pk)


def pledged_patent_valued(sender, instance: Valuation, created: bool = False, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        queue_monitoring(instance.patent_id)


def connect() -> None:
    post_save.connect(pledged_patent_saved, sender=Patent, dispatch_uid="pledge-monitor-patent-saved")
    post_save.connect(pledged_patent_valued, sender=Valuation, dispatch_uid="pledge-monitor-patent-valued")
