"""Map domain errors to HTTP: validation 400 (field messages), forbidden 403, rule refusals 409."""

from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from market.rules import RuleViolation
from market.services.errors import ActionForbidden, IdempotencyConflict


def exception_handler(exc, context):
    """DRF's handler, plus the domain's exceptions."""
    if isinstance(exc, RuleViolation):
        return Response({"detail": str(exc), "reasons": [r.as_dict() for r in exc.reasons]},
                        status=status.HTTP_409_CONFLICT)
    if isinstance(exc, IdempotencyConflict):
        return Response({"detail": str(exc), "code": "idempotency_conflict"}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, ActionForbidden):
        return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, ObjectDoesNotExist):
        return Response({"detail": "未找到 / Not found"}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, RequestDataTooBig):
        return Response({"detail": "请求体过大 / The request body is too large"},
                        status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, TooManyFieldsSent):
        return Response({"detail": "请求字段过多 / Too many fields in the request"}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Throttled):
        wait = int(exc.wait or 1)
        exc = Throttled(wait=exc.wait, detail=f"请求过于频繁，请 {wait} 秒后再试 / Too many requests: try again in "
                                              f"{wait} s")
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = ValidationError(detail=detail)
    return drf_exception_handler(exc, context)
