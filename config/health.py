"""``/healthz/``: is this web process able to serve (for the load balancer's probe and for staff)."""

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with each part's state while the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception as exc:  # any failure to reach the database means "not serving"
        database = f"error: {type(exc).__name__}"
    healthy = database == "ok"
    return JsonResponse({"status": "ok" if healthy else "error", "database": database}, status=200 if healthy else 503)
