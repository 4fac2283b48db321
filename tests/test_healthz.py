"""/healthz/: the database decides whether this process serves; the search engine, the broker and the workers
are reported (a dead one degrades the service, it does not stop it)."""

import pytest

from config.celery import app
from search.backends import reset_search_backends
from tests.celery_worker import broker_in_this_process

DEAD_PORT = 9  # nothing listens on the discard port


@pytest.fixture
def reset_backends():
    reset_search_backends()
    yield
    reset_search_backends()


def test_all_well_on_the_embedded_defaults(client, db, reset_backends):
    response = client.get("/healthz/")
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    assert response.json() == {"status": "ok", "database": "ok", "search": "ok"}
    full = client.get("/healthz/", {"full": "1"}).json()
    assert full["broker"] == "none (tasks run in the request)" and "workers" not in full


def test_a_dead_search_engine_and_broker_are_reported_not_fatal(client, db, settings, reset_backends):
    settings.SEARCH_BACKEND = {"BACKEND": "elasticsearch", "URL": f"http://127.0.0.1:{DEAD_PORT}"}
    with broker_in_this_process(app, f"redis://127.0.0.1:{DEAD_PORT}/0"):
        response = client.get("/healthz/", {"full": "1"})
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ok" and body["database"] == "ok"
    assert body["search"] == "unavailable"
    assert body["broker"].startswith("error: ") and "workers" not in body


@pytest.mark.celery_worker
def test_the_full_report_counts_the_workers_that_answer(client, celery_worker_process):
    body = client.get("/healthz/", {"full": "1"}).json()
    assert (body["broker"], body["workers"]) == ("ok", "1 answering")
