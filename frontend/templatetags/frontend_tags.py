"""Template helpers: money, bilingual choice labels, dates and remaining life."""

import re

from django import template
from django.utils import translation
from django.utils.translation import gettext as _

from market.licensing.models import LicenceContractState, LicenceState, OpenLicenceState
from market.money import format_cny
from market.pledges.models import PledgeLoanState
from market.transfers.models import DealState

register = template.Library()

# A bilingual label such as "发明 Invention" or "10–50万元 ¥100k–500k": Chinese, a space, then no more Chinese.
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")


@register.filter
def cny(value) -> str:
    """¥1,234,567.00, or 面议 (negotiable) when there is no price."""
    if value is None or value == "":
        return _("面议")
    return format_cny(value)


def pick_language(label: str, language: str | None = None) -> str:
    """The part of a bilingual label for the active language (the whole label if not bilingual)."""
    label = str(label)
    for position, char in enumerate(label):
        if char == " " and _CJK.search(label, 0, position) and not _CJK.search(label, position):
            zh, en = label[:position], label[position + 1:]
            break
    else:
        return label
    language = language or translation.get_language() or "zh-hans"
    return en if language.startswith("en") else zh


@register.filter
def label(value) -> str:
    """Pick the active language's half of a model choice label ("发明 Invention")."""
    return pick_language(value)


@register.filter
def years(value) -> str:
    """Remaining years with one decimal (3.4 年 / 3.4 years)."""
    return _("%(years).1f 年") % {"years": float(value or 0)}


@register.filter
def deal_state(value: str) -> str:
    """A deal state's label in the active language."""
    return pick_language(dict(DealState.choices).get(value, value))


# State machines whose transitions fill a page's timeline (frontend/partials/timeline.html).
MACHINES = {"deal": DealState, "loan": PledgeLoanState, "declaration": OpenLicenceState,
            "contract": LicenceContractState, "licence": LicenceState}


@register.filter
def state_label(value: str, machine: str) -> str:
    """``{{ row.to_state|state_label:"contract" }}``: the state's label in the active language."""
    return pick_language(dict(MACHINES[machine].choices).get(value, value or "—"))
