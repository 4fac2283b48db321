"""What every frontend view shares: calling a service and turning its refusals into pages."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from market.documents.preview import draft_pdf
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


@dataclass
class Panel:
    """One action a page offers now: its form, posting to ``url`` (``frontend/partials/action.html``).

    ``subject`` names the item it acts on when the action repeats per item (a patent number), ``note``
    says in what capacity, ``hidden`` adds fields the page's POST needs back.
    """

    action: PageAction
    url: str
    form: forms.Form | None = None
    subject: str = ""
    note: str = ""
    hidden: dict[str, str] = field(default_factory=dict)


Bound = tuple[str, forms.Form] | None


class PageActions:
    """The actions of one kind of page: each spec by name, the panels a page shows and the view running them.

    ``url_name`` is the route ``<pk>/actions/<action>/`` every panel posts to.
    """

    def __init__(self, url_name: str, actions: Iterable[PageAction]):
        self.url_name = url_name
        self.specs = {action.name: action for action in actions}

    def __getitem__(self, name: str) -> PageAction:
        return self.specs[name]

    def __contains__(self, name: object) -> bool:
        return name in self.specs

    def panel(self, subject_pk: int, name: str, *, bound: Bound = None, form: forms.Form | None = None,
              **extra) -> Panel:
        """The panel of action ``name``: the bound form that failed, else ``form``, else a fresh one."""
        action = self.specs[name]
        if bound is not None and bound[0] == name:
            form = bound[1]
        elif form is None and action.form_class is not None:
            form = action.form_class()
        return Panel(action, reverse(self.url_name, args=[subject_pk, name]), form, **extra)

    def panels(self, subject_pk: int, names: Iterable[str], *, bound: Bound = None) -> list[Panel]:
        """A panel with a plain form for each of ``names`` that this page offers."""
        return [self.panel(subject_pk, name, bound=bound) for name in names if name in self.specs]

    def view(self, *, find: Callable[[HttpRequest, int], object], render_page: Callable[..., HttpResponse],
             success_url: Callable[[HttpRequest, object, object], str],
             form_kwargs: Callable[[str, object], dict] | None = None) -> Callable[..., HttpResponse]:
        """The POST view running one of these actions through its service.

        ``find(request, pk)`` gives the subject the user may see (404 otherwise); ``render_page(request,
        subject, status=…, bound=…, outcome=…)`` renders its page; ``form_kwargs(action, subject)`` adds
        arguments to an action's form. An invalid form re-renders the page with it (400); a refusal flashes
        its field errors and re-renders a fresh copy of the subject (FSM-protected fields cannot be refreshed
        in place) with the rule's reasons (409) or the errors (400); success flashes the action's message and
        redirects to the form's same-site ``next`` field, else to ``success_url(request, subject, result)``.
        """

        @login_required
        @require_POST
        @shows_403_page
        def action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
            subject = find(request, pk)
            if action not in self.specs:
                raise Http404("unknown action")
            spec = self.specs[action]
            form = None
            if spec.form_class is not None:
                form = spec.form_class(request.POST, request.FILES, **(form_kwargs(action, subject) if form_kwargs else {}))
            bound = (spec.name, form) if form is not None else None
            if form is not None and not form.is_valid():
                return render_page(request, subject, bound=bound, status=400)
            outcome = call_service(spec.call, subject, request.user, dict(form.cleaned_data) if form else {})
            if not outcome.ok:
                flash_errors(request, outcome.errors)
                return render_page(request, find(request, pk), outcome=outcome, bound=bound,
                                   status=409 if outcome.reasons else 400)
            messages.success(request, spec.done)
            next_url = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
                next_url = success_url(request, subject, outcome.result)
            return redirect(next_url)

        return action_view


def flash_errors(request: HttpRequest, errors: dict[str, list[str]]) -> None:
    for messages_of_field in errors.values():
        for message in messages_of_field:
            messages.error(request, message)


def errors_onto_form(form, errors: dict[str, list[str]]) -> None:
    """A service's field errors shown on ``form``: on their field when the form has it, else above the form."""
    for name, messages_of_field in errors.items():
        for message in messages_of_field:
            form.add_error(name if name in form.fields else None, message)


def flash_outcome(request: HttpRequest, outcome: Outcome, done: str = "") -> None:
    """``done`` when the service went through; else each reason and field error that refused it."""
    if outcome.ok and done:
        messages.success(request, done)
    for reason in outcome.reasons:
        messages.error(request, reason.message)
    flash_errors(request, outcome.errors)


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


def contract_draft_response(deal, kind: str, name: str) -> HttpResponse:
    """The contract as the parties read it before signing (market/documents/preview.py), shown in the browser."""
    response = HttpResponse(draft_pdf(deal, kind), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}-draft.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
