"""Suggestions as you type: listing titles, holder names and IPC descriptions that a typed prefix starts.

A text is suggested when the typed prefix starts the text or one of its words: each text has *keys*,
its suffixes from the start of every jieba search-mode word (so "电池" suggests "一种锂电池隔膜…"
through the key "电池隔膜…"). Backends store the keys of the titles and holders they index and return
the distinct (key, kind, text) triples in key order, so every backend suggests the same texts in the
same order; IPC descriptions come from a fixed table (``search.ipc``) and are matched here.
"""

import functools
from dataclasses import dataclass

from .ipc import IPC_DESCRIPTIONS
from .tokenize import CJK_RUN, normalise, segmenter

# Keys longer than this are cut: a prefix typed into a search box is shorter.
MAX_KEY_LENGTH = 40
# Word starts used as keys per text (the first words of a long title are the ones people type).
MAX_KEYS = 8
# Words a suggestion key never starts with: they start too many texts to narrow anything.
SKIPPED_WORDS = frozenset([
    "一种", "一类", "及其", "以及", "用于", "基于", "有限", "公司",
    "有限公司", "股份", "集团", "方法", "装置", "系统",
])
MAX_IPC_SUGGESTIONS = 3
DEFAULT_LIMIT = 10


class SuggestionKind:
    TITLE = "title"
    HOLDER = "holder"
    IPC = "ipc"
    LABELS = {TITLE: "挂牌 Listing", HOLDER: "权利人 Holder", IPC: "IPC分类 IPC class"}


@dataclass(frozen=True)
class Suggestion:
    """One completion: ``text`` is shown; ``params`` are the search parameters it stands for."""

    text: str
    kind: str
    params: dict

    @property
    def kind_label(self) -> str:
        return SuggestionKind.LABELS[self.kind]


@functools.lru_cache(maxsize=20_000)
def suggestion_keys(text: str) -> tuple[str, ...]:
    """The normalised suffixes of ``text`` from its start and from each search-mode word start.

    Cached per process: holder names repeat across thousands of listings."""
    normalised = normalise(text)
    if not normalised.strip():
        return ()
    starts = [0]
    position = 0
    for word in segmenter().cut(normalised):
        if len(word) > 1 and CJK_RUN.fullmatch(word) and word not in SKIPPED_WORDS:
            # The search-mode words inside a long word start there too (锂电池 → 锂电, 电池).
            starts += [position + word.find(part) for part in segmenter().cut_for_search(word)
                       if len(part) > 1 and part not in SKIPPED_WORDS]
        elif len(word) > 1 and word.isascii() and word.isalnum():
            starts.append(position)
        position += len(word)
    keys = []
    for start in sorted(set(starts)):
        key = normalised[start:start + MAX_KEY_LENGTH].strip()
        if len(key) > 1 and key not in keys:
            keys.append(key)
        if len(keys) == MAX_KEYS:
            break
    return tuple(keys)


def suggestion_rows(titles: list[str], holders: list[str]) -> list[tuple[str, str, str]]:
    """(key, kind, text) of what a listing contributes to suggestions: its title and its holders."""
    rows = [(key, SuggestionKind.TITLE, title) for title in titles for key in suggestion_keys(title)]
    rows += [(key, SuggestionKind.HOLDER, holder) for holder in holders for key in suggestion_keys(holder)]
    return list(dict.fromkeys(rows))


def normalise_prefix(prefix: str) -> str:
    return " ".join(normalise(prefix).split())[:MAX_KEY_LENGTH]


def ipc_suggestions(prefix: str) -> list[Suggestion]:
    """IPC classes whose code or description a prefix starts (code matches first)."""
    if not prefix:
        return []
    by_code = [code for code in IPC_DESCRIPTIONS if len(code) > 1 and code.lower().startswith(prefix)]
    by_words = [code for code, text in IPC_DESCRIPTIONS.items()
                if len(code) > 1 and code not in by_code
                and any(key.startswith(prefix) for part in text.replace("，", "；").replace("、", "；").split("；")
                        for key in suggestion_keys(part))]
    codes = (by_code + by_words)[:MAX_IPC_SUGGESTIONS]
    return [Suggestion(text=f"{code} {IPC_DESCRIPTIONS[code]}", kind=SuggestionKind.IPC, params={"ipc_prefix": code})
            for code in codes]


def suggestions_from_rows(rows: list[tuple[str, str, str]], limit: int) -> list[Suggestion]:
    """Distinct texts of (key, kind, text) rows in their order, as suggestions."""
    seen: dict[tuple[str, str], None] = {}
    for _key, kind, text in rows:
        seen.setdefault((kind, text), None)
    return [Suggestion(text=text, kind=kind, params={"q": text}) for kind, text in list(seen)[:limit]]
