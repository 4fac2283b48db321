"""The registered trademark's own rules (Trademark Law art. 39-43, Civil Code art. 440 and 444, the trademark
office's procedure for registering pledges): term and renewal, the mark's status, and the duty to transfer or
pledge together a holder's identical or similar marks on the same or similar goods.

A mark's reasons carry the rule ``trademark_<act>`` so that their legal source is the trademark law's
(market/rules/sources.py); the acts themselves (transfer.py, licence.py, pledge.py) call in here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from market.models import LegalStatus, Organisation, Patent

from .base import Reason

RENEWAL = "trademark_renewal"

MARK_STATUS_REASONS = {
    LegalStatus.PENDING: ("not_registered", "商标尚未核准注册 / The mark is not registered"),
    LegalStatus.EXPIRED: ("mark_expired", "注册商标有效期满未续展，已注销 / The mark's term ended without renewal: "
                                          "it is cancelled"),
    LegalStatus.CANCELLED: ("mark_cancelled", "注册商标已注销 / The registration has been cancelled"),
    LegalStatus.REVOKED: ("mark_revoked", "注册商标已被撤销 / The registration has been revoked"),
    LegalStatus.INVALIDATED: ("invalidated", "注册商标已被宣告无效 / The registration has been declared invalid"),
}


def rule_for(act: str, right: Patent) -> str:
    """The rule a reason about ``right`` cites: ``trademark_<act>`` for a mark, else ``act``."""
    return f"trademark_{act}" if right.is_trademark else act


def mark_status_reasons(right: Patent, rule: str) -> list[Reason]:
    """A mark must be registered and stand: not cancelled, revoked, invalidated, or past its grace period
    unrenewed (Trademark Law art. 40)."""
    status = right.current_status
    if status not in MARK_STATUS_REASONS:
        return []
    code, message = MARK_STATUS_REASONS[status]
    return [Reason(code, rule, message)]


def renewal_blockers(right: Patent, on: dt.date | None = None) -> list[Reason]:
    """Reasons a renewal of ``right`` may not be registered on ``on``: only a registered mark, in the twelve
    months before its term ends or the six months' grace after (Trademark Law art. 40)."""
    on = on or timezone.localdate()
    if not right.is_trademark:
        return [Reason("not_a_mark", RENEWAL, "只有注册商标可以续展 / Only a registered mark is renewed")]
    if right.legal_status != LegalStatus.GRANTED:
        return mark_status_reasons(right, RENEWAL)
    mark = right.mark
    if on < mark.renewal_opens:
        return [Reason("renewal_too_early", RENEWAL,
                       f"续展须在有效期满前十二个月内（{mark.renewal_opens:%Y-%m-%d} 起）申请 / A renewal is applied "
                       f"for in the twelve months before the term ends (from {mark.renewal_opens:%Y-%m-%d})")]
    if on > mark.grace_until:
        return [Reason("renewal_too_late", RENEWAL,
                       f"宽展期已于 {mark.grace_until:%Y-%m-%d} 届满，商标已注销 / The grace period ended on "
                       f"{mark.grace_until:%Y-%m-%d}: the mark is cancelled")]
    return []


def companion_reasons(rights: Iterable[Patent], holder: Organisation, act: str,
                      about: Iterable[Patent] | None = None) -> list[Reason]:
    """A holder transferring (Trademark Law art. 42) or pledging (the office's pledge procedure) a mark must
    include, in the same deal, its identical marks on similar goods and the marks staff decided similar;
    a mark whose similarity staff have not yet decided holds the deal until they do. ``about``: only the
    companions of these rights of the deal (default: all)."""
    from market.trademarks.similarity import similar_marks  # the lookup reads the register: imported late

    rights = [right for right in rights if right.is_trademark]
    included = {right.pk for right in rights}
    reasons: list[Reason] = []
    seen: set[int] = set()
    for right in (rights if about is None else [right for right in about if right.is_trademark]):
        rule = rule_for(act, right)
        for candidate in similar_marks(right, candidates=Q(ownerships__organisation=holder)):
            other = candidate.right
            if other.pk in included or other.pk in seen or candidate.similar is False:
                continue
            seen.add(other.pk)
            groups = "、".join(candidate.shared_groups)
            label = f"“{other.mark.mark_text}”（第{other.application_number}号）"
            if candidate.similar:
                kind = "相同" if candidate.identical else "近似"
                reasons.append(Reason("companion_mark_missing", rule,
                                      f"{label}是同一注册人在类似商品（类似群 {groups}）上的{kind}商标，须一并办理 / "
                                      f"{other.mark.mark_text} (No. {other.application_number}) is the holder's "
                                      f"{'identical' if candidate.identical else 'similar'} mark on similar goods "
                                      f"(groups {groups}): it must be included"))
            else:
                reasons.append(Reason("mark_similarity_undecided", rule,
                                      f"{label}与本商标可能近似（类似群 {groups}），待交易中心判定 / "
                                      f"{other.mark.mark_text} (No. {other.application_number}) may be similar on "
                                      f"similar goods (groups {groups}): awaiting the trading centre's decision"))
    return reasons


def not_for_marks(right: Patent, act: str, act_label: str) -> list[Reason]:
    """Acts of the Patent Law alone (open licence, abandonment of a patent) refused for a mark."""
    if right.is_trademark:
        return [Reason("not_for_marks", rule_for(act, right), f"{act_label}仅适用于专利 / This act applies to "
                                                              f"patents only")]
    return []
