"""Tokens of the index: jieba search-mode words plus CJK character bigrams, lower-case latin words.

The database backend indexes these tokens as space-separated words. Why both jieba and bigrams
(docs/search.md): jieba's search mode finds most words (recall 0.976 on real patent text), but it
splits some compounds differently from the query (纤维素 in 醋酸纤维素膜 becomes 醋酸纤维 + 素膜); every
character bigram of the text closes that gap.

A word of three or more characters matches as the *phrase* of its bigrams (``search.query``): they must
stand side by side. So that they do only where their characters do, ``RUN_BREAK`` stands between two
runs of Chinese text (punctuation, latin or a line between them) and after each jieba word: 旋转式 is not
found in "扭转式……旋转轴", nor 温控阀 in "恒温控，控阀门".

Long texts (abstracts, claims) get bigrams only (``bigram_tokens``): a query word matches a text
holding its jieba token *or all its bigrams* (``search.query``), and a text holding the token holds
its bigrams, so the jieba words of long texts change no hit set; they cost most of the indexing time
(jieba cuts ~300,000 characters a second: a million listings' texts took over 15 minutes). Titles and
holder names keep their jieba words, which rank exact words first.
"""

import functools
import gc
import logging
import re
import unicodedata
from collections.abc import Iterable

# Han ideographs: extension A, unified, compatibility (what NFKC leaves of them).
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RUN = re.compile(f"[{CJK}]+")
LATIN_RUN = re.compile("[0-9a-z]+")
# The pieces a token may be made of: a run of CJK characters or a run of latin letters and digits.
# Everything else (punctuation, spaces, symbols) separates tokens.
PIECE = re.compile(f"[{CJK}]+|[0-9a-z]+")
# The token between runs and after each jieba word (see above): latin, so every engine keeps it as one token;
# query texts never ask for it (search.query drops it).
RUN_BREAK = "zzbreak"
# Longer "words" are OCR debris or base64; PostgreSQL refuses lexemes over 2047 bytes anyway.
MAX_TOKEN_LENGTH = 40

# IPC: section, class, subclass, optional main group / subgroup ("H01M 50/403", "h01m50/403").
IPC_CODE = re.compile(r"\b([a-h])\s*(\d{2})\s*([a-z])(?:\s*(\d{1,4})(?:\s*/\s*(\d{1,6}))?)?\b", re.IGNORECASE)
# CNIPA application / patent number since 2003: optional ZL/CN, 12 digits, optional "." and check digit.
PATENT_NUMBER = re.compile(r"\b(?:zl|cn)?\s*(\d{12})(?:\.?[\dx])?\b", re.IGNORECASE)


@functools.cache
def segmenter():
    """jieba with its dictionary loaded: once per process (the load takes ~0.6 s).

    The dictionary (about 150,000 objects, kept for the life of the process) and what was loaded before it
    are moved out of the garbage collector's reach (``gc.freeze``): otherwise every full collection walks
    them all, and searches paid 2.6 ms each on average for it, tens of ms when one ran (0.3 ms frozen;
    measured at 1,000,000 listings)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    gc.collect()
    gc.freeze()
    return jieba


def normalise(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII) and lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


def bigrams(run: str) -> list[str]:
    """Overlapping character pairs of a CJK run (none for a single character)."""
    return [run[i:i + 2] for i in range(len(run) - 1)]


def index_tokens(text: str) -> list[str]:
    """Tokens of ``text`` for the index: jieba search-mode words, CJK bigrams, latin words; ``RUN_BREAK``
    after each jieba word and between runs."""
    text = normalise(text)
    runs = CJK_RUN.findall(text)
    # One jieba call for all runs: jieba cuts each run between newlines on its own, so the words are the
    # same as run by run, without jieba's per-call overhead (texts have hundreds of short runs).
    tokens = []
    for word in segmenter().cut_for_search("\n".join(runs)):
        if CJK_RUN.fullmatch(word) and len(word) <= MAX_TOKEN_LENGTH:
            tokens += [word, RUN_BREAK]
    return tokens + _bigram_runs(runs) + _latin(text)


def bigram_tokens(text: str) -> list[str]:
    """Tokens of a long text: CJK bigrams (a lone character as itself), ``RUN_BREAK`` between runs, and latin
    words; no jieba words."""
    text = normalise(text)
    return _bigram_runs(CJK_RUN.findall(text)) + _latin(text)


def _latin(text: str) -> list[str]:
    return [word for word in LATIN_RUN.findall(text) if len(word) <= MAX_TOKEN_LENGTH]


def _bigram_runs(runs: list[str]) -> list[str]:
    tokens: list[str] = []
    for run in runs:
        if tokens:
            tokens.append(RUN_BREAK)
        tokens.extend(bigrams(run) if len(run) > 1 else [run])
    return tokens


def normalise_ipc(code: str) -> str | None:
    """Canonical IPC code ("H01M50/403", "H01M", "H01M50"), or None when ``code`` is not one."""
    match = IPC_CODE.fullmatch((code or "").strip())
    if not match:
        return None
    section, klass, subclass, group, subgroup = match.groups()
    canonical = f"{section}{klass}{subclass}".upper()
    if group:
        canonical += str(int(group))
        if subgroup:
            canonical += f"/{subgroup}"
    return canonical


def ipc_levels(code: str) -> list[str]:
    """The canonical code and each level above it: H, H01, H01M, H01M50, H01M50/403."""
    canonical = normalise_ipc(code)
    if canonical is None:
        return []
    levels = [canonical[:1], canonical[:3], canonical[:4]]
    if len(canonical) > 4:
        levels.append(canonical.split("/")[0])
    if "/" in canonical:
        levels.append(canonical)
    return list(dict.fromkeys(levels))


def ipc_token(canonical: str) -> str:
    """One index token for a canonical IPC level: "H01M50/403" → "h01m50x403" (no punctuation)."""
    return canonical.lower().replace("/", "x")


def ipc_tokens(codes: Iterable[str]) -> list[str]:
    """Tokens that make a listing findable by its IPC class, subclass, group and full code."""
    return list(dict.fromkeys(ipc_token(level) for code in codes for level in ipc_levels(code)[1:]))


def patent_number_token(application_number: str) -> str | None:
    """The 12 digits of an application number: found whether typed with ZL, a dot or a check digit."""
    match = PATENT_NUMBER.fullmatch((application_number or "").strip())
    return match.group(1) if match else None
