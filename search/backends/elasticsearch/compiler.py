"""A ``SearchQuery`` as an Elasticsearch request (elasticsearch.dsl), and the response as a ``SearchPage``.

Matching is the database backend's, word for word (``search.query``): every query word must match.
A word analysed into several bigrams (``纤维素`` → 纤维, 维素) must have them side by side in one text
field (a phrase), which is what the database backend asks of a 3+ character word (its bigrams as a
phrase); a 2-character word is its one bigram; a latin word, an IPC level or an application number one term. A lone Chinese
character matches the bigrams it starts, and any occurrence in a title (``title_text.chars``); the
database backend matches the jieba words and bigrams it starts. Both find it in nearly every text
holding it, but where it ends a run of Chinese characters outside a title, jieba decides for the
database backend: there the hit sets of the two backends may differ. Ranking adds a phrase match per
word on the title, claims, body and holder fields with their boosts.

Facets run as aggregations over the text matches; filters go into ``post_filter`` so that each facet
can count with every filter but its own (one ``filter`` aggregation per facet).
"""

import datetime as dt
from decimal import Decimal

from elasticsearch.dsl import A, Q, Search
from elasticsearch.dsl.aggs import Agg
from elasticsearch.dsl.query import Query
from elasticsearch.dsl.response import Response

from search.highlight import SNIPPET_CHARS, highlight
from search.query import QueryWord
from search.schema import (
    FACET_FILTERS,
    MULTI_VALUED,
    RANGE_FACETS,
    SINGLE_VALUED,
    TERM_VALUED,
    VALUE_FACETS,
    Bucket,
    Sort,
    expiry_cutoff,
    facet_label,
)

from ..base import FacetValue, SearchHit, SearchPage, SearchQuery
from .index import FIELD_BOOSTS, HIT_SOURCE, TEXT_FIELDS

# Facet name -> the keyword field it counts.
FACET_FIELDS = {"mode": "mode", "city": "city", "kind": "kinds", "industry": "industries",
                "legal_status": "legal_statuses", "nice_class": "nice_classes"}
RANGE_FIELDS = {"price": "asking_price", "remaining_years": "expiry_date"}
# A matching word scores at least this much, so that every hit of a text query has a positive score.
MATCH_SCORE = 0.01
FIELDS = [f"{name}^{boost}" for name, boost in FIELD_BOOSTS.items()]
MATCH_FIELDS = [*FIELDS, "codes"]
# A word's best field counts fully, its other fields this much (a title match also found in the claims
# ranks above one found in the title only).
TIE_BREAKER = 0.3
LATEST = [{"published_at": {"order": "desc", "missing": "_last"}}, {"listing_id": {"order": "desc"}}]
SORTS = {
    Sort.RELEVANCE: [{"_score": {"order": "desc"}}, *LATEST],
    Sort.NEWEST: LATEST,
    Sort.PRICE_ASC: [{"asking_price": {"order": "asc", "missing": "_last"}}, *LATEST],
    Sort.PRICE_DESC: [{"asking_price": {"order": "desc", "missing": "_last"}}, *LATEST],
    Sort.REMAINING_LIFE: [{"expiry_date": {"order": "desc", "missing": "_last"}}, *LATEST],
    Sort.ROYALTY: [{"royalty": {"order": "asc", "missing": "_last"}}, *LATEST],
}


def word_query(word: QueryWord) -> Query:
    """One required word: matched over the text fields, ranked by phrase matches on the weighted ones."""
    if word.prefix:
        match = Q("bool", should=[*(Q("prefix", **{name: word.token}) for name in TEXT_FIELDS),
                                  Q("term", **{"title_text.chars": word.token})])
        rank = Q("multi_match", query=word.token, type="phrase_prefix", fields=FIELDS, tie_breaker=TIE_BREAKER)
    else:
        match = Q("multi_match", query=word.token, type="phrase", fields=MATCH_FIELDS)
        rank = Q("multi_match", query=word.token, type="phrase", fields=FIELDS, tie_breaker=TIE_BREAKER)
    return Q("bool", must=[Q("constant_score", filter=match, boost=MATCH_SCORE)], should=[rank])


def text_query(words: list[QueryWord]) -> Query:
    if not words:
        return Q("match_all")
    return Q("bool", must=[word_query(word) for word in words])


def _range(field: str, lower=None, upper=None, *, upper_inclusive: bool = False) -> Query:
    bounds = {}
    if lower is not None:
        bounds["gte"] = str(lower)
    if upper is not None:
        bounds["lte" if upper_inclusive else "lt"] = str(upper)
    return Q("range", **{field: bounds})


