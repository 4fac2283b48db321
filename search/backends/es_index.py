"""The Elasticsearch index of listings: analysis settings, mapping, and the source document of a listing.

Text is analysed by the chain standard tokenizer + cjk_width + lowercase + cjk_bigram: Chinese becomes
overlapping character pairs, latin words lower-case terms. A char filter first turns every character
that is neither a latin letter, a digit nor a CJK ideograph into a space, so latin words split where the
database backend's tokeniser splits them ("3.5V" → "3", "5v"; the standard tokenizer alone keeps
"3.5v"). The pattern holds the characters themselves, not escapes, because Java (Elasticsearch) and
Go (osmem) spell Unicode escapes differently.

The weighted text fields (boosts: title > claims > body > holders) and ``codes`` (IPC levels and
application numbers as tokens) are matched together, term by term (``cross_fields``), so a word whose
bigrams are spread over several fields matches as on the database backend; there is no catch-all
field (a copy of every text doubled indexing time). ``title_text.chars`` holds the title's single
characters, for queries of one Chinese character. ``suggest`` holds the suggestion keys as
``key<US>kind<US>text`` so that a terms aggregation lists distinct suggestions in key order.
"""

from search.documents import ListingDocument
from search.suggest import suggestion_rows

# Bump when the mapping or analysis changes: search_reindex then builds an index of the new version.
MAPPING_VERSION = 1
ANALYZER = "cjk_bigram_text"
# Single characters of the titles: a query of one Chinese character finds every title holding it.
CHAR_ANALYZER = "cjk_char_text"
SEPARATOR = "\x1f"
# Relative weights of the text fields in relevance (the order: title > claims > abstract > holder).
FIELD_BOOSTS = {"title_text": 8.0, "claims_text": 4.0, "body_text": 2.0, "holder_text": 1.0}
# The fields a query word must be found in (one of them per bigram or term).
TEXT_FIELDS = (*FIELD_BOOSTS, "codes")
KEEP = "0-9A-Za-z０-９Ａ-Ｚａ-ｚ\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"


def index_settings(*, replicas: int, refresh_interval: str | None = None) -> dict:
    settings = {
        "number_of_shards": 1,
        "number_of_replicas": replicas,
        "analysis": {
            "char_filter": {"word_separators": {"type": "pattern_replace", "pattern": f"[^{KEEP}]+",
                                                "replacement": " "}},
            "analyzer": {
                ANALYZER: {"type": "custom", "char_filter": ["word_separators"], "tokenizer": "standard",
                           "filter": ["cjk_width", "lowercase", "cjk_bigram"]},
                CHAR_ANALYZER: {"type": "custom", "char_filter": ["word_separators"], "tokenizer": "standard",
                                "filter": ["cjk_width", "lowercase"]},
            },
        },
    }
    if refresh_interval is not None:
        settings["refresh_interval"] = refresh_interval
    return settings


def _text(**extra) -> dict:
    return {"type": "text", "analyzer": ANALYZER, **extra}


MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "listing_id": {"type": "long"},
        "title_text": _text(fields={"chars": {"type": "text", "analyzer": CHAR_ANALYZER}}),
        "body_text": _text(),
        "claims_text": _text(),
        "holder_text": _text(),
        "codes": _text(),
        "mode": {"type": "keyword"},
        "city": {"type": "keyword"},
        "kinds": {"type": "keyword"},
        "industries": {"type": "keyword"},
        "legal_statuses": {"type": "keyword"},
        "ipc": {"type": "keyword"},
        "asking_price": {"type": "scaled_float", "scaling_factor": 100},
        "royalty": {"type": "scaled_float", "scaling_factor": 100},
        "published_at": {"type": "date"},
        "expiry_date": {"type": "date"},
        "suggest": {"type": "keyword"},
        # Shown on a hit, never searched.
        "title": {"type": "keyword", "index": False},
        "holder": {"type": "keyword", "index": False},
        "industry": {"type": "keyword", "index": False},
        "price": {"type": "keyword", "index": False},  # the exact decimal, as text
        "patent_numbers": {"type": "keyword", "index": False},
        "abstract": {"type": "text", "index": False},
        "checksum": {"type": "keyword", "index": False},
    },
}
# What a hit reads from the source.
HIT_SOURCE = ["listing_id", "title", "holder", "mode", "city", "industry", "price", "published_at", "expiry_date",
              "patent_numbers", "abstract"]


def source(document: ListingDocument) -> dict:
    """The indexed source of a listing document."""
    texts = document.texts
    return {
        "listing_id": document.listing_id,
        "title_text": texts["title"],
        "body_text": texts["body"],
        "claims_text": texts["claims"],
        "holder_text": texts["holders"],
        "codes": " ".join(document.codes),
        "mode": document.mode,
        "city": document.city,
        "kinds": document.kinds,
        "industries": document.industries,
        "legal_statuses": document.legal_statuses,
        "ipc": document.ipc_levels,
        "asking_price": None if document.asking_price is None else float(document.asking_price),
        "price": None if document.asking_price is None else str(document.asking_price),
        "royalty": None if document.royalty is None else float(document.royalty),
        "published_at": document.published_at.isoformat() if document.published_at else None,
        "expiry_date": document.expiry_date.isoformat() if document.expiry_date else None,
        "suggest": [SEPARATOR.join(row) for row in suggestion_rows([document.title], document.holder_names)],
        "title": document.title,
        "holder": document.holder,
        "industry": document.industry,
        "patent_numbers": document.patent_numbers,
        "abstract": document.abstract,
        "checksum": document.checksum,
    }
