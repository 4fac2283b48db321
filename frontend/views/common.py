"""What every frontend view shares: calling a service and turning its refusals into pages."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

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


def call_service(service: Callable, *args, **kwargs) -> Outcome:
    """Run ``service``; rule refusals and validation errors come back in the outcome.

    ActionForbidden becomes PermissionDenied (the 403 page); an idempotency conflict is shown as a reason.
    """
    try:
        return Outcome(result=service(*args, **kwargs))
    except RuleViolation as exc:
        return Outcome(reasons=exc.reasons)
    except IdempotencyConflict as exc:
        return Outcome(reasons=[Reason("idempotency_conflict", "payments", str(exc))])
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return Outcome(errors=errors)
    except ActionForbidden as exc:
        raise PermissionDenied(str(exc)) from exc


@dataclass(frozen=True)
class PageAction:
    """One button or form of a deal, loan or contract page: the form it needs and the service it calls,
    ``call(subject, user, data)`` with the form's cleaned data."""

    name: str
    label: str
    done: str
    call: Callable
    form_class: type[forms.Form] | None = None
    danger: bool = False


def run_page_action(request: HttpRequest, subject, spec: PageAction, form: forms.Form | None, *,
                    render_page: Callable[..., HttpResponse], refetch: Callable[[], object],
                    success_url: str | Callable[[object], str]) -> HttpResponse:
    """The POST of one page action.

    An invalid form re-renders the page with it (400); a refusal flashes its field errors and re-renders a
    fresh copy of the subject (FSM-protected fields cannot be refreshed in place) with the rule's reasons
    (409) or the errors (400); success flashes ``spec.done`` and redirects to ``success_url`` (or to
    ``success_url(result)`` when the service's result decides where to go).
    ``render_page(subject, status=…, bound=…, outcome=…)`` renders the page.
    """
    bound = (spec.name, form) if form is not None else None
    if form is not None and not form.is_valid():
        return render_page(subject, bound=bound, status=400)
    data = dict(form.cleaned_data) if form is not None else {}
    outcome = call_service(spec.call, subject, request.user, data)
    if not outcome.ok:
        flash_errors(request, outcome.errors)
        return render_page(refetch(), outcome=outcome, bound=bound, status=409 if outcome.reasons else 400)
    messages.success(request, spec.done)
    return redirect(success_url(outcome.result) if callable(success_url) else success_url)


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
        except (PermissionDenied, ActionForbidden) as exc:
            return forbidden(request, exc)

    return wrapper


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def require_staff(request: HttpRequest) -> None:
    if not request.user.is_centre_staff:
        raise PermissionDenied("只有交易中心工作人员可以访问 / Trading-centre staff only")
