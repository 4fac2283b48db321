"""The real-worker fixture: tasks sent with .delay() run in another process on the test database."""

import os

import dj_database_url
import pytest
from django.db import connection

from config.celery import app
from config.tasks import healthcheck
from tests.celery_worker import broker_in_this_process, database_url_for, redis_db_number
from tests.factories import OrganisationFactory


@pytest.mark.celery_worker
def test_it_runs_tasks_in_the_worker_process_on_the_test_database(celery_worker_process, holder_org, buyer_org):
    answer = healthcheck.delay("market.Organisation").get(timeout=30)

    assert answer == {
        "hostname": celery_worker_process.hostname,
        "pid": celery_worker_process.pid,
        "vendor": connection.vendor,
        "database": str(connection.settings_dict["NAME"]),
        "select_one": 1,
        "rows": 2,
    }
    assert answer["pid"] != os.getpid()


@pytest.mark.celery_worker
def test_it_sees_rows_committed_after_it_started(celery_worker_process):
    assert healthcheck.delay("market.Organisation").get(timeout=30)["rows"] == 0

    OrganisationFactory.create_batch(3)

    assert healthcheck.delay("market.Organisation").get(timeout=30)["rows"] == 3


def test_it_restores_eager_tasks_after_the_broker_override():
    before = (app.conf.task_always_eager, app.conf.broker_url, app.conf.result_backend)
    broker_url = f"redis://127.0.0.1:6379/{redis_db_number()}"

    with broker_in_this_process(app, broker_url):
        assert app.conf.task_always_eager is False
        assert app.conf.broker_url == broker_url
        assert app.conf.result_backend == broker_url

    assert (app.conf.task_always_eager, app.conf.broker_url, app.conf.result_backend) == before


def test_eager_by_default_the_task_runs_in_this_process(db):
    assert app.conf.task_always_eager is True
    answer = healthcheck.delay().get()

    assert answer["pid"] == os.getpid()
    assert answer["vendor"] == connection.vendor
    assert "rows" not in answer


@pytest.mark.parametrize(
    ("settings_dict", "expected"),
    [
        pytest.param({"ENGINE": "django.db.backends.sqlite3", "NAME": "file:memorydb_default?mode=memory&cache=shared"},
                     None, id="sqlite_in_memory_case"),
        pytest.param({"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}, None, id="sqlite_memory_case"),
        pytest.param({"ENGINE": "django.db.backends.sqlite3", "NAME": "/tmp/zjip/test_db.sqlite3"},
                     "sqlite:////tmp/zjip/test_db.sqlite3", id="sqlite_file_case"),
        pytest.param({"ENGINE": "django.db.backends.postgresql", "NAME": "test_zjip", "USER": "postgres",
                      "PASSWORD": "", "HOST": "127.0.0.1", "PORT": 5432},
                     "postgresql://postgres@127.0.0.1:5432/test_zjip", id="postgres_no_password_case"),
        pytest.param({"ENGINE": "django.db.backends.postgresql", "NAME": "test_zjip", "USER": "zjip",
                      "PASSWORD": "p@ss/word", "HOST": "db", "PORT": ""},
                     "postgresql://zjip:p%40ss%2Fword@db/test_zjip", id="postgres_password_case"),
        pytest.param({"ENGINE": "django.db.backends.mysql", "NAME": "zjip"}, None, id="other_engine_case"),
    ],
)
def test_database_url_for_another_process(settings_dict, expected):
    assert database_url_for(settings_dict) == expected


def test_database_url_round_trips_through_dj_database_url():
    settings_dict = {"ENGINE": "django.db.backends.postgresql", "NAME": "test_zjip", "USER": "zjip",
                     "PASSWORD": "p@ss/word", "HOST": "db", "PORT": 5433}

    parsed = dj_database_url.parse(database_url_for(settings_dict))

    assert {key: parsed[key] for key in settings_dict} == settings_dict
