"""A registered mark's own facts on the register (its right row is a ``Patent`` of kind ``trademark``), and the
staff's decisions whether two marks are similar.

Term (Trademark Law art. 39-40): ten years from registration; a renewal, applied for in the twelve months
before the term ends or in the six months' grace after it, adds ten years counted from the day after the
term's end. A mark not renewed by the end of the grace period is cancelled (its status derived from these
dates: ``Patent.status_on``).
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pypinyin import lazy_pinyin

from .organisations import User
from .patents import Patent

RENEWAL_WINDOW_MONTHS = 12
GRACE_MONTHS = 6
TERM_YEARS = 10


def first_term_end(registered: dt.date) -> dt.date:
    """The day before the tenth anniversary of registration."""
    return registered + relativedelta(years=TERM_YEARS) - dt.timedelta(days=1)


def pinyin(text: str) -> str:
    """The mark's text in toneless pinyin, one word per character (``lishuishangeng``-style search)."""
    return " ".join(lazy_pinyin(text or "")).lower()


class MarkType(models.TextChoices):
    WORD = "word", "文字商标 Word mark"
    FIGURATIVE = "figurative", "图形商标 Figurative mark"
    COMBINED = "combined", "组合商标 Combined mark"


class TrademarkRecord(models.Model):
    """The mark, its goods and its current term, as the trademark office's register gives them.

    ``goods`` is the list of designated goods or services, each ``{"nice_class": 30, "group": "3002",
    "name": "茶"}``; ``nice_classes`` and ``similar_groups`` are derived from it (for filters and the rules).
    """

    right = models.OneToOneField(Patent, on_delete=models.CASCADE, primary_key=True, related_name="mark")
    mark_text = models.CharField(_("商标文字"), max_length=100)
    mark_pinyin = models.CharField(_("拼音"), max_length=400, blank=True)
    mark_type = models.CharField(_("商标类型"), max_length=12, choices=MarkType.choices, default=MarkType.WORD)
    image = models.FileField(_("商标图样"), upload_to="marks/", blank=True)
    goods = models.JSONField(_("核定使用商品/服务"), default=list)
    nice_classes = models.JSONField(_("国际分类"), default=list)
    similar_groups = models.JSONField(_("类似群"), default=list)
    valid_until = models.DateField(_("专用权期限至"))

    class Meta:
        verbose_name = _("注册商标")

    def __str__(self) -> str:
        return f"{self.mark_text}（第{self.right.application_number}号）"

    def save(self, *args, **kwargs):
        self.mark_pinyin = pinyin(self.mark_text)
        self.nice_classes = sorted({int(item["nice_class"]) for item in self.goods})
        self.similar_groups = sorted({str(item["group"]) for item in self.goods})
        super().save(*args, **kwargs)

    @property
    def class_labels(self) -> list[str]:
        """``第30类 方便食品`` for each class of the goods."""
        from market.trademarks.nice import class_label

        return [class_label(number) for number in self.nice_classes]

    @property
    def grace_until(self) -> dt.date:
        """The last day of the six months' grace after the term (宽展期)."""
        return self.valid_until + relativedelta(months=GRACE_MONTHS)

    @property
    def renewal_opens(self) -> dt.date:
        """The first day a renewal may be applied for: twelve months before the term ends."""
        return self.valid_until - relativedelta(months=RENEWAL_WINDOW_MONTHS) + dt.timedelta(days=1)

    def in_grace(self, on: dt.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.valid_until < on <= self.grace_until


class MarkSimilarity(models.Model):
    """Staff's decision whether two marks are similar (近似商标), with its reason: the rules of transfer and
    pledge then require a holder's similar marks on similar goods to go together (Trademark Law art. 42)."""

    mark = models.ForeignKey(Patent, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Patent, on_delete=models.CASCADE, related_name="+")
    similar = models.BooleanField(_("近似"))
    reason = models.CharField(_("理由"), max_length=1000)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("决定时间"), default=timezone.now)

    class Meta:
        verbose_name = _("商标近似判定")
        constraints = [models.UniqueConstraint(fields=["mark", "other"], name="uniq_mark_similarity"),
                       models.CheckConstraint(condition=models.Q(mark__lt=models.F("other")),
                                              name="mark_similarity_ordered")]
