"""Project-wide Celery tasks that belong to no app."""

import os

from celery import shared_task
from django.apps import apps
from django.db import connection


@shared_task(bind=True, name="config.tasks.healthcheck")
def healthcheck(self, count_model: str = "") -> dict:
    """Answer from the worker: who ran the task and which database it reaches; writes nothing.

    ``count_model`` ("app_label.Model") adds the number of rows of that model, so a caller can
    check that the worker sees the same data as itself.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    answer = {
        "hostname": self.request.hostname,
        "pid": os.getpid(),
        "vendor": connection.vendor,
        "database": str(connection.settings_dict["NAME"]),
        "select_one": one,
    }
    if count_model:
        answer["rows"] = apps.get_model(count_model).objects.count()
    return answer
