"""The words of a query text and what each must match; every backend renders them in its own syntax.

A query of several words means all of them must match. Chinese text is cut into words by jieba
(precise mode); a single character left between two words joins its neighbour, because alone it would
match too little (see ``QueryWord``). A Chinese word of three or more characters also matches a text
holding all its character bigrams, since jieba may have split the document's compound elsewhere.
"""

from dataclasses import dataclass

from .tokenize import (
    CJK_RUN,
    IPC_CODE,
    PATENT_NUMBER,
    PIECE,
    bigrams,
    ipc_token,
    normalise,
    normalise_ipc,
    segmenter,
)

# More words than this are refused: each one adds a term lookup to every query.
MAX_WORDS = 16


@dataclass(frozen=True)
class QueryWord:
    """One required word: a document matches it when it holds ``token``, or every one of ``bigrams``,
    or (``prefix``, a lone CJK character) any token starting with ``token``.

    ``text`` is what snippets highlight; it is empty for IPC codes and patent numbers.
    """

    token: str
    text: str = ""
    bigrams: tuple[str, ...] = ()
    prefix: bool = False


def _cjk_words(run: str) -> list[str]:
    """jieba's precise words of a CJK run, single characters joined to a neighbour."""
    words: list[str] = []
    carry = ""
    for piece in segmenter().cut(run):
        piece = carry + piece
        carry = ""
        if len(piece) > 1 or not words and len(run) == 1:
            words.append(piece)
        elif words:
            words[-1] += piece
        else:
            carry = piece
    if carry:
        words.append(carry)
    return words


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
            words.extend(_word_for_cjk(word) for word in _cjk_words(piece))
        else:
            words.append(QueryWord(token=piece, text=piece))
    return list(dict.fromkeys(words))


def highlight_terms(words: list[QueryWord]) -> list[str]:
    """The strings snippets mark for these words."""
    return [word.text for word in words if word.text]
