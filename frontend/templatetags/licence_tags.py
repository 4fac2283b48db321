"""Template helpers of the licensing pages: state labels of the three licensing state machines."""

from django import template

from market.models import LicenceContractState, LicenceState, OpenLicenceState

from .frontend_tags import pick_language

register = template.Library()

MACHINES = {"declaration": OpenLicenceState, "contract": LicenceContractState, "licence": LicenceState}


@register.filter
def state_label(value: str, machine: str) -> str:
    """``{{ row.to_state|state_label:"contract" }}``: the state's label in the active language."""
    return pick_language(dict(MACHINES[machine].choices).get(value, value or "—"))


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key) if mapping else None
