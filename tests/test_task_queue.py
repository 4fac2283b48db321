"""Side effects of a write never wait on the broker: the task is recorded in the write's transaction and
published once after commit without retrying; with the broker down the write still commits, the task stays
pending, and the sweep publishes it once the broker is back — the work then happens once."""

import time

import pytest
from django.db import transaction
from django.utils import timezone

from config.celery import app
from market.models import Document, DocumentKind, DocumentState, QueuedTask
from market.services.documents import document_request
from market.services.queue import KEEP_SENT, SWEEP_AFTER, queued_tasks_publish
from market.tasks import document_render_task
from market.transfers.models import DealState
from tests.celery_worker import broker_in_this_process
from tests.market.test_documents import media, parties, transfer_deal  # noqa: F401  (fixtures)

DEAD_BROKER = "redis://127.0.0.1:9/0"  # the discard port: the connection is refused at once


def later():
    return timezone.now() + SWEEP_AFTER + SWEEP_AFTER


def request_contract(deal) -> Document:
    with transaction.atomic():
        return document_request(deal=deal, kind=DocumentKind.TRANSFER_CONTRACT)


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_write_commits_and_its_task_waits(parties, media):  # noqa: F811
    deal = transfer_deal(*parties, DealState.SIGNED)
    with broker_in_this_process(app, DEAD_BROKER):
        document = request_contract(deal)
        row = QueuedTask.objects.get(task=document_render_task.name)
        # published once, refused once, not retried: the request did not wait on the broker
        assert (row.args, row.sent_at, row.attempts) == ([document.pk], None, 1) and row.last_error
        assert Document.objects.get(pk=document.pk).state == DocumentState.PENDING
        assert queued_tasks_publish() == 0  # too recent for the sweep: the write's own publish just tried
        assert queued_tasks_publish(now=later()) == 0  # the broker is still down
        assert QueuedTask.objects.get(pk=row.pk).attempts == 2


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_task_runs_in_process_at_once(parties, media):  # noqa: F811
    document = request_contract(transfer_deal(*parties, DealState.SIGNED))
    assert Document.objects.get(pk=document.pk).state == DocumentState.ISSUED
    assert QueuedTask.objects.get().sent_at is not None
    queued_tasks_publish(now=timezone.now() + KEEP_SENT - SWEEP_AFTER)
    assert QueuedTask.objects.exists()  # kept for a day after it was sent
    queued_tasks_publish(now=timezone.now() + KEEP_SENT + SWEEP_AFTER)
    assert not QueuedTask.objects.exists()


@pytest.mark.celery_worker
def test_the_sweep_publishes_once_the_broker_is_back_and_the_work_happens_once(celery_worker_process, parties,  # noqa: F811
                                                                               media):  # noqa: F811
    deal = transfer_deal(*parties, DealState.SIGNED)
    with broker_in_this_process(app, DEAD_BROKER):
        document = request_contract(deal)
    assert Document.objects.get(pk=document.pk).state == DocumentState.PENDING

    assert queued_tasks_publish(now=later()) == 1  # the broker is back (the worker's)
    deadline = time.monotonic() + 30
    while Document.objects.get(pk=document.pk).state == DocumentState.PENDING and time.monotonic() < deadline:
        time.sleep(0.2)
    assert Document.objects.get(pk=document.pk).state == DocumentState.ISSUED, celery_worker_process.log()
    assert queued_tasks_publish(now=later()) == 0  # sent: never published again
    assert Document.objects.filter(kind=DocumentKind.TRANSFER_CONTRACT).count() == 1
