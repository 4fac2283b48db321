"""Labels in the active language, for every app's pages and forms."""

import re

from django.utils import translation
from django.utils.translation import gettext as _

from market.money import format_cny

# A bilingual label such as "发明 Invention" or "10–50万元 ¥100k–500k": Chinese, a space, then no more Chinese.
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
# " / " followed by an English word (two letters or more), or by an amount or a number and then an English
# word ("¥1,000.00 held in escrow", "30% of the term"): where the English half of "中文 / English" begins.
_HALVES = re.compile(r" / (?=[A-Za-z]{2,}\b|[AI] [a-z]{2,}|[¥\d][\d,.%]*\s+[A-Za-z]{2,}\b)")


def pick_language(label: str, language: str | None = None) -> str:
    """The part of a bilingual label for the active language (the whole label if not bilingual)."""
    label = str(label)
    for position, char in enumerate(label):
        if char == " " and _CJK.search(label, 0, position) and not _CJK.search(label, position):
            zh, en = label[:position], label[position + 1:]
            break
    else:
        return label
    language = language or translation.get_language() or "zh-hans"
    return en if language.startswith("en") else zh


def price_label(value) -> str:
    """¥1,234,567.00, or 面议 (negotiable) when there is no price."""
    if value is None or value == "":
        return _("面议")
    return format_cny(value)


def pick_half(text: str, language: str | None = None) -> str:
    """The half of a "中文 / English" text for the active language (a bilingual label otherwise).

    The split is at the first " / " with Chinese before it and an English word right after it (the English
    half may quote a Chinese name); a Chinese text that itself holds " / " is shown whole.
    """
    text = str(text)
    for match in _HALVES.finditer(text):
        zh, en = text[:match.start()], text[match.end():]
        if _CJK.search(zh):
            language = language or translation.get_language() or "zh-hans"
            return en if language.startswith("en") else zh
    return text if " / " in text else pick_language(text, language)
