"""Celery tasks of the valuation app. They take ids and are safe to run twice."""

from celery import shared_task

from .services import valuations_revalue


@shared_task(acks_late=True)
def value_patents_chunk_task(patent_ids: list[int], weights_version: str, seed: int, draws: int | None = None) -> int:
    """Revalue one chunk of patents (batch valuations on the default assumptions); returns how many were new."""
    return valuations_revalue(patent_ids=patent_ids, weights_version_name=weights_version, seed=seed, draws=draws)
