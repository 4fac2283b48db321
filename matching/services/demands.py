"""Demands: post (for one's own organisation, or staff on a company's behalf), edit while open,
withdraw, close, reopen. Each state change is logged in market's TransitionLog."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from market.models import Organisation, TransitionLog, User
from market.services.errors import ActionForbidden, state_refusal
from market.services.transitions import apply_transition

from .. import locks
from ..models import Demand, DemandState
from ..validation import demand_fields
from .common import require_manager

EDITABLE = ("title", "text", "wanted_modes", "industry", "ipc_prefixes", "budget_min", "budget_max", "regions")


def _organisation_for(actor: User, organisation_id: int | None) -> Organisation:
    if actor.organisation_id is None:
        raise ActionForbidden("请使用机构账户登录 / Sign in with an organisation account")
    if not actor.is_centre_staff:
        if organisation_id not in (None, actor.organisation_id):
            raise ActionForbidden("只能为本机构发布需求 / You may post demands only for your own organisation")
        return actor.organisation
    if organisation_id is None:
        raise ValidationError({"organisation": ["请选择需求方机构 / Choose the organisation the demand is for"]})
    try:
        return Organisation.objects.get(pk=organisation_id)
    except Organisation.DoesNotExist:
        raise ValidationError({"organisation": ["机构不存在 / No such organisation"]}) from None


def demand_create(*, actor: User, title: str, text: str, wanted_modes: Iterable[str], industry: str = "",
                  ipc_prefixes: Iterable[str] = (), budget_min: Decimal | str | None = None,
                  budget_max: Decimal | str | None = None, regions: Iterable[str] = (),
                  organisation_id: int | None = None) -> Demand:
    """Post a demand for the actor's organisation, or (staff) for ``organisation_id``."""
    organisation = _organisation_for(actor, organisation_id)
    data = demand_fields(title=title, text=text, wanted_modes=wanted_modes, industry=industry,
                         ipc_prefixes=ipc_prefixes, budget_min=budget_min, budget_max=budget_max, regions=regions)
    with transaction.atomic():
        demand = Demand.objects.create(organisation=organisation, created_by=actor, **data)
        on_behalf = "" if organisation.pk == actor.organisation_id else f"代 {organisation.name} 录入 / entered on behalf"
        TransitionLog.record(demand, transition="create", from_state="", to_state=demand.state, actor=actor,
                             reason=on_behalf)
    return demand


def demand_update(*, demand_id: int, actor: User, **changes) -> Demand:
    """Change an open demand's fields (any of EDITABLE); the others keep their values."""
    if unknown := set(changes) - set(EDITABLE):
        raise ValueError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        demand = locks.demand(demand_id)
        require_manager(demand, actor)
        if demand.state != DemandState.OPEN:
            raise state_refusal(demand, "修改需求")
        data = demand_fields(**{name: changes.get(name, getattr(demand, name)) for name in EDITABLE})
        for name, value in data.items():
            setattr(demand, name, value)
        demand.save(update_fields=[*data, "updated_at"])
    return demand


def _transition(demand_id: int, actor: User, name: str, label: str, reason: str) -> Demand:
    with transaction.atomic():
        demand = locks.demand(demand_id)
        require_manager(demand, actor)
        apply_transition(demand, name, actor=actor, reason=reason, label=label)
    return demand


def demand_withdraw(*, demand_id: int, actor: User, reason: str = "") -> Demand:
    """The demand is no longer wanted (its organisation or staff)."""
    return _transition(demand_id, actor, "withdraw", "撤回需求", reason)


def demand_close(*, demand_id: int, actor: User, reason: str = "") -> Demand:
    """The demand is settled (a deal, or found elsewhere)."""
    return _transition(demand_id, actor, "close", "关闭需求", reason)


def demand_reopen(*, demand_id: int, actor: User, reason: str = "") -> Demand:
    """A matched demand goes back to the pool (the match did not lead anywhere)."""
    return _transition(demand_id, actor, "reopen", "重新征集", reason)
