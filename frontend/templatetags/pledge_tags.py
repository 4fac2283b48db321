"""Template helpers of the pledge pages: state labels in the active language."""

from django import template

from market.pledges.models import PledgeLoanState
from market.pledges.registry_rules import ground_of

from .frontend_tags import pick_language

register = template.Library()
LABELS = dict(PledgeLoanState.choices)


@register.filter
def loan_state(value: str) -> str:
    """A pledge-loan state's label in the active language (or the value itself)."""
    return pick_language(LABELS.get(value, value))


@register.filter
def percent(value) -> str:
    """0.3 → 30.00%."""
    return "—" if value in (None, "") else f"{float(value):.2%}"


@register.filter
def ground(reason) -> str:
    """The registry ground of a reason, as the pages cite it: 第4项."""
    return f"第{ground_of(reason)}项"
