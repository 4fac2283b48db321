"""Snippets of original text with the query's words wrapped in <mark>…</mark>, HTML-escaped otherwise.

Backends share this so that every backend returns the same highlights for the same hit.
"""

import re
from html import escape

ELLIPSIS = "…"
# Characters of the abstract a snippet shows.
SNIPPET_CHARS = 120


def _pattern(terms: list[str]) -> re.Pattern | None:
    terms = sorted({term for term in terms if term}, key=len, reverse=True)
    if not terms:
        return None
    return re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)


def highlight(text: str, terms: list[str], *, max_chars: int | None = None) -> str:
    """``text`` (or a window of ``max_chars`` around the first match) with ``terms`` marked; "" if none occur.

    The result is safe HTML: everything outside the marks is escaped.
    """
    pattern = _pattern(terms)
    first = pattern.search(text) if pattern and text else None
    if first is None:
        return ""
    start, end = 0, len(text)
    if max_chars and len(text) > max_chars:
        # Show a little context before the first match, then as much after it as fits.
        start = max(0, min(first.start() - max_chars // 4, len(text) - max_chars))
        end = start + max_chars
    parts = [ELLIPSIS] if start > 0 else []
    position = start
    for match in pattern.finditer(text, start, end):
        if match.end() > end:
            break
        parts += [escape(text[position:match.start()]), "<mark>", escape(match.group()), "</mark>"]
        position = match.end()
    parts.append(escape(text[position:end]))
    if end < len(text):
        parts.append(ELLIPSIS)
    # Adjacent words of one query ("醋酸纤维" + "素膜") read as one mark.
    return "".join(parts).replace("</mark><mark>", "")
