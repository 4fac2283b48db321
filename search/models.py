"""Tables of the database search backend: one entry per published listing, and its multi-valued terms.

An entry holds the filter and sort columns, what a hit shows (so a page of hits costs no further
query), and the index tokens of three weighted text fields. Full text runs over those tokens:
on SQLite an FTS5 table kept in step by triggers, on PostgreSQL a generated, GIN-indexed tsvector
column (both created by migration 0002; the models do not declare them).
"""

from django.db import models


class SearchEntry(models.Model):
    listing = models.OneToOneField("market.Listing", primary_key=True, on_delete=models.CASCADE,
                                   related_name="search_entry")
    title = models.CharField(max_length=300)
    holder = models.CharField(max_length=200)
    mode = models.CharField(max_length=20, db_index=True)
    city = models.CharField(max_length=4, db_index=True)
    industry = models.CharField(max_length=20, blank=True)  # shown on the hit; filters use SearchTerm
    asking_price = models.DecimalField(max_digits=15, decimal_places=2, null=True, db_index=True)
    published_at = models.DateTimeField(null=True, db_index=True)
    expiry_date = models.DateField(null=True, db_index=True)  # earliest among the listing's patents
    patent_numbers = models.JSONField(default=list)
    abstract = models.TextField(blank=True)  # source of the abstract snippet
    tokens_title = models.TextField(blank=True)
    tokens_body = models.TextField(blank=True)
    tokens_claims = models.TextField(blank=True)
    checksum = models.CharField(max_length=64)
    indexed_at = models.DateTimeField()

    class Meta:
        verbose_name = "检索条目 Search entry"

    def __str__(self) -> str:
        return f"{self.listing_id} {self.title}"


class SearchTerm(models.Model):
    """One value of a multi-valued filter of an entry: a patent kind, industry, legal status or IPC level."""

    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="terms", db_index=False)
    field = models.CharField(max_length=20)
    value = models.CharField(max_length=40)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "field", "value"], name="search_term_unique")]
        # Filters ask "which entries have field = value"; facets count values within a set of entries.
        indexes = [models.Index(fields=["field", "value", "entry"], name="search_term_lookup")]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.field}={self.value}"
