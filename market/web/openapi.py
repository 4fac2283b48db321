"""The OpenAPI schema says what the API answers, errors included (drf-spectacular's AutoSchema, extended).

Every operation documents the error answers the API can give: 400 (field messages, or a body that is not a
JSON object), 401 (a bad or expired token), 403, 404 (an object the caller may not see, or a page past the
end), 409 (a rule or state refuses the step), 413 (a body over the limit), 415 (a body type the API does not
read) and 429 (throttled). Only the
``list`` action of a viewset is paginated: the other actions that answer lists answer plain arrays.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """An error with its bilingual message."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False)


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    rule = serializers.CharField()
    message = serializers.CharField()
    source = serializers.CharField(allow_blank=True, help_text="法律依据 / The legal source (empty for the platform's "
                                                                "own procedure)")


class RefusalSerializer(serializers.Serializer):
    """A refused step: the rule and reason of each refusal (or an idempotency conflict's code)."""

    detail = serializers.CharField()
    reasons = ReasonSerializer(many=True, required=False)
    code = serializers.CharField(required=False)


FIELD_ERRORS = OpenApiResponse(
    response={"type": "object", "additionalProperties": {}},
    description="字段错误（字段名 → 中英文消息），或请求体不是 JSON 对象 / Field errors (field → bilingual "
                "messages), or a body that is not a JSON object")
ERRORS = {
    "401": OpenApiResponse(ErrorSerializer, description="未登录或令牌无效、已过期 / Not signed in, or a bad or expired token"),
    "403": OpenApiResponse(ErrorSerializer, description="无权操作 / Not allowed"),
    "404": OpenApiResponse(ErrorSerializer, description="不存在或无权查看 / Not found, or not yours to see"),
    "409": OpenApiResponse(RefusalSerializer, description="规则拒绝，附规则与理由 / Refused by a rule, with rule and reason"),
    "413": OpenApiResponse(ErrorSerializer, description="请求体过大 / The body is too large"),
    "415": OpenApiResponse(ErrorSerializer, description="不支持的请求体类型 / Unsupported body type"),
    "429": OpenApiResponse(ErrorSerializer, description="请求过于频繁 / Too many requests"),
}
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


class AutoSchema(SpectacularAutoSchema):
    def _get_paginator(self):
        action = getattr(self.view, "action", None)
        if action is not None and action != "list":
            return None  # detail actions (timeline, documents, …) answer plain arrays
        return super()._get_paginator()

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        wanted = {"400": FIELD_ERRORS, "401": ERRORS["401"], "403": ERRORS["403"], "404": ERRORS["404"],
                  "429": ERRORS["429"]}
        if self.method in UNSAFE:
            wanted.update({"409": ERRORS["409"], "413": ERRORS["413"], "415": ERRORS["415"]})
        for code, response in wanted.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses
