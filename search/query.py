"""The words of a query text and what each must match; every backend renders them in its own syntax.

A query of several words means all of them must match; words are separated by spaces or punctuation.
A run of Chinese characters is one word, matched where it stands in a text as it stands in the query:
by the index's jieba token of it, or by its character bigrams side by side (the phrase of its bigrams),
since jieba may have split the text's compound elsewhere. So a word finds exactly the texts that
contain it, as a substring search would (锂电池隔膜 finds 锂电池隔膜, not 锂电池 and 隔膜 apart: ask for
those as "锂电池 隔膜"). A lone character matches the tokens it starts (see ``QueryWord``).
"""

from dataclasses import dataclass

from .tokenize import (
    CJK_RUN,
    IPC_CODE,
    PATENT_NUMBER,
    PIECE,
    RUN_BREAK,
    bigrams,
    ipc_token,
    normalise,
    normalise_ipc,
)

# More words than this are refused: each one adds a term lookup to every query.
MAX_WORDS = 16


@dataclass(frozen=True)
class QueryWord:
    """One required word: a document matches it when it holds ``token``, or ``bigrams`` side by side in
    that order (a phrase), or (``prefix``, a lone CJK character) any token starting with ``token``.

    ``text`` is what snippets highlight; it is empty for IPC codes and patent numbers.
    """

    token: str
    text: str = ""
    bigrams: tuple[str, ...] = ()
    prefix: bool = False


def _word_for_cjk(word: str) -> QueryWord:
    if len(word) == 1:
        return QueryWord(token=word, text=word, prefix=True)
    return QueryWord(token=word, text=word, bigrams=tuple(bigrams(word)) if len(word) > 2 else ())


def parse_text(text: str) -> list[QueryWord]:
    """The required words of a query text, in order, without repeats."""
    text = normalise(text)
    words: list[QueryWord] = []

    def code(word: QueryWord):
        words.append(word)
        return " "

    text = PATENT_NUMBER.sub(lambda m: code(QueryWord(token=m.group(1))), text)
    text = IPC_CODE.sub(lambda m: code(QueryWord(token=ipc_token(normalise_ipc(m.group(0))))), text)
    for piece in PIECE.findall(text):
        if CJK_RUN.fullmatch(piece):
            words.append(_word_for_cjk(piece))
        elif piece != RUN_BREAK:  # the index's run separator is never a word of a text
            words.append(QueryWord(token=piece, text=piece))
    return list(dict.fromkeys(words))


def highlight_terms(words: list[QueryWord]) -> list[str]:
    """The strings snippets mark for these words."""
    return [word.text for word in words if word.text]
