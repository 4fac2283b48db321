"""Template helpers of the matching pages: state labels, budgets, the nav's unread count."""

from django import template
from django.utils.translation import gettext as _

from market.regions import City
from market.web.labels import pick_language, price_label
from notifications.models import Notification

from ..models import WANTED_MODES, DemandState, ProposalState

register = template.Library()
MODE_LABELS = {m.value: m.label for m in WANTED_MODES}


@register.filter
def demand_state(value: str) -> str:
    return pick_language(dict(DemandState.choices).get(value, value))


@register.filter
def proposal_state(value: str) -> str:
    return pick_language(dict(ProposalState.choices).get(value, value))


@register.filter
def modes(values) -> str:
    """Wanted modes in the active language: 转让、实施许可."""
    return "、".join(pick_language(MODE_LABELS.get(v, v)) for v in values or [])


@register.filter
def cities(values) -> str:
    labels = dict(City.choices)
    return "、".join(pick_language(labels.get(v, v)) for v in values or []) or _("不限")


@register.filter
def budget(demand) -> str:
    """¥500,000.00 – ¥2,000,000.00; one open end reads 不低于 / 不超过; none 不限."""
    low, high = demand.budget_min, demand.budget_max
    if low is None and high is None:
        return _("不限")
    if low is None:
        return _("不超过 %(amount)s") % {"amount": price_label(high)}
    if high is None:
        return _("不低于 %(amount)s") % {"amount": price_label(low)}
    return f"{price_label(low)} – {price_label(high)}"


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{value}%"


@register.simple_tag
def unread_notifications(user) -> int:
    """Unread notifications of the signed-in user (the nav's badge)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` in a template (None when missing)."""
    return mapping.get(key) if mapping else None
