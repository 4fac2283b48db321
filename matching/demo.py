"""Demo demands and one proposal, added at the end of ``seed_demo`` (idempotent: a second run adds nothing).

The demands go through the services, as users would post them: two by the demo buyer, one entered by
staff on a Taizhou manufacturer's behalf. Staff propose the best match of the first demand once the
search index can rank it (``seed_demo`` without search skips the proposal; a later run adds it).
"""

from __future__ import annotations

from dataclasses import dataclass

from market.demo.accounts import DEMO_ORGANISATIONS
from market.models import Organisation, User

from .matcher import match_demand
from .models import Demand
from .services.demands import demand_create
from .services.proposals import proposal_create

# Proposals of the demo say so; demand texts do not (the words would match every demo listing's note).
DEMO_NOTE = "【演示】"


@dataclass(frozen=True)
class DemoDemand:
    organisation: str   # DemoOrganisation.key
    entered_by: str     # username of a demo account
    title: str
    text: str
    wanted_modes: tuple[str, ...]
    ipc_prefixes: tuple[str, ...] = ()
    budget: tuple[str | None, str | None] = (None, None)
    regions: tuple[str, ...] = ()
    industry: str = ""


DEMO_DEMANDS = (
    DemoDemand("nb_buyer", "buyer", "高镍正极材料及锂电池制备技术",
               "寻求锂电池高镍正极材料的制备与掺杂改性技术，要求循环稳定性好，可用于动力电池量产；"
               "也考虑燃料电池相关专利。", ("transfer", "licence"), ("H01M",), ("300000", "2000000"),
               ("3302", "3304"), "new_materials"),
    DemoDemand("tz_machinery", "staff", "洗衣机排水阀与衣物处理控制技术",
               "需要洗衣机排水阀结构及衣物处理装置的预约控制方法，用于智能家电产品升级。",
               ("transfer", "licence"), ("D06F",), (None, "2000000")),
    DemoDemand("nb_buyer", "buyer", "纳米二氧化硅表面改性与石墨烯复合材料",
               "寻求纳米二氧化硅颗粒表面改性、石墨烯复合纳米纤维素的制备技术，开放许可优先。",
               ("open_licence", "licence"), (), (None, "200000"), (), "new_materials"),
)


def seed_matching_demo() -> tuple[int, int]:
    """Create the demo demands and the proposal that are missing; returns (demands, proposals) created."""
    names = {o.key: o.name for o in DEMO_ORGANISATIONS}
    organisations = {o.name: o for o in Organisation.objects.filter(name__in=names.values())}
    users = {u.username: u for u in User.objects.filter(username__in={d.entered_by for d in DEMO_DEMANDS} | {"staff"})}
    demands, proposals = 0, 0
    first = None
    for spec in DEMO_DEMANDS:
        organisation = organisations.get(names[spec.organisation])
        actor = users.get(spec.entered_by)
        if organisation is None or actor is None:
            continue
        demand = Demand.objects.filter(organisation=organisation, title=spec.title).first()
        if demand is None:
            demand = demand_create(actor=actor, organisation_id=organisation.pk, title=spec.title, text=spec.text,
                                   wanted_modes=spec.wanted_modes, ipc_prefixes=spec.ipc_prefixes,
                                   budget_min=spec.budget[0], budget_max=spec.budget[1], regions=spec.regions,
                                   industry=spec.industry)
            demands += 1
        first = first or demand
    staff = users.get("staff")
    if first is not None and staff is not None and not first.proposals.exists():
        for match in match_demand(first, limit=1):
            proposal_create(demand_id=first.pk, listing_id=match.listing_id, actor=staff,
                            note=f"{DEMO_NOTE}正极材料技术与需求吻合，建议洽谈许可。")
            proposals += 1
    return demands, proposals
