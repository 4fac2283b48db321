"""Filters of the documents' templates (Chinese legal documents)."""

from django import template

from market.web.labels import pick_half

register = template.Library()


@register.filter
def chinese(value) -> str:
    """The Chinese half of a stored "中文 / English" text (a document is Chinese whatever the reader's language)."""
    return pick_half(value, "zh-hans") if value else value
