"""Tables of the search app.

The database backend: one entry per published listing, its IPC levels (``SearchTerm``) and its
suggestion keys (``SearchSuggestion``). An entry holds the filter and sort columns, what a hit shows
(so a page of hits costs no further query), and the index tokens of three weighted text fields. Full
text runs over those tokens: on SQLite an FTS5 table kept in step by triggers, on PostgreSQL generated,
GIN-indexed tsvector columns (migrations 0002 and 0005; the models do not declare them).

Every backend: ``OutboxEntry``, the transactional outbox of listing changes (``search.outbox``).
"""

from django.db import models
from django.utils import timezone


class SearchEntry(models.Model):
    listing = models.OneToOneField("market.Listing", primary_key=True, on_delete=models.CASCADE,
                                   related_name="search_entry")
    title = models.CharField(max_length=300)
    holder = models.CharField(max_length=200)
    mode = models.CharField(max_length=20)  # filters and counts read search_entry_facets (mode, city, …)
    city = models.CharField(max_length=4)
    industry = models.CharField(max_length=20, blank=True)  # shown on the hit; filters use SearchTerm
    asking_price = models.DecimalField(max_digits=15, decimal_places=2, null=True, db_index=True)
    royalty = models.DecimalField(max_digits=15, decimal_places=2, null=True, db_index=True)  # open licences
    published_at = models.DateTimeField(null=True, db_index=True)
    expiry_date = models.DateField(null=True, db_index=True)  # earliest among the listing's patents
    # The multi-valued facets as bit masks (search.schema.facet_bits): filters and facet counts read them
    # in the same pass as mode and city. Null until the entry is reindexed after migration 0004.
    kinds_mask = models.IntegerField(null=True)
    industries_mask = models.IntegerField(null=True)
    legal_statuses_mask = models.IntegerField(null=True)
    patent_numbers = models.JSONField(default=list)
    abstract = models.TextField(blank=True)  # source of the abstract snippet
    tokens_title = models.TextField(blank=True)
    tokens_body = models.TextField(blank=True)
    tokens_claims = models.TextField(blank=True)
    # How many tokens the three fields hold: PostgreSQL keeps word positions up to 16,383 only, so a
    # longer entry's phrases are confirmed in its token text (backends/database/postgres.py). Nullable, so
    # that SQLite adds the column with ALTER TABLE and keeps the FTS triggers; null until reindexed.
    token_count = models.PositiveIntegerField(null=True)
    checksum = models.CharField(max_length=64)
    indexed_at = models.DateTimeField()

    class Meta:
        verbose_name = "检索条目 Search entry"
        # Facet counts over every listing read this index alone (an index-only scan on PostgreSQL).
        # Pages sorted by date, price or remaining term have PostgreSQL indexes in their exact order,
        # NULLS LAST included (migration 0007; SQLite cannot index NULLS LAST). On PostgreSQL those replace
        # the single-column indexes of asking_price, published_at and expiry_date (dropped by 0011).
        indexes = [
            models.Index(fields=["mode", "city", "kinds_mask", "industries_mask", "legal_statuses_mask", "asking_price",
                                 "expiry_date", "listing"], name="search_entry_facets"),
        ]

    def __str__(self) -> str:
        return f"{self.listing_id} {self.title}"


class SearchTerm(models.Model):
    """One value of a multi-valued filter of an entry: an IPC level (the ``ipc_prefix`` filter)."""

    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="terms", db_index=False)
    field = models.CharField(max_length=20)
    value = models.CharField(max_length=40)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "field", "value"], name="search_term_unique")]
        # Filters ask "which entries have field = value"; facets count values within a set of entries.
        indexes = [models.Index(fields=["field", "value", "entry"], name="search_term_lookup")]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.field}={self.value}"


class SearchSuggestion(models.Model):
    """A suggestion key of an entry: a suffix of its title or of a holder's name (``search.suggest``)."""

    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="suggestions")
    key = models.CharField(max_length=40)
    kind = models.CharField(max_length=8)
    text = models.CharField(max_length=300)

    class Meta:
        # Suggest reads distinct (key, kind, text) in key order from a key prefix: an index range scan.
        # On PostgreSQL the pattern opclasses let LIKE 'prefix%' use it whatever the collation.
        indexes = [models.Index(fields=["key", "kind", "text"], name="search_suggestion_key",
                                opclasses=["varchar_pattern_ops"] * 3)]

    def __str__(self) -> str:
        return f"{self.key} → {self.text}"


class SearchFacetCell(models.Model):
    """How many entries share one combination of the facet values (``search.backends.database.facet_cells``).

    A search without text or IPC prefix counts its total and facets over these few thousand rows instead
    of every entry. The remaining-years bucket is relative to ``SearchFacetState.day``.
    """

    mode = models.CharField(max_length=20)
    city = models.CharField(max_length=4)
    kinds_mask = models.IntegerField()
    industries_mask = models.IntegerField()
    legal_statuses_mask = models.IntegerField()
    price_class = models.CharField(max_length=20, blank=True)  # finer than the bucket: facet_cells.PRICE_CLASSES
    price_bucket = models.CharField(max_length=20)
    remaining_bucket = models.CharField(max_length=20, blank=True)  # "" when the listing has no expiry date
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["mode", "city", "kinds_mask", "industries_mask", "legal_statuses_mask", "price_class",
                    "price_bucket", "remaining_bucket"], name="search_facet_cell_key")]

    def __str__(self) -> str:
        return f"{self.mode} {self.city} {self.price_bucket} {self.remaining_bucket}: {self.count}"


class SearchFacetState(models.Model):
    """One row: the day the facet cells' remaining-years buckets are counted from (None: not built)."""

    day = models.DateField(null=True)

    def __str__(self) -> str:
        return f"facet cells as of {self.day}"


class OutboxEntry(models.Model):
    """A listing whose index entries must follow a change (the transactional outbox).

    Written in the transaction that changed the listing, so a committed change is never lost and a
    rolled-back one never indexed; pushed to the engine after commit (``search.outbox``) and retried by
    the beat sweep while the engine is unreachable. Processed rows are kept a day: ``search_reindex``
    replays the changes made while it built a new Elasticsearch index.
    """

    listing_id = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = "索引待办 Index outbox entry"
        indexes = [models.Index(fields=["id"], condition=models.Q(processed_at__isnull=True),
                                name="search_outbox_pending")]

    def __str__(self) -> str:
        state = "done" if self.processed_at else f"pending ({self.attempts} attempts)"
        return f"listing {self.listing_id}: {state}"
