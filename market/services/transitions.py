"""Run one state-machine transition: refuse with a reason, save, and log it."""

from django.db import models
from django_fsm import TransitionNotAllowed, can_proceed

from market.models import TransitionLog, User

from .errors import state_refusal


def apply_transition(obj: models.Model, name: str, *, actor: User | None, reason: str = "",
                     label: str | None = None, **kwargs) -> TransitionLog:
    """Call transition ``name`` on a locked ``obj``, save it, and write the TransitionLog row.

    Must run inside the caller's transaction. A transition the machine does not allow from the
    current state (or whose conditions fail) raises RuleViolation naming both.
    """
    method = getattr(obj, name)
    if not can_proceed(method):
        raise state_refusal(obj, label or name)
    before = obj.state
    try:
        method(**kwargs)
    except TransitionNotAllowed as exc:  # a race the lock should prevent; keep the clear message
        raise state_refusal(obj, label or name) from exc
    obj.save()
    return TransitionLog.record(obj, transition=name, from_state=before, to_state=obj.state, actor=actor,
                                reason=reason)
