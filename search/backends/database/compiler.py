"""A ``SearchQuery`` turned into querysets over search entries: filters, facet counts, ordered pages."""

import datetime as dt

from django.db.models import Count, F, Q, QuerySet

from search.models import SearchEntry, SearchTerm
from search.schema import (
    FACET_FILTERS,
    MULTI_VALUED,
    PRICE_BUCKETS,
    REMAINING_BUCKETS,
    SINGLE_VALUED,
    VALUE_FACETS,
    Bucket,
    Sort,
    expiry_cutoff,
    facet_label,
)

from ..base import FacetValue, SearchQuery

# What a hit shows; the token columns (tens of kilobytes per entry) stay in the database.
HIT_FIELDS = ("title", "holder", "mode", "city", "industry", "asking_price", "published_at", "expiry_date",
              "patent_numbers", "abstract")
LATEST = (F("published_at").desc(nulls_last=True), "-pk")
ORDERINGS = {
    Sort.NEWEST: LATEST,
    Sort.PRICE_ASC: (F("asking_price").asc(nulls_last=True), *LATEST),
    Sort.PRICE_DESC: (F("asking_price").desc(nulls_last=True), *LATEST),
    Sort.REMAINING_LIFE: (F("expiry_date").desc(nulls_last=True), *LATEST),
}


def _with_term(field: str, values) -> Q:
    return Q(pk__in=SearchTerm.objects.filter(field=field, value__in=values).values("entry_id"))


class EntryQueryCompiler:
    """Querysets of the entries matching one query; ``full_text`` is the vendor's text matcher."""

    def __init__(self, query: SearchQuery, full_text, today: dt.date):
        self.query = query
        self.full_text = full_text
        self.today = today
        self.expression = full_text.expression(query.words) if query.words else ""

    def conditions(self) -> dict[str, Q]:
        """Filter name -> its condition, for the filters the query sets."""
        q = self.query
        conditions = {name: Q(**{f"{name}__in": getattr(q, name)}) for name in SINGLE_VALUED if getattr(q, name)}
        conditions |= {name: _with_term(name, getattr(q, name)) for name in MULTI_VALUED if getattr(q, name)}
        if q.ipc_prefix:
            conditions["ipc_prefix"] = _with_term("ipc", [q.ipc_prefix])
        if q.price_min is not None:
            conditions["price_min"] = Q(asking_price__gte=q.price_min)
        if q.price_max is not None:
            conditions["price_max"] = Q(asking_price__lte=q.price_max)
        if q.remaining_years_min:
            conditions["remaining_years_min"] = Q(expiry_date__gte=expiry_cutoff(q.remaining_years_min, self.today))
        return conditions

    def entries(self, *, without: tuple[str, ...] = (), text: bool = True) -> QuerySet:
        """Entries matching the text (unless ``text`` is false) and every filter not named in ``without``."""
        entries = SearchEntry.objects.all()
        if text and self.expression:
            entries = entries.filter(self.full_text.condition(self.expression))
        for name, condition in self.conditions().items():
            if name not in without:
                entries = entries.filter(condition)
        return entries

    def page(self) -> list[SearchEntry]:
        """The query's page of entries, with the hit fields loaded."""
        q = self.query
        if q.effective_sort == Sort.RELEVANCE:
            return self.full_text.ranked(self.entries(text=False), self.expression, q.offset, q.page_size,
                                         fields=HIT_FIELDS)
        entries = self.entries().only(*HIT_FIELDS).order_by(*ORDERINGS[q.effective_sort])
        return list(entries[q.offset:q.offset + q.page_size])

    def facets(self) -> dict[str, list[FacetValue]]:
        """Counts per facet value; each facet counts with its own filter left out (see ``SearchPage``)."""
        facets = {name: self._value_facet(name) for name in VALUE_FACETS}
        facets["price"] = self._range_facet("price", "asking_price", PRICE_BUCKETS, lambda bound: bound)
        facets["remaining_years"] = self._range_facet("remaining_years", "expiry_date", REMAINING_BUCKETS,
                                                      lambda years: expiry_cutoff(years, self.today))
        return facets

    def _value_facet(self, name: str) -> list[FacetValue]:
        entries = self.entries(without=FACET_FILTERS[name])
        if name in SINGLE_VALUED:
            rows = entries.order_by().values_list(name).annotate(count=Count("pk"))
        else:  # one term row per (entry, value): counting rows counts entries
            rows = (SearchTerm.objects.filter(field=name, entry__in=entries).order_by()
                    .values_list("value").annotate(count=Count("pk")))
        counted = sorted(rows, key=lambda row: (-row[1], row[0]))
        return [FacetValue(value, facet_label(name, value), count) for value, count in counted]

    def _range_facet(self, name: str, column: str, buckets: tuple[Bucket, ...], to_column) -> list[FacetValue]:
        """One aggregate query: a filtered count per bucket (``to_column`` maps bounds to column values).

        For remaining years the bounds map to expiry dates: more years left means a later expiry.
        """
        def condition(bucket: Bucket) -> Q:
            if bucket.missing:
                return Q(**{f"{column}__isnull": True})
            condition = Q(**{f"{column}__isnull": False})
            if bucket.lower is not None:
                condition &= Q(**{f"{column}__gte": to_column(bucket.lower)})
            if bucket.upper is not None:
                condition &= Q(**{f"{column}__lt": to_column(bucket.upper)})
            return condition

        counts = self.entries(without=FACET_FILTERS[name]).aggregate(
            **{bucket.value: Count("pk", filter=condition(bucket)) for bucket in buckets})
        return [FacetValue(bucket.value, bucket.label, counts[bucket.value]) for bucket in buckets]
