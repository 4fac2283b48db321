"""The cockpit's own tables: rollups of the other apps' data and the index computed from it (nothing else)."""

from django.db import models


class Cell(models.Model):
    """One fact (stats/facts.py) summed over a month and one combination of the dimensions."""

    fact = models.CharField(max_length=40)
    month = models.DateField()  # the month's first day
    city = models.CharField(max_length=4, blank=True)
    industry = models.CharField(max_length=20, blank=True)
    kind = models.CharField(max_length=20, blank=True)
    holder_type = models.CharField(max_length=20, blank=True)
    bank_id = models.BigIntegerField(null=True, blank=True)
    n = models.BigIntegerField(default=0)
    amount = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    amount2 = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    seconds = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["fact", "month"], name="stats_cell_fact_month")]


class RollupState(models.Model):
    """The one row saying how fresh the rollups and the index are (shown on the cockpit)."""

    refreshed_at = models.DateTimeField(null=True, blank=True)
    refreshed_from = models.DateField(null=True, blank=True)  # the first month the last refresh recomputed
    rebuilt_at = models.DateTimeField(null=True, blank=True)
    index_at = models.DateTimeField(null=True, blank=True)


class IndexPoint(models.Model):
    """One quarter of the deal-price index of one group (all deals, an industry or an IPC section)."""

    grouping = models.CharField(max_length=10)  # all / industry / ipc
    group = models.CharField(max_length=20, blank=True)
    quarter = models.DateField()  # the quarter's first day
    deals = models.PositiveIntegerField()
    sellers = models.PositiveIntegerField()
    value = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)  # None: suppressed

    class Meta:
        ordering = ["grouping", "group", "quarter"]
        constraints = [models.UniqueConstraint(fields=["grouping", "group", "quarter"], name="stats_index_point_unique")]


class RoyaltyBenchmark(models.Model):
    """Open-licence royalty levels of one industry: medians of the published declarations."""

    industry = models.CharField(max_length=20)
    measure = models.CharField(max_length=20)  # royalty_rate (%) / annual_fee (元) / entry_fee (元)
    declarations = models.PositiveIntegerField()
    holders = models.PositiveIntegerField()
    median = models.DecimalField(max_digits=15, decimal_places=2, null=True, blank=True)  # None: suppressed

    class Meta:
        ordering = ["industry", "measure"]
        constraints = [models.UniqueConstraint(fields=["industry", "measure"], name="stats_royalty_unique")]
