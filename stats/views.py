"""The cockpit page: a shell whose charts, map and tables read /api/v1/stats/ (stats/static/stats/cockpit.js)."""

from django.shortcuts import render

from market.web.labels import pick_half, pick_language

from .access import audience_of
from .indicators import GROUPS, INDICATORS
from .selectors import freshness


def cockpit(request):
    audience = audience_of(request.user)
    groups = [{"label": pick_half(f"{zh} / {en}"),
               "indicators": [{"key": i.key, "label": pick_language(f"{i.label} {i.label_en}"), "bank": i.has_bank,
                               "kind": i.has_kind}
                              for i in INDICATORS.values() if i.group == key]} for key, (zh, en) in GROUPS.items()]
    return render(request, "stats/cockpit.html", {
        "nav": "stats", "groups": groups, "staff": audience.staff, "bank": audience.bank_id is not None,
        "freshness": freshness()})
