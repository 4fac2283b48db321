"""Staff's decision whether two marks are similar: one transaction, logged on the mark, read by the rules."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from market.access import require_centre_staff
from market.models import MarkSimilarity, Patent, PatentKind, TransitionLog, User
from market.services.errors import require_reason


def mark_similarity_decide(*, actor: User, mark_id: int, other_id: int, similar: bool, reason: str) -> MarkSimilarity:
    """Record (or revise) whether two registered marks are similar, with the reason (Trademark Law art. 42)."""
    require_centre_staff(actor, "只有交易中心工作人员可以判定商标近似 / Only trading-centre staff decide similarity")
    reason = require_reason(reason, "请填写判定理由 / Give the reason of the decision")
    if mark_id == other_id:
        raise ValidationError({"other_id": ["请选择另一件商标 / Choose another mark"]})
    low, high = sorted((int(mark_id), int(other_id)))
    with transaction.atomic():
        marks = {m.pk: m for m in Patent.objects.select_for_update().filter(pk__in=(low, high),
                                                                              kind=PatentKind.TRADEMARK)}
        if len(marks) != 2:
            raise ValidationError({"other_id": ["两件均须为登记簿中的注册商标 / Both must be registered marks"]})
        decision, _ = MarkSimilarity.objects.update_or_create(
            mark_id=low, other_id=high,
            defaults={"similar": similar, "reason": reason[:1000], "decided_by": actor, "decided_at": timezone.now()})
        verdict = "近似 / similar" if similar else "不近似 / not similar"
        for right, other in ((marks[low], marks[high]), (marks[high], marks[low])):
            TransitionLog.record(right, transition="mark_similarity", from_state="", to_state="", actor=actor,
                                 reason=f"与第{other.application_number}号商标{verdict}：{reason}")
    return decision
