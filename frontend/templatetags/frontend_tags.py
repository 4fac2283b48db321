"""Template helpers: money, bilingual choice labels, dates and remaining life."""


from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from finance.models import PoolState, ReceivablePledgeState
from market.licensing.models import LicenceContractState, LicenceState, OpenLicenceState
from market.pledges.models import PledgeLoanState
from market.transfers.models import DealState
from market.web.labels import pick_half, pick_language, price_label
from valuation.models import ValuationRequestState

register = template.Library()



@register.filter
def cny(value) -> str:
    """¥1,234,567.00, or 面议 (negotiable) when there is no price."""
    return price_label(value)


@register.filter
def label(value) -> str:
    """Pick the active language's half of a model choice label ("发明 Invention")."""
    return pick_language(value)


@register.filter
def half(value) -> str:
    """The active language's half of a stored "中文 / English" text (a log's reason, an alert, an advice line)."""
    return pick_half(value) if value else value


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
            "contract": LicenceContractState, "licence": LicenceState, "valuation_request": ValuationRequestState,
            "receivable_pledge": ReceivablePledgeState, "pool": PoolState}


@register.filter
def state_label(value: str, machine: str) -> str:
    """``{{ row.to_state|state_label:"contract" }}``: the state's label in the active language."""
    return pick_language(dict(MACHINES[machine].choices).get(value, value or "—"))


@register.simple_tag(takes_context=True)
def sort_header(context, key: str, text: str, css: str = "") -> str:
    """A sortable column's header: a link sorting by ``key`` (again: the other way), marked when active."""
    request = context["request"]
    current = request.GET.get("sort") or context["query"].sort
    params = request.GET.copy()
    params.pop("page", None)
    params["sort"] = f"-{key}" if current == key else key
    mark = " ▲" if current == key else " ▼" if current == f"-{key}" else ""
    sort = "ascending" if current == key else "descending" if current == f"-{key}" else "none"
    return format_html('<th class="{}" aria-sort="{}"><a href="?{}">{}{}</a></th>', css, sort, params.urlencode(),
                       text, mark)
