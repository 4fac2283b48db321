"""``/healthz/``: is this web process able to serve (for the load balancer's probe and for staff).

The probe reads the database and the search backend (each within about a second); ``?full=1`` also
asks the Celery broker and the workers (about a second more). Only the database decides the status:
without it nothing can be served (503); a search engine, broker or worker that is down degrades the
service — searches say so, side effects wait in the outbox — and is reported, with 200.
"""

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

from search.backends import get_search_backend

from .celery import app

TIMEOUT_SECONDS = 1


def _error(exc: Exception) -> str:
    return f"error: {type(exc).__name__}"


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:  # any failure to reach the database means "not serving"
        return _error(exc)


def search_state() -> str:
    try:
        return "ok" if get_search_backend().available() else "unavailable"
    except Exception as exc:  # a misconfigured backend is reported, not raised
        return _error(exc)


def broker_state() -> str:
    if app.conf.task_always_eager:
        return "none (tasks run in the request)"
    try:
        with Connection(app.conf.broker_url, connect_timeout=TIMEOUT_SECONDS) as broker:
            broker.ensure_connection(max_retries=1, timeout=TIMEOUT_SECONDS)
        return "ok"
    except Exception as exc:  # unreachable or refusing: report it
        return _error(exc)


def workers_state() -> str:
    try:
        replies = app.control.inspect(timeout=TIMEOUT_SECONDS).ping() or {}
    except Exception as exc:  # no broker: no worker can be asked
        return _error(exc)
    return f"{len(replies)} answering" if replies else "none answering"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with each part's state while the database answers, 503 when it does not."""
    report = {"database": database_state(), "search": search_state()}
    if request.GET.get("full") == "1":
        report["broker"] = broker_state()
        if report["broker"] == "ok":
            report["workers"] = workers_state()
    healthy = report["database"] == "ok"
    return JsonResponse({"status": "ok" if healthy else "error", **report}, status=200 if healthy else 503)
