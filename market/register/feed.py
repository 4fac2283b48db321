"""The register-event feed: the patent and trademark offices' data on rights already on the register, applied
once each.

One event per line of a JSON Lines file (``manage.py register_sync FILE``); a patent is named by its
``application_number``, a registered mark by its ``registration_number``::

    {"id": "CNIPA-20260105-000123", "application_number": "201910100000.1", "event": "lapse",
     "date": "2026-01-05"}
    {"id": "TM-20260105-000007", "registration_number": "12345678", "event": "renewal", "date": "2026-01-05"}

``id`` makes an event idempotent: a second run (or a run resumed after a crash) skips what was applied.
The events and what each records: ``grant`` (grant date, in force), ``fee_paid`` (``paid_until``),
``fee_overdue`` (the grace period runs), ``lapse`` (terminated for the unpaid fee), ``invalidation_requested``,
``invalidation_decided`` (``result``: ``invalidated`` or ``upheld``), ``abandoned``, ``holder_change``
(``holders``: name, credit code, share), ``dispute`` / ``preservation`` (``party``) and their ``…_ended``;
for a mark also ``renewal`` (ten more years from the day after the term's end, refused outside the window
of Trademark Law art. 40), ``cancelled`` (注销) and ``revoked`` (撤销).
Each reaches the rules (they read the register), the monitoring of pledged patents (a saved patent) and
the search (``patent_changed``). ``register_expire_due`` records the end of each term, daily.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from market.models import (
    Encumbrance,
    EncumbranceKind,
    LegalStatus,
    Patent,
    PatentKind,
    RegisterEvent,
    RegisterEventKind,
)
from market.models.patents import DESIGN_TERM_CHANGE
from market.models.trademarks import GRACE_MONTHS, TERM_YEARS
from market.rules.trademark import renewal_blockers
from market.signals import patent_changed
from market.validators import normalise_application_number, normalise_trademark_number

from .holders import Holder, holders_replace, record_event

K = RegisterEventKind
SUSPENSIONS = {K.DISPUTE: EncumbranceKind.OWNERSHIP_DISPUTE, K.PRESERVATION: EncumbranceKind.PRESERVATION}
SUSPENSION_ENDS = {K.DISPUTE_ENDED: EncumbranceKind.OWNERSHIP_DISPUTE,
                   K.PRESERVATION_ENDED: EncumbranceKind.PRESERVATION}
TERMINATED = (LegalStatus.LAPSED, LegalStatus.INVALIDATED, LegalStatus.ABANDONED, LegalStatus.EXPIRED)
PATENT_ONLY = (K.GRANT, K.FEE_PAID, K.FEE_OVERDUE, K.LAPSE, K.ABANDONED)
MARK_ONLY = (K.REGISTERED, K.RENEWAL, K.CANCELLED, K.REVOKED)


class FeedError(ValueError):
    """An event the feed cannot apply (malformed, or a right not on the register)."""


@dataclass
class SyncReport:
    applied: int = 0
    already: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"记入 {self.applied} 条，已记入 {self.already} 条，无法记入 {len(self.errors)} 条 / "
                f"applied {self.applied}, already applied {self.already}, refused {len(self.errors)}")


def _date(value, name: str = "date") -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError) as exc:
        raise FeedError(f"{name}: 不是日期 / not a date: {value!r}") from exc


def _holders(rows) -> list[Holder]:
    if not isinstance(rows, list) or not rows:
        raise FeedError("holders: 至少一个权利人 / at least one holder")
    holders = []
    for row in rows:
        name = str((row or {}).get("name") or "").strip()
        if not name:
            raise FeedError("holders: 权利人名称为空 / a holder without a name")
        try:
            share = None if row.get("share") in (None, "") else Decimal(str(row["share"]))
        except InvalidOperation as exc:
            raise FeedError(f"holders: 份额无效 / bad share {row.get('share')!r}") from exc
        holders.append(Holder(name[:200], str(row.get("credit_code") or "").strip().upper()[:18], share))
    return holders


def _patent(event: dict) -> Patent:
    """The right the event is about, locked: a mark by ``registration_number``, else a patent."""
    field, normalise, kinds = (("registration_number", normalise_trademark_number, [PatentKind.TRADEMARK])
                               if event.get("registration_number") else
                               ("application_number", normalise_application_number,
                                [PatentKind.INVENTION, PatentKind.UTILITY_MODEL, PatentKind.DESIGN]))
    try:
        number = normalise(str(event.get(field) or ""))
    except Exception as exc:
        raise FeedError(f"{field}: {exc}") from exc
    patent = Patent.objects.select_for_update().filter(application_number=number, kind__in=kinds).first()
    if patent is None:
        raise FeedError(f"{number}: 登记簿中无此权利 / not on the register")
    return patent


def register_apply(event: dict, *, source: str = "") -> bool:
    """Apply one event of the feed in one transaction; False when its id was applied before."""
    key = str(event.get("id") or "").strip()
    if not key:
        raise FeedError("id: 缺少事件编号 / the event has no id")
    try:
        kind = K(event.get("event"))
    except ValueError as exc:
        raise FeedError(f"event: 未知事件 / unknown event {event.get('event')!r}") from exc
    on = _date(event.get("date"))
    with transaction.atomic():
        patent = _patent(event)
        if kind in (MARK_ONLY if not patent.is_trademark else PATENT_ONLY):
            raise FeedError(f"event: {kind.label} 不适用于{patent.get_kind_display()} / does not apply to this right")
        if kind == K.HOLDER_CHANGE:
            return holders_replace(patent, _holders(event.get("holders")), key=key, on=on, source=source)
        data = {name: value for name, value in event.items() if name not in ("id", "event", "date",
                                                                              "application_number",
                                                                              "registration_number")}
        if RegisterEvent.objects.filter(key=key).exists():
            return False  # applied before: a renewal's window, say, is no longer today's question
        if kind == K.RENEWAL and (refused := renewal_blockers(patent, on)):
            raise FeedError("；".join(reason.message for reason in refused))
        if record_event(patent, key=key, kind=kind, on=on, data=data, source=source) is None:
            return False
        _apply(patent, kind, on, event)
        patent.save()  # the monitoring of pledged patents follows saved patents
        patent_changed(patent.pk)
    return True


def _apply(patent: Patent, kind: str, on: dt.date, event: dict) -> None:
    if kind == K.GRANT:
        patent.grant_date = on
        if patent.legal_status == LegalStatus.PENDING:
            patent.legal_status = LegalStatus.GRANTED
    elif kind == K.FEE_PAID:
        patent.annual_fee_paid_until = _date(event.get("paid_until"), "paid_until")
        patent.annual_fee_overdue = False
    elif kind == K.FEE_OVERDUE:
        patent.annual_fee_overdue = True
    elif kind == K.LAPSE:
        patent.legal_status, patent.annual_fee_overdue = LegalStatus.LAPSED, False
    elif kind == K.INVALIDATION_REQUESTED:
        patent.invalidation_pending = True
    elif kind == K.INVALIDATION_DECIDED:
        result = event.get("result")
        if result not in ("invalidated", "upheld"):
            raise FeedError(f"result: invalidated 或 upheld / invalidated or upheld, not {result!r}")
        patent.invalidation_pending = False
        if result == "invalidated":
            patent.legal_status = LegalStatus.INVALIDATED
    elif kind == K.ABANDONED:
        patent.legal_status = LegalStatus.ABANDONED
    elif kind == K.EXPIRED:
        patent.legal_status = LegalStatus.EXPIRED
    elif kind == K.RENEWAL:  # ten years from the day after the term's end (Trademark Law art. 40)
        mark = patent.mark
        mark.valid_until = mark.valid_until + relativedelta(years=TERM_YEARS)
        mark.save()
    elif kind == K.CANCELLED:
        patent.legal_status = LegalStatus.CANCELLED
    elif kind == K.REVOKED:
        patent.legal_status = LegalStatus.REVOKED
    elif kind in SUSPENSIONS:
        Encumbrance.objects.create(patent=patent, kind=SUSPENSIONS[kind], start_date=on,
                                   beneficiary_name=str(event.get("party") or "")[:200],
                                   registration_number=str(event.get("id"))[:40])
    elif kind in SUSPENSION_ENDS:
        Encumbrance.objects.in_force().filter(patent=patent, kind=SUSPENSION_ENDS[kind]).update(
            released_at=timezone.now(), end_date=on)


def register_sync(path: str | Path, *, source: str | None = None) -> SyncReport:
    """Apply every event of a JSON Lines file, one transaction each; a rerun applies only what is new."""
    path = Path(path)
    source = source or path.name
    report = SyncReport()
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                applied = register_apply(json.loads(line), source=source)
            except (FeedError, json.JSONDecodeError, AttributeError) as exc:
                report.errors.append(f"{path.name}:{number}: {exc}")
                continue
            report.applied += applied
            report.already += not applied
    return report


def past_term(today: dt.date) -> Q:
    """Rights whose term ended before ``today`` (a condition on filing date and kind; a mark's grace period)."""
    def filed_before(years: int) -> dt.date:
        return today - relativedelta(years=years) + dt.timedelta(days=1)

    return (Q(kind=PatentKind.INVENTION, filing_date__lt=filed_before(20))
            | Q(kind=PatentKind.UTILITY_MODEL, filing_date__lt=filed_before(10))
            | Q(kind=PatentKind.DESIGN, filing_date__gte=DESIGN_TERM_CHANGE, filing_date__lt=filed_before(15))
            | Q(kind=PatentKind.DESIGN, filing_date__lt=min(DESIGN_TERM_CHANGE, filed_before(10)))
            | Q(kind=PatentKind.TRADEMARK, mark__valid_until__lt=today - relativedelta(months=GRACE_MONTHS)))


def register_expire_due(*, today: dt.date | None = None) -> int:
    """Daily: patents in force whose term has ended are recorded expired (期限届满)."""
    today = today or timezone.localdate()
    count = 0
    for pk in Patent.objects.filter(past_term(today), legal_status=LegalStatus.GRANTED).values_list("pk", flat=True):
        with transaction.atomic():
            patent = Patent.objects.select_for_update().get(pk=pk)
            if patent.legal_status != LegalStatus.GRANTED or patent.protected_until >= today:
                continue
            record_event(patent, key=f"expired:{patent.application_number}", kind=K.EXPIRED,
                         on=patent.expiry_date + dt.timedelta(days=1))
            patent.legal_status = LegalStatus.EXPIRED
            patent.save()
            patent_changed(patent.pk)
            count += 1
    return count
