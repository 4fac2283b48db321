"""Template helpers of the licensing pages."""

from django import template

from .frontend_tags import state_label

register = template.Library()
register.filter("state_label", state_label)  # the licensing pages' templates load it from here


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key) if mapping else None