class ElasticsearchQueryCompiler:
    """The request of one query, and its response read back."""

    def __init__(self, query: SearchQuery, today: dt.date):
        self.query = query
        self.today = today

    def filters(self) -> dict[str, Query]:
        """Filter name -> its clause, for the filters the query sets (the names of ``FACET_FILTERS``)."""
        q = self.query
        filters = {name: Q("terms", **{FACET_FIELDS[name]: list(getattr(q, name))})
                   for name in (*SINGLE_VALUED, *MULTI_VALUED, *TERM_VALUED) if getattr(q, name)}
        if q.ipc_prefix:
            filters["ipc_prefix"] = Q("term", ipc=q.ipc_prefix)
        if q.price_min is not None:
            filters["price_min"] = _range("asking_price", q.price_min)
        if q.price_max is not None:
            filters["price_max"] = _range("asking_price", upper=q.price_max, upper_inclusive=True)
        if q.remaining_years_min:
            filters["remaining_years_min"] = _range("expiry_date", expiry_cutoff(q.remaining_years_min, self.today))
        return filters

    def request(self, search: Search) -> Search:
        """``search`` (an empty request on the index) asking for this query's page, and its facets if wanted."""
        q = self.query
        filters = self.filters()
        search = (search.extra(from_=q.offset, size=q.page_size, track_total_hits=True)
                  .sort(*SORTS[q.effective_sort]).source(HIT_SOURCE))
        query = text_query(q.words)
        if not q.with_facets:
            return search.query(Q("bool", must=[query], filter=list(filters.values())) if filters else query)
        # Hits obey every filter; each facet counts with all filters but its own.
        search = search.query(query)
        if filters:
            search = search.post_filter("bool", filter=list(filters.values()))
        for name, aggregation in self.aggregations(filters).items():
            search.aggs[name] = aggregation
        return search

    def aggregations(self, filters: dict[str, Query]) -> dict[str, Agg]:
        def scoped(name: str, aggregation: Agg) -> Agg:
            others = [clause for key, clause in filters.items() if key not in FACET_FILTERS[name]]
            if not others:  # counts over all the text matches: no filter to wrap it in
                return aggregation
            return A("filter", filter=Q("bool", filter=others), aggs={"values": aggregation})

        aggregations = {name: scoped(name, A("terms", field=FACET_FIELDS[name], size=200)) for name in VALUE_FACETS}
        for name, buckets in RANGE_FACETS.items():
            conditions = {bucket.value: self._bucket_condition(name, bucket) for bucket in buckets}
            aggregations[name] = scoped(name, A("filters", filters=conditions))
        return aggregations

    def _bucket_condition(self, name: str, bucket: Bucket) -> Query:
        field = RANGE_FIELDS[name]
        if bucket.missing:
            return Q("bool", must_not=Q("exists", field=field))
        if name == "price":
            return _range(field, bucket.lower, bucket.upper)
        # More years left means a later expiry: the bucket's lower bound in years is the earlier date.
        lower = expiry_cutoff(bucket.lower, self.today) if bucket.lower is not None else None
        upper = expiry_cutoff(bucket.upper, self.today) if bucket.upper is not None else None
        return _range(field, lower, upper)

    # -- the response
    def page(self, response: Response) -> SearchPage:
        q = self.query
        terms = q.highlight_terms
        return SearchPage(
            hits=[hit_from_source(hit.to_dict(), hit.meta.score, terms) for hit in response],
            total=response.hits.total.value,
            page=q.page,
            page_size=q.page_size,
            facets=self.facets(response.aggregations.to_dict()) if q.with_facets else {},
        )

    def facets(self, aggregations: dict) -> dict[str, list[FacetValue]]:
        def buckets_of(name: str):  # a filter aggregation wraps the counts in "values"
            return aggregations[name].get("values", aggregations[name])["buckets"]

        facets = {}
        for name in VALUE_FACETS:
            buckets = sorted(((b["key"], b["doc_count"]) for b in buckets_of(name)), key=lambda item: (-item[1], item[0]))
            facets[name] = [FacetValue(value, facet_label(name, value), count) for value, count in buckets]
        for name, buckets in RANGE_FACETS.items():
            counted = buckets_of(name)
            facets[name] = [FacetValue(b.value, b.label, counted[b.value]["doc_count"]) for b in buckets]
        return facets


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _datetime(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def hit_from_source(source: dict, score: float | None, terms: list[str]) -> SearchHit:
    """A hit from an indexed source; highlights are made like the database backend's."""
    highlights = {"title": highlight(source["title"], terms),
                  "abstract": highlight(source["abstract"], terms, max_chars=SNIPPET_CHARS)}
    return SearchHit(
        listing_id=source["listing_id"],
        title=source["title"],
        score=score,
        mode=source["mode"],
        city=source["city"],
        industry=source["industry"],
        holder=source["holder"],
        asking_price=None if source["price"] is None else Decimal(source["price"]),
        patent_numbers=tuple(source["patent_numbers"]),
        expiry_date=_date(source["expiry_date"]),
        published_at=_datetime(source["published_at"]),
        highlights={name: html for name, html in highlights.items() if html},
    )
