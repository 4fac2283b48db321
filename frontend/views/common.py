"""What every frontend view shares: calling a service and turning its refusals into pages."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from market.rules import Reason, RuleViolation
from market.services.errors import ActionForbidden, IdempotencyConflict


@dataclass
class Outcome:
    """What a service call gave: its result, or the reasons / field errors that refused it."""

    result: object = None
    reasons: list[Reason] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.reasons and not self.errors


def call_service(service: Callable, **kwargs) -> Outcome:
    """Run ``service``; rule refusals and validation errors come back in the outcome.

    ActionForbidden becomes PermissionDenied (the 403 page); an idempotency conflict is shown as a reason.
    """
    try:
        return Outcome(result=service(**kwargs))
    except RuleViolation as exc:
        return Outcome(reasons=exc.reasons)
    except IdempotencyConflict as exc:
        return Outcome(reasons=[Reason("idempotency_conflict", "payments", str(exc))])
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return Outcome(errors=errors)
    except ActionForbidden as exc:
        raise PermissionDenied(str(exc)) from exc


def flash_errors(request: HttpRequest, errors: dict[str, list[str]]) -> None:
    for messages_of_field in errors.values():
        for message in messages_of_field:
            messages.error(request, message)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 403 page (also Django's handler403 when the project points to it)."""
    message = str(exception) if exception and str(exception) else ""
    return render(request, "frontend/403.html", {"message": message}, status=403)


def shows_403_page(view: Callable) -> Callable:
    """Render our 403 page (with the service's bilingual message) when the view is refused."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return forbidden(request, exc)

    return wrapper


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def require_staff(request: HttpRequest) -> None:
    if not request.user.is_centre_staff:
        raise PermissionDenied("只有交易中心工作人员可以访问 / Trading-centre staff only")
