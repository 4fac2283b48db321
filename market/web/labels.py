"""Labels in the active language, for every app's pages and forms."""

import re

from django.utils import translation
from django.utils.translation import gettext as _

from market.money import format_cny

# A bilingual label such as "发明 Invention" or "10–50万元 ¥100k–500k": Chinese, a space, then no more Chinese.
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")


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

    The split is at the first " / " with Chinese before it and none after it, so a Chinese text that
    itself holds " / " (a reason someone typed) is shown whole.
    """
    text = str(text)
    start = 0
    while (position := text.find(" / ", start)) != -1:
        zh, en = text[:position], text[position + 3:]
        if _CJK.search(zh) and not _CJK.search(en):
            language = language or translation.get_language() or "zh-hans"
            return en if language.startswith("en") else zh
        start = position + 3
    return pick_language(text, language)
