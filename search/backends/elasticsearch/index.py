"""The Elasticsearch index of listings (elasticsearch.dsl): analysis, mapping, and the source document of a listing.

Text is analysed by the chain standard tokenizer + cjk_width + lowercase + cjk_bigram: Chinese becomes
overlapping character pairs, latin words lower-case terms. A char filter first turns every run of
characters that are neither latin letters, digits nor CJK ideographs into the run break (a token of its
own), so latin words split where the database backend's tokeniser splits them ("3.5V" → "3", "5v"; the
standard tokenizer alone keeps "3.5v") and no phrase spans two runs. The pattern holds the characters
themselves, not escapes, because Java (Elasticsearch) and Go (osmem) spell Unicode escapes differently.

A query word matches when one of the weighted text fields (boosts: title > claims > body > holders) or
``codes`` (IPC levels and application numbers as tokens) holds its bigrams side by side (a phrase), as on
the database backend; there is no catch-all field (a copy of every text doubled indexing time).
``title_text.chars`` holds the title's single characters, for queries of one Chinese character.
``suggest`` holds the suggestion keys as ``key<US>kind<US>text`` so that a terms aggregation lists
distinct suggestions in key order.
"""

from elasticsearch.dsl import Date, Index, Keyword, Long, Mapping, ScaledFloat, Text, analyzer, char_filter

from search.documents import ListingDocument
from search.suggest import suggestion_rows
from search.tokenize import RUN_BREAK

# Bump when the mapping or analysis changes: search_reindex then builds an index of the new version.
MAPPING_VERSION = 3
SEPARATOR = "\x1f"
# Relative weights of the text fields in relevance: title > claims > abstract > holder.
FIELD_BOOSTS = {"title_text": 8.0, "claims_text": 4.0, "body_text": 2.0, "holder_text": 1.0}
# The fields a query word must be found in (one of them per bigram or term).
TEXT_FIELDS = (*FIELD_BOOSTS, "codes")
KEEP = "0-9A-Za-z０-９Ａ-Ｚａ-ｚ\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

ANALYZER = "cjk_bigram_text"
CHAR_ANALYZER = "cjk_char_text"
# The separators become the run break of the database backend (search/tokenize.py): a token between two runs,
# so that bigrams stand side by side only where their characters do, and a word's phrase cannot span them.
WORD_SEPARATORS = char_filter("word_separators", type="pattern_replace", pattern=f"[^{KEEP}]+",
                              replacement=f" {RUN_BREAK} ")
BIGRAMS = analyzer(ANALYZER, type="custom", char_filter=[WORD_SEPARATORS], tokenizer="standard",
                   filter=["cjk_width", "lowercase", "cjk_bigram"])
# Single characters of the titles: a query of one Chinese character finds every title holding it.
CHARS = analyzer(CHAR_ANALYZER, type="custom", char_filter=[WORD_SEPARATORS], tokenizer="standard",
                 filter=["cjk_width", "lowercase"])


def _mapping() -> Mapping:
    mapping = Mapping()
    mapping.meta("dynamic", "strict")
    fields = {
        "listing_id": Long(),
        "title_text": Text(analyzer=BIGRAMS, fields={"chars": Text(analyzer=CHARS)}),
        "body_text": Text(analyzer=BIGRAMS),
        "claims_text": Text(analyzer=BIGRAMS),
        "holder_text": Text(analyzer=BIGRAMS),
        "codes": Text(analyzer=BIGRAMS),
        "mode": Keyword(),
        "city": Keyword(),
        "kinds": Keyword(),
        "industries": Keyword(),
        "legal_statuses": Keyword(),
        "nice_classes": Keyword(),
        "ipc": Keyword(),
        "asking_price": ScaledFloat(scaling_factor=100),
        "royalty": ScaledFloat(scaling_factor=100),
        "published_at": Date(),
        "expiry_date": Date(),
        "suggest": Keyword(),
        # Shown on a hit, never searched.
        "title": Keyword(index=False),
        "holder": Keyword(index=False),
        "industry": Keyword(index=False),
        "price": Keyword(index=False),  # the exact decimal, as text
        "patent_numbers": Keyword(index=False),
        "abstract": Text(index=False),
        "checksum": Keyword(index=False),
    }
    for name, field in fields.items():
        mapping.field(name, field)
    return mapping


MAPPING = _mapping()


def listing_index(name: str, *, replicas: int, refresh_interval: str | None = None,
                  alias: str | None = None) -> Index:
    """The index ``name`` of listings: one shard, its analysers and mapping, optionally behind ``alias``."""
    index = Index(name)
    index.settings(number_of_shards=1, number_of_replicas=replicas,
                   **({"refresh_interval": refresh_interval} if refresh_interval is not None else {}))
    index.mapping(MAPPING)
    if alias:
        index.aliases(**{alias: {}})
    return index


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
        "nice_classes": document.nice_classes,
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
