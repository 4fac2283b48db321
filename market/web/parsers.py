"""The API's JSON parser: a body is one JSON object of bounded size and depth, else a clear 400 or 413."""

import codecs
import json

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"


def _depth(value) -> int:
    """Nesting depth of a parsed JSON value (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return deepest


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


class JSONObjectParser(JSONParser):
    """Every API body is a JSON object: arrays, scalars, null, NaN, oversized or deeply nested bodies are refused."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise PayloadTooLarge(f"请求体超过 {limit // 1024} KB / The request body is larger than {limit // 1024} KB")
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(codecs.decode(raw, encoding), parse_constant=_reject_constant)
        except RecursionError:
            raise ParseError("JSON 嵌套层次过深 / The JSON body is nested too deeply") from None
        except ValueError as exc:
            raise ParseError(f"请求体不是有效的 JSON / The body is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise ParseError("请求体须为 JSON 对象 / The request body must be a JSON object")
        if _depth(data) > settings.API_MAX_JSON_DEPTH:
            raise ParseError("JSON 嵌套层次过深 / The JSON body is nested too deeply")
        return data
