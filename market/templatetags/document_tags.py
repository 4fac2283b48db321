"""Filters of the documents' templates (Chinese legal documents)."""

from decimal import Decimal

from django import template

from market.money import format_cny
from market.web.labels import pick_half

register = template.Library()


@register.filter
def chinese(value) -> str:
    """The Chinese half of a stored "中文 / English" text (a document is Chinese whatever the reader's language)."""
    return pick_half(value, "zh-hans") if value else value


@register.filter
def yuan(value) -> str:
    """An amount (a Decimal or its string, as a statement stores it) as ¥1,234.00."""
    return format_cny(Decimal(str(value))) if value not in (None, "") else "—"
