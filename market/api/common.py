"""What every API module shares: reading a request body, the idempotency key, the documented refusals."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from market.selectors import timeline
from market.web.openapi import ERRORS, FIELD_ERRORS

from .serializers import TransitionLogSerializer

REFUSED = {409: ERRORS["409"], 403: ERRORS["403"], 400: FIELD_ERRORS}
IDEMPOTENCY_KEY_MAX = 100
IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key", {"type": "string", "maxLength": IDEMPOTENCY_KEY_MAX}, OpenApiParameter.HEADER, required=False,
    description="每次付款请求一个唯一键（最多 100 个字符）；重放返回首次结果，不会重复扣款 / One key per payment request "
                "(at most 100 characters); a replay returns the first result and moves no money twice")


def payload(serializer_class, request) -> dict:
    """The request body validated by ``serializer_class`` (400 with field messages otherwise)."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def idempotency_key(request) -> str:
    """The payment request's idempotency key: the Idempotency-Key header, else the body's idempotency_key."""
    body = request.data if hasattr(request.data, "get") else {}
    key = request.headers.get("Idempotency-Key") or body.get("idempotency_key")
    if not key or not str(key).strip():
        raise ValidationError({"idempotency_key": [
            "付款请求须带幂等键（请求头 Idempotency-Key） / A payment request needs an idempotency key "
            "(Idempotency-Key header)"]})
    key = str(key).strip()
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise ValidationError({"idempotency_key": [
            f"幂等键最多 {IDEMPOTENCY_KEY_MAX} 个字符 / An idempotency key has at most {IDEMPOTENCY_KEY_MAX} characters"]})
    return key


class TimelineMixin:
    """``GET …/{id}/timeline/``: every transition of the object (who, when, from, to, why)."""

    @extend_schema(responses=TransitionLogSerializer(many=True))
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        """Every transition: actor, time, from, to, reason."""
        return Response(TransitionLogSerializer(timeline(self.get_object()), many=True).data)


class ObjectActionsMixin:
    """POST actions on one object: find it among what the caller may see (404 otherwise), then read the body,
    then call the service (which checks who may act), then answer with the object as it is now.

    ``service_key``: the keyword the services take the object's id by; ``answer_serializer``: what the answer
    shows. The order matters: nobody learns from a validation error about an object it may not see.
    """

    service_key = "pk"
    answer_serializer = None

    def act(self, request, service, *, body=None, idempotent: bool = False, **extra):
        obj = self.get_object()
        if body is not None:
            extra.update(payload(body, request))
        if idempotent:
            extra["idempotency_key"] = idempotency_key(request)
        service(**{self.service_key: obj.pk}, actor=request.user, **extra)
        return self.answer(request, obj.pk)

    def answer(self, request, pk, status=200):
        obj = self.get_queryset().get(pk=pk)
        return Response(self.answer_serializer(obj, context={"request": request}).data, status=status)
