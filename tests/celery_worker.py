"""A real Celery worker for tests (pytest plugin; register with ``pytest_plugins = ["tests.celery_worker"]``).

``celery_worker_process`` starts ``celery -A config worker --pool=solo`` in a subprocess that uses
pytest-django's test database, a Redis database of its own and the test process's VAR_DIR and
MEDIA_ROOT; for the duration of the test ``.delay()`` sends tasks to that worker instead of running
them eagerly. Tests that use it need ``@pytest.mark.celery_worker``; they are skipped when Redis is
not reachable or when the test database lives in memory (SQLite's default under pytest-django).
Extra environment variables for the worker come from the ``celery_worker_env`` fixture, which a
test module may override (for instance to point the worker at a search server).
"""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from celery import Celery
from django.conf import settings as django_settings
from django.db import connection

REDIS_HOST = "127.0.0.1"
REDIS_PORT = 6379
READY_TIMEOUT_SECONDS = 30
STOP_TIMEOUT_SECONDS = 10


def redis_db_number() -> int:
    """The Redis database reserved for test workers: 15, then 14, 13… for xdist workers gw1, gw2…"""
    xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return 15 - int(xdist_worker.removeprefix("gw") or 0) % 8


def database_url_for(settings_dict: dict) -> str | None:
    """A DATABASE_URL that reaches the same database from another process, or None if none can.

    An in-memory SQLite database exists only inside the test process, so it gets None.
    """
    engine = settings_dict["ENGINE"]
    name = str(settings_dict["NAME"])
    if engine == "django.db.backends.sqlite3":
        if name == ":memory:" or "mode=memory" in name:  # as in Django's is_in_memory_db()
            return None
        return f"sqlite:///{Path(name).resolve()}"
    if engine == "django.db.backends.postgresql":
        user = quote(settings_dict.get("USER") or "", safe="")
        password = quote(settings_dict.get("PASSWORD") or "", safe="")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = quote(settings_dict.get("HOST") or "", safe="")
        port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
        return f"postgresql://{credentials}{host}{port}/{quote(name, safe='')}"
    return None


@dataclass
class BackgroundProcess:
    """A command started by a test, its output going to a log file shown when something goes wrong."""

    process: subprocess.Popen
    log_path: Path

    @classmethod
    def start(cls, argv: list[str], *, env: dict[str, str], log_path: Path, cwd: Path | None = None):
        """Start ``argv`` in its own process group, from the project root unless ``cwd`` is given."""
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                argv, cwd=cwd or django_settings.BASE_DIR, env=env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        return cls(process=process, log_path=log_path)

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def wait_for(self, ready: Callable[[], object], *, what: str, timeout: float = READY_TIMEOUT_SECONDS) -> None:
        """Poll ``ready()`` until it is true; fail the test with the log if the process exits or time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"{what}: the process exited with {self.process.returncode}; its log:\n{self.log()}")
            if ready():
                return
            time.sleep(0.2)
        pytest.fail(f"{what}: not ready after {timeout} s; its log:\n{self.log()}")

    def stop(self) -> None:
        """SIGTERM to the process group (a warm shutdown for Celery), SIGKILL if it is still there later."""
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@dataclass
class WorkerProcess(BackgroundProcess):
    """A running worker and its node name, the destination for ``app.control``."""

    hostname: str = ""
    broker_url: str = ""


def dedicated_broker_url() -> str:
    """The test Redis database of this (xdist) process, emptied; skips the test when Redis is unreachable."""
    db_number = redis_db_number()
    try:
        client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=db_number, socket_connect_timeout=1)
        client.ping()
        client.flushdb()
        client.close()
    except redis.exceptions.RedisError as error:
        pytest.skip(f"Redis at {REDIS_HOST}:{REDIS_PORT} is not reachable: {error}")
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/{db_number}"


def _reset_connections(app: Celery) -> None:
    # The app caches its connection pool, producer pool and result backend on first use;
    # drop them so the next call connects to the broker now configured. (The pools themselves live
    # on in kombu's registry, keyed by URL, and are reused: closing them would break that reuse.)
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


@contextmanager
def broker_in_this_process(app: Celery, broker_url: str) -> Iterator[None]:
    """Make ``.delay()`` in this process send to ``broker_url`` (results there too); restore on exit."""
    overrides = {"task_always_eager": False, "broker_url": broker_url, "result_backend": broker_url}
    saved = {key: app.conf[key] for key in overrides}
    app.conf.update(overrides)
    _reset_connections(app)
    try:
        yield
    finally:
        app.conf.update(saved)
        _reset_connections(app)


@pytest.fixture
def celery_worker_env() -> dict[str, str]:
    """Extra environment for the worker process; override in a test module to add variables."""
    return {}


@pytest.fixture
def celery_worker_process(transactional_db, celery_worker_env, settings, tmp_path) -> Iterator[WorkerProcess]:
    """A real worker on the test database; tasks sent with ``.delay()`` during the test run there."""
    from config.celery import app

    database_url = database_url_for(connection.settings_dict)
    if database_url is None:
        pytest.skip(f"test database {connection.settings_dict['NAME']!r} is not reachable from another process")
    broker_url = dedicated_broker_url()
    hostname = f"zjip-test-{uuid.uuid4().hex[:8]}@{socket.gethostname()}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "CELERY_RESULT_BACKEND": broker_url,
        "VAR_DIR": str(settings.VAR_DIR),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **celery_worker_env,
    }
    argv = ["-A", "config", "worker", "--pool=solo", "--concurrency=1", "-Q", "celery", "-n", hostname,
            "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    settings.CELERY_BROKER_URL = broker_url
    settings.CELERY_RESULT_BACKEND = broker_url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with broker_in_this_process(app, broker_url):
        worker = WorkerProcess.start([sys.executable, "-m", "celery", *argv], env=env,
                                     log_path=tmp_path / "celery-worker.log")
        worker.hostname, worker.broker_url = hostname, broker_url
        try:
            worker.wait_for(lambda: app.control.ping(destination=[hostname], timeout=0.5),
                            what=f"Celery worker {hostname}")
            yield worker
        finally:
            worker.stop()
            # Captured output is shown only when the test fails: the worker's log then explains it.
            print(f"--- log of Celery worker {hostname} ---\n{worker.log()}")
