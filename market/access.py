"""Who may act and see: the checks every service, API view and page shares.

Privileged powers come from ``Organisation.acts_as`` (kind and verification, never the kind alone);
these helpers turn it into refusals and into the "own organisation or staff" querysets.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from market.models import Organisation, OrganisationKind, User
from market.services.errors import ActionForbidden

STAFF_ONLY = "只有交易中心工作人员可以执行此操作 / Only trading-centre staff may do this"


def member_of(user: User | None) -> Organisation | None:
    """The organisation an active, signed-in user acts for (None for anyone else)."""
    if user is None or not user.is_authenticated or not user.is_active or user.organisation_id is None:
        return None
    return user.organisation


def require_member(actor: User | None) -> Organisation:
    """The actor's organisation; refused for a user who belongs to none."""
    org = member_of(actor)
    if org is None:
        raise ActionForbidden("请使用机构账户登录 / Sign in with an organisation account")
    return org


def require_centre_staff(actor: User | None, message: str = STAFF_ONLY) -> None:
    """Refused unless the actor works for a verified trading centre."""
    if actor is None or not actor.is_authenticated or not actor.is_centre_staff:
        raise ActionForbidden(message)


def require_organisation_admin(actor: User | None) -> Organisation:
    """The administrator's organisation; refused for anyone else."""
    org = require_member(actor)
    if not actor.is_organisation_admin:
        raise ActionForbidden("只有机构管理员可以执行此操作 / Only the organisation's administrator may do this")
    return org


def require_counterparty(actor: User | None, unverified_message: str) -> Organisation:
    """The actor's organisation if it may buy, take a licence or bid: verified, and not the trading centre,
    which certifies the deals and runs the registries and auctions (it is never a party to them)."""
    org = member_of(actor)
    if org is None or not org.verified:
        raise ActionForbidden(unverified_message)
    if org.kind == OrganisationKind.TRADING_CENTRE:
        raise ActionForbidden("交易中心不作为交易一方 / The trading centre is never a party to a deal")
    return org


def consenting_q(model, organisation_id: int, prefix: str) -> Q:
    """A condition: the object's patent (through ``prefix``) is co-owned by the organisation, or pledged to it
    and not released; co-owners and pledgees see what needs their consent.

    Each way is a subquery of ids, found through the holder's or the pledgee's index: one query joining every
    object with its patents, their holders and their pledges, then filtered by the OR, read every object (the
    deal list grew with the deals)."""
    co_owned = model.objects.filter(**{f"{prefix}ownerships__organisation_id": organisation_id})
    pledged = model.objects.filter(**{f"{prefix}encumbrances__beneficiary_id": organisation_id,
                                      f"{prefix}encumbrances__kind": "pledge",
                                      f"{prefix}encumbrances__released_at__isnull": True})
    return Q(pk__in=co_owned.values("pk")) | Q(pk__in=pledged.values("pk"))


def own_or_staff(queryset: QuerySet, user: User | None, *fields: str, public: Q | None = None,
                 consenting: str | None = None) -> QuerySet:
    """``queryset`` narrowed to what ``user`` may see: the one visibility rule of every object.

    Staff see every row; a member sees the rows whose ``fields`` (organisation foreign keys, or lookups
    ending in one) name its organisation, the ``public`` rows, and, with ``consenting`` (the lookup to the
    object's patents), the rows whose patent it co-owns or holds in pledge; anyone else sees ``public`` only.
    """
    org = member_of(user)
    if org is not None and user.is_centre_staff:
        return queryset
    condition = public if public is not None else Q(pk__in=[])
    if org is not None:
        for field in fields:
            condition |= Q(**{field: org.pk})
        if consenting is not None:
            condition |= consenting_q(queryset.model, org.pk, consenting)
    return queryset.filter(condition)
