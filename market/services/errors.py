"""Errors a service raises besides RuleViolation; the API maps each to its HTTP status."""

from django.core.exceptions import ValidationError

from market.rules import Reason, RuleViolation


class ActionForbidden(Exception):
    """The actor may not perform this action on this object (HTTP 403, or 404 when it may not even see it)."""


class IdempotencyConflict(Exception):
    """An idempotency key was reused for a different request (HTTP 409)."""


def state_refusal(obj, action: str) -> RuleViolation:
    """A transition refused by the state machine, naming the requested action and the current state."""
    label = obj.get_state_display() if hasattr(obj, "get_state_display") else obj.state
    return RuleViolation(Reason(
        "invalid_state", "state_machine",
        f"当前状态“{label}”下不能执行“{action}” / '{action}' is not allowed in state '{obj.state}'",
    ))


def require_reason(reason: str, message: str) -> str:
    """The reason a step needs, stripped; a field error (``message``) when it is blank."""
    if not (reason or "").strip():
        raise ValidationError({"reason": [message]})
    return reason.strip()
