"""The cockpit's periodic work: rollups every 5 minutes, a full rebuild and the index every night."""

from celery import shared_task

from .price_index import rebuild_index
from .rollups import rebuild, refresh


@shared_task(name="stats.refresh")
def stats_refresh_task() -> int:
    """Every 5 minutes: the current and the previous month's cells, recounted from the raw data."""
    return refresh()


@shared_task(name="stats.rebuild")
def stats_rebuild_task() -> int:
    """Nightly: every cell recounted, then the price index and royalty benchmarks."""
    cells = rebuild()
    rebuild_index()
    return cells


@shared_task(name="stats.index")
def stats_index_task() -> int:
    """Hourly: the price index and royalty benchmarks."""
    return rebuild_index()
