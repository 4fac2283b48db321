"""Checks shared by several acts: status, fees, suspension, register holder, consents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from market.models import (
    Consent,
    ConsentCapacity,
    Encumbrance,
    EncumbranceKind,
    LegalStatus,
    Organisation,
    Patent,
)

from .base import Reason
from .trademark import mark_status_reasons

STATUS_REASONS = {
    LegalStatus.PENDING: ("not_granted", "专利申请尚未授权 / The application has not been granted"),
    LegalStatus.LAPSED: ("lapsed", "专利权因未缴年费终止 / The patent lapsed for an unpaid annual fee"),
    LegalStatus.EXPIRED: ("expired", "专利权期限届满 / The patent's term has expired"),
    LegalStatus.INVALIDATED: ("invalidated", "专利权已被宣告无效 / The patent has been declared invalid"),
    LegalStatus.ABANDONED: ("abandoned", "专利权已放弃 / The patent has been abandoned"),
}


def noun(right: Patent) -> str:
    """What the right is called in a reason: 专利权 or 商标专用权."""
    return "商标专用权" if right.is_trademark else "专利权"


def in_force_reasons(patent: Patent, rule: str) -> list[Reason]:
    """The patent must be granted, not terminated, and within its term (a mark: registered and standing)."""
    if patent.is_trademark:
        return mark_status_reasons(patent, rule)
    if patent.legal_status in STATUS_REASONS:
        code, message = STATUS_REASONS[patent.legal_status]
        return [Reason(code, rule, message)]
    if not patent.in_force:
        return [Reason("expired", rule, "专利权期限届满 / The patent's term has expired")]
    return []


def annual_fee_reasons(patent: Patent, rule: str) -> list[Reason]:
    if patent.annual_fee_overdue:
        return [Reason("annual_fee_unpaid", rule, "专利年费未缴纳（滞纳期内） / The annual fee is unpaid (grace period)")]
    return []


def active(patent: Patent, *kinds: str, ignore: int | None = None) -> models.QuerySet[Encumbrance]:
    """Encumbrances of ``kinds`` in force on ``patent`` (``ignore``: the pk of the act's own entry)."""
    return Encumbrance.objects.in_force().filter(patent=patent, kind__in=kinds).exclude(pk=ignore)


def suspension_reasons(patent: Patent, rule: str) -> list[Reason]:
    """Ownership dispute (中止) or court preservation (保全) suspends every procedure."""
    reasons = []
    if active(patent, EncumbranceKind.OWNERSHIP_DISPUTE).exists():
        reasons.append(Reason("ownership_dispute", rule,
                              "权属纠纷，有关程序已中止 / Ownership is disputed: procedures are suspended"))
    if active(patent, EncumbranceKind.PRESERVATION).exists():
        reasons.append(Reason("court_preservation", rule,
                              f"{noun(patent)}被人民法院采取保全措施（查封、冻结） / The right is seized or frozen by a "
                              f"court"))
    return reasons


def holder_reasons(patent: Patent, actor_org: Organisation, rule: str) -> list[Reason]:
    """The organisation acting must be a holder recorded in the register."""
    if not patent.ownerships.filter(organisation=actor_org).exists():
        holder = ("商标注册人", "registered holder of the mark") if patent.is_trademark else ("专利权人", "patentee")
        return [Reason("not_registered_holder", rule,
                       f"{actor_org.name} 不是登记的{holder[0]} / {actor_org.name} is not the registered {holder[1]}")]
    return []


def has_consent(patent: Patent, org_id: int, capacity: str, purpose: str, deal: models.Model | None) -> bool:
    if deal is None or deal.pk is None:
        return False
    return Consent.objects.filter(
        patent=patent, organisation_id=org_id, capacity=capacity, purpose=purpose,
        deal_type=ContentType.objects.get_for_model(deal), deal_id=deal.pk,
    ).exists()


def co_owner_reasons(patent: Patent, actor_org: Organisation, purpose: str, deal: models.Model | None,
                     rule: str) -> list[Reason]:
    """Every other co-owner must consent, unless the co-ownership agreement lets the actor act alone (Patent Law
    art. 14; a co-owned mark has no such exception)."""
    ownerships = list(patent.ownerships.all())
    if len(ownerships) < 2:
        return []
    actor = next((o for o in ownerships if o.organisation_id == actor_org.pk), None)
    if actor is not None and actor.agreement_allows_sole_action and not patent.is_trademark:
        return []
    missing = [o.name if o.joined else f"{o.name}（尚未加入平台 / not yet on the platform）" for o in ownerships
               if o.organisation_id != actor_org.pk
               and not (o.joined and has_consent(patent, o.organisation_id, ConsentCapacity.CO_OWNER, purpose, deal))]
    if missing:
        names = "、".join(missing)
        return [Reason("co_owner_consent_missing", rule,
                       f"共有{'商标' if patent.is_trademark else '专利'}需全体共有人同意，尚缺：{names} / "
                       f"Co-owned right: consent missing from {names}")]
    return []


def active_pledges(patent: Patent) -> models.QuerySet[Encumbrance]:
    return active(patent, EncumbranceKind.PLEDGE).select_related("beneficiary")


def pledgee_reasons(patent: Patent, purpose: str, deal: models.Model | None, rule: str) -> list[Reason]:
    """A registered pledge blocks the act unless each pledgee recorded its consent to this deal."""
    reasons = []
    for pledge in active_pledges(patent):
        if pledge.beneficiary_id and has_consent(patent, pledge.beneficiary_id, ConsentCapacity.PLEDGEE, purpose, deal):
            continue
        name = pledge.holder_label
        reasons.append(Reason("pledged_without_consent", rule,
                              f"{noun(patent)}已质押给{name}，未取得质权人同意 / Pledged to {name} without the pledgee's "
                              f"consent"))
    return reasons


def licences_during(patent: Patent, *kinds: str, start: dt.date | None = None, end: dt.date | None = None,
                    ignore: int | None = None) -> models.QuerySet[Encumbrance]:
    """Licences of ``kinds`` on ``patent``, not released, whose term meets the term from ``start`` (today) to
    ``end`` (open): those in force, and those registered to start later, which a new licence may not overlap."""
    start = start or timezone.localdate()
    licences = (Encumbrance.objects.filter(patent=patent, kind__in=kinds, released_at__isnull=True)
                .filter(Q(end_date__isnull=True) | Q(end_date__gte=start)).exclude(pk=ignore))
    if end is not None:
        licences = licences.filter(Q(start_date__isnull=True) | Q(start_date__lte=end))
    return licences.order_by("start_date", "pk")


def exclusive_licence_reasons(patent: Patent, rule: str, kinds: Iterable[str] | None = None,
                              ignore: int | None = None, start: dt.date | None = None,
                              end: dt.date | None = None) -> list[Reason]:
    """An exclusive or sole licence in force, or registered to start within the term from ``start`` to ``end``."""
    kinds = tuple(kinds or (EncumbranceKind.EXCLUSIVE_LICENCE, EncumbranceKind.SOLE_LICENCE))
    today = timezone.localdate()
    reasons = []
    for licence in licences_during(patent, *kinds, start=start, end=end, ignore=ignore):
        kind, holder = licence.get_kind_display(), licence.holder_label
        if licence.start_date is None or licence.start_date <= today:
            reasons.append(Reason("exclusive_licence_in_force", rule,
                                  f"存在有效的{kind}（{holder}） / A {kind} to {holder} is in force"))
        else:
            reasons.append(Reason("exclusive_licence_registered", rule,
                                  f"已登记自 {licence.start_date:%Y-%m-%d} 起的{kind}（{holder}），期限重叠 / "
                                  f"A {kind} to {holder} registered from {licence.start_date:%Y-%m-%d} overlaps "
                                  f"this term"))
    return reasons
