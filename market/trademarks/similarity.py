"""Similar marks (近似商标): which marks' text reads or sounds alike, on which similar goods.

Similarity of goods is the similar-goods table's (market/trademarks/nice.py: one similar group). Similarity of
the mark itself is a matter of judgement: the score below only proposes candidates (identical text, the same
pinyin, or one text holding most of the other's characters in order); trading-centre staff decide, with a
reason (``MarkSimilarity``), and the rules of transfer and pledge read their decision.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.db.models import Q

from market.models import LegalStatus, MarkSimilarity, Patent, PatentKind

# A candidate from this score up is shown to staff and waits for their decision in the rules.
CANDIDATE_SCORE = 0.5


def text_key(text: str) -> str:
    """The mark's text compared: full-width folded to half-width, case and spaces and punctuation dropped."""
    folded = unicodedata.normalize("NFKC", text or "").lower()
    return "".join(ch for ch in folded if ch.isalnum())


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)} or {text}


def text_score(a: str, b: str, pinyin_a: str = "", pinyin_b: str = "") -> float:
    """1.0 for identical text, 0.9 for the same pinyin (sounds alike), else the Dice coefficient of the texts'
    character pairs, at least 0.6 when one text contains the other whole (a mark inside a longer one)."""
    a, b = text_key(a), text_key(b)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if pinyin_a and pinyin_a.replace(" ", "") == pinyin_b.replace(" ", ""):
        return 0.9
    pairs_a, pairs_b = _bigrams(a), _bigrams(b)
    dice = 2 * len(pairs_a & pairs_b) / (len(pairs_a) + len(pairs_b))
    return max(dice, 0.6) if (a in b or b in a) else dice


@dataclass(frozen=True)
class SimilarMark:
    """A registered mark resembling another, with the similar groups of goods they share."""

    right: Patent
    score: float
    shared_groups: tuple[str, ...]
    decision: MarkSimilarity | None

    @property
    def identical(self) -> bool:
        return self.score == 1.0

    @property
    def similar(self) -> bool | None:
        """True or False as decided (identical text needs no decision); None while undecided."""
        if self.identical:
            return True
        return None if self.decision is None else self.decision.similar


def decision_between(a: Patent, b: Patent) -> MarkSimilarity | None:
    """Staff's latest decision on these two signs: recorded for these marks or for any marks of the same texts
    (whether two marks are similar is a question of their signs, decided once)."""
    text_a, text_b = a.mark.mark_text, b.mark.mark_text
    same_signs = (Q(mark__mark__mark_text=text_a, other__mark__mark_text=text_b)
                  | Q(mark__mark__mark_text=text_b, other__mark__mark_text=text_a))
    return MarkSimilarity.objects.filter(same_signs).order_by("-decided_at", "-pk").first()


def similar_marks(right: Patent, *, candidates: Q | None = None, min_score: float = CANDIDATE_SCORE) -> list[SimilarMark]:
    """Registered marks (not cancelled, revoked or invalidated) on goods similar to ``right``'s whose text
    scores at least ``min_score`` against it, best first; ``candidates`` narrows where to look (a holder's)."""
    mark = right.mark
    groups = set(mark.similar_groups)
    chars = set(text_key(mark.mark_text))
    looked = (Patent.objects.filter(kind=PatentKind.TRADEMARK, legal_status=LegalStatus.GRANTED)
              .exclude(pk=right.pk).select_related("mark"))
    if candidates is not None:
        looked = looked.filter(candidates)
    if chars:  # a similar text shares a character or the sound (pinyin compared below)
        looked = looked.filter(Q(*[Q(mark__mark_text__contains=ch) for ch in chars], _connector=Q.OR)
                               | Q(mark__mark_pinyin=mark.mark_pinyin))
    found = []
    for other in looked:
        shared = tuple(sorted(groups & set(other.mark.similar_groups)))
        if not shared:
            continue
        score = text_score(mark.mark_text, other.mark.mark_text, mark.mark_pinyin, other.mark.mark_pinyin)
        if score >= min_score:
            found.append(SimilarMark(other, round(score, 3), shared, decision_between(right, other)))
    return sorted(found, key=lambda s: (-s.score, s.right.application_number))
