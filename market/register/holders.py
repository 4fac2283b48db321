"""The holders the register records for a right, and their change."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from market.models import Organisation, Patent, PatentOwner, RegisterEvent, RegisterEventKind
from market.money import ZERO
from market.signals import patent_changed


@dataclass(frozen=True)
class Holder:
    """A holder as the register names it; ``organisation`` when it is a platform organisation already."""

    name: str
    credit_code: str = ""
    share: Decimal | None = None
    organisation: Organisation | None = None

    @classmethod
    def of(cls, organisation: Organisation, share: Decimal | None = None) -> Holder:
        return cls(organisation.name, organisation.credit_code, share, organisation)


def shares(patent: Patent) -> dict[int, Decimal]:
    """Holder row id → its share of the right in percent (recorded shares, else equal shares)."""
    rows = list(patent.ownerships.all())
    if not rows:
        return {}
    if all(row.share is not None for row in rows) and sum(row.share for row in rows) > ZERO:
        return {row.pk: row.share for row in rows}
    equal = Decimal(100) / len(rows)
    return {row.pk: equal for row in rows}


@dataclass(frozen=True)
class JointShare:
    """One holder's share of several rights taken together (percent), by the register's name."""

    name: str
    organisation: Organisation | None
    share: Decimal


def joint_shares(patents: list[Patent]) -> list[JointShare]:
    """Each holder of ``patents`` with its share of the whole: the mean of its shares of each (a holder of one
    of two patents holds half of its share of that one), in the register's order."""
    totals: dict[str, Decimal] = {}
    organisations: dict[str, Organisation | None] = {}
    for patent in patents:
        by_row = shares(patent)
        for row in patent.ownerships.select_related("organisation").order_by("pk"):
            totals[row.name] = totals.get(row.name, ZERO) + by_row[row.pk] / len(patents)
            organisations[row.name] = organisations.get(row.name) or row.organisation
    return [JointShare(name, organisations[name], total.quantize(Decimal("0.0001"))) for name, total in totals.items()]


def record_event(patent: Patent, *, key: str, kind: str, on: dt.date, data: dict | None = None,
                 source: str = "") -> RegisterEvent | None:
    """Record one event of ``patent``'s register history; None when ``key`` was recorded before."""
    try:
        with transaction.atomic():
            return RegisterEvent.objects.create(
                key=key, right_type=ContentType.objects.get_for_model(Patent), right_id=patent.pk, kind=kind,
                effective_date=on, data=data or {}, source=source)
    except IntegrityError:
        return None


def holders_replace(patent: Patent, holders: list[Holder], *, key: str, on: dt.date | None = None,
                    source: str = "", data: dict | None = None) -> bool:
    """The register's holders of ``patent`` become ``holders`` (inside the caller's transaction).

    A holder that stays keeps its row, its claim and its co-ownership agreement; the others leave. Recorded
    once in the history under ``key``; False (nothing changed) when that key was applied before.
    """
    on = on or timezone.localdate()
    names = [holder.name for holder in holders]
    event = record_event(patent, key=key, kind=RegisterEventKind.HOLDER_CHANGE, on=on, source=source,
                         data={**(data or {}), "holders": [{"name": h.name, "credit_code": h.credit_code,
                                                            "share": None if h.share is None else str(h.share)}
                                                           for h in holders]})
    if event is None:
        return False
    PatentOwner.objects.filter(patent=patent).exclude(name__in=names).delete()
    kept = {row.name: row for row in PatentOwner.objects.filter(patent=patent)}
    now = timezone.now()
    for holder in holders:
        row = kept.get(holder.name) or PatentOwner(patent=patent, name=holder.name, since=on)
        row.credit_code = (holder.credit_code or row.credit_code).upper()
        row.share = holder.share
        if holder.organisation is not None and row.organisation_id != holder.organisation.pk:
            row.organisation, row.claimed_at = holder.organisation, now
        row.save()
    patent_changed(patent.pk)  # holder names are searchable
    return True
