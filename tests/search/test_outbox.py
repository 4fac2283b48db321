"""The transactional outbox: rows written with the change, pushed after commit, swept by beat, pruned."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from config import celery_app
from market.services.listings import listing_withdraw
from search.indexing import listing_changed, organisation_changed
from search.models import OutboxEntry
from search.outbox import KEEP_PROCESSED, outbox_pending, outbox_push, outbox_sweep

from .test_backend_contract import found


def test_the_beat_sweeps_the_outbox_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["search-outbox-sweep"]
    assert entry == {"task": "search.outbox_sweep", "schedule": 60.0}
    assert "search.outbox_sweep" in celery_app.tasks and "search.outbox_push" in celery_app.tasks


def test_a_service_writes_the_row_in_its_transaction_and_pushes_after_commit(
        backend, catalogue, eager_tasks, django_capture_on_commit_callbacks):
    listing = catalogue.named["锂电池隔膜"]
    with django_capture_on_commit_callbacks() as callbacks:
        listing_withdraw(listing_id=listing.pk, actor=listing.created_by)
    assert outbox_pending() == 1 and listing.pk in found(backend, text="隔膜")
    for callback in callbacks:
        callback()
    assert outbox_pending() == 0 and listing.pk not in found(backend, text="隔膜")


def test_a_rolled_back_change_leaves_no_row(backend, catalogue):
    try:
        with transaction.atomic():
            listing_changed(catalogue.named["锂电池隔膜"].pk)
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    assert not OutboxEntry.objects.exists()


def test_one_change_of_an_organisation_writes_a_row_per_published_listing(backend, catalogue):
    organisation = catalogue.named["锂电池隔膜"].organisation
    organisation_changed(organisation.pk)
    listed = catalogue.ids(lambda listing: listing.organisation_id == organisation.pk
                           or any(o.organisation_id == organisation.pk
                                  for p in listing.patents.all() for o in p.ownerships.all()))
    assert sorted(OutboxEntry.objects.values_list("listing_id", flat=True)) == sorted(listed)


def test_pushing_twice_pushes_once(backend, catalogue):
    OutboxEntry.objects.bulk_create([OutboxEntry(listing_id=catalogue.named["锂电池隔膜"].pk)] * 2)
    assert outbox_push().pushed == 2
    assert outbox_push().pushed == 0


def test_the_sweep_forgets_processed_rows_after_a_day(backend, catalogue):
    now = timezone.now()
    old = OutboxEntry.objects.create(listing_id=1, processed_at=now - KEEP_PROCESSED - dt.timedelta(minutes=1))
    recent = OutboxEntry.objects.create(listing_id=2, processed_at=now - dt.timedelta(hours=1))
    outbox_sweep(now=now)
    assert list(OutboxEntry.objects.values_list("pk", flat=True)) == [recent.pk]
    assert old.pk not in OutboxEntry.objects.values_list("pk", flat=True)
