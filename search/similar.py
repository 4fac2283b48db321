"""What a listing is about, for the database backend's similar listings.

Elasticsearch picks a document's telling terms itself (more_like_this: tf-idf over its own index).
The database backend does the same in two steps: the listing's keywords are chosen by jieba's TF-IDF
(``jieba.analyse``: term frequency in the title, counted three times, and the start of the body,
times jieba's inverse document frequencies of general Chinese); the listings holding any of them are
ranked by the engine (bm25 / ts_rank_cd), and the best ``CANDIDATES`` re-ranked by the weight of the
keywords they share, a title match counting twice.
"""

import functools
import logging
from dataclasses import dataclass

from django.core.cache import cache

from .backends import SearchHit, SearchUnavailable, get_search_backend
from .backends.base import SIMILAR_LIMIT
from .documents import ListingDocument
from .query import QueryWord, parse_text
from .tokenize import normalise, segmenter

logger = logging.getLogger(__name__)

KEYWORDS = 8
# How long a listing's similar listings are kept (``cached_similar``).
CACHE_SECONDS = 300
CANDIDATES = 100
TITLE_REPEAT = 3
# Body text read per listing: the description and first abstract say what it is about.
BODY_CHARS = 1500
GENERIC_WORDS = frozenset([
    "一种", "一类", "方法", "装置", "系统", "设备", "及其", "以及", "用于", "基于", "包括", "所述",
    "本发明", "发明", "公开", "涉及", "提供", "其中", "进行", "通过", "具有", "实现", "采用", "能够",
    "可以", "使得", "从而", "一个", "多个", "第一", "第二", "第三", "至少", "特征", "在于", "技术",
    "领域", "结构", "制备", "应用", "有效", "相应", "连接", "设置", "位于",
])


@dataclass(frozen=True)
class Keyword:
    word: QueryWord
    weight: float

    def found_in(self, tokens: set[str]) -> bool:
        """Whether index tokens hold the word as the database backend matches it (token, or all bigrams)."""
        return self.word.token in tokens or bool(self.word.bigrams) and set(self.word.bigrams) <= tokens


@functools.cache
def _extractor():
    import jieba.analyse

    segmenter()  # the dictionary the extractor cuts with
    return jieba.analyse.default_tfidf


def keywords(document: ListingDocument, *, limit: int = KEYWORDS) -> list[Keyword]:
    """The listing's most telling words with their TF-IDF weights, heaviest first."""
    texts = document.texts
    text = normalise("\n".join(["\n".join(texts["title"])] * TITLE_REPEAT + ["\n".join(texts["body"])[:BODY_CHARS]]))
    tags = _extractor().extract_tags(text, topK=limit * 2, withWeight=True)
    result = []
    for tag, weight in tags:
        if tag in GENERIC_WORDS or not (words := parse_text(tag)) or len(words) != 1 or words[0].prefix:
            continue
        result.append(Keyword(words[0], weight))
    return result[:limit]


def rerank(keywords_: list[Keyword], candidates: list, *, limit: int) -> list:
    """The candidates (entries in engine order, with ``tokens_title`` / ``tokens_body``) by shared weight."""
    def score(position_and_entry):
        position, entry = position_and_entry
        title, body = set(entry.tokens_title.split()), set(entry.tokens_body.split())
        shared = sum(k.weight * (2 if k.found_in(title) else 1 if k.found_in(body) else 0) for k in keywords_)
        return -shared, position

    return [entry for _, entry in sorted(enumerate(candidates), key=score)[:limit]]


def cached_similar(listing_id: int, *, limit: int = SIMILAR_LIMIT) -> list[SearchHit]:
    """The backend's similar listings of a listing, kept ``CACHE_SECONDS`` in the cache: they change only as
    other listings come and go, and finding them was half the cost of a listing page. Raises
    ``SearchUnavailable`` (nothing is kept) while the engine cannot be reached."""
    backend = get_search_backend()
    key = f"search:similar:{backend.name}:{listing_id}:{limit}"
    hits = cache.get(key)
    if hits is None:
        hits = backend.similar(listing_id, limit=limit)
        cache.set(key, hits, CACHE_SECONDS)
    return hits


def similar_listings(listing_id: int) -> list[SearchHit]:
    """Similar listings for a listing page; none (logged) while the engine cannot be reached."""
    try:
        return cached_similar(listing_id)
    except SearchUnavailable as exc:
        logger.warning("similar listings of %s unavailable: %s", listing_id, exc)
        return []
