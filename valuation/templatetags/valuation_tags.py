"""``{% load valuation_tags %}{% quick_estimate_card patent %}``: the quick estimate on listing and pledge pages."""

from django import template

from market.web.labels import pick_half
from valuation.quick import quick_estimate
from valuation.selectors import sees_pledge_advice

register = template.Library()
register.filter("half", pick_half)  # a stored "中文 / English" line in the active language


@register.inclusion_tag("valuation/_quick_estimate.html", takes_context=True)
def quick_estimate_card(context, patent):
    """Score with each indicator's reason, the P10/P50/P90 range and, for banks and staff, the pledge advice."""
    request = context.get("request")
    return {"estimate": quick_estimate(patent), "patent": patent,
            "show_pledge": sees_pledge_advice(getattr(request, "user", None))}


@register.filter
def percent(value) -> str:
    """0.25 → '25.0%' (ratios are stored as fractions)."""
    try:
        return f"{float(value) * 100:.1f}%"
    except (TypeError, ValueError):
        return ""
