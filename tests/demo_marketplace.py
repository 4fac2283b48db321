"""The demo marketplace seeded once for a test module, inside a transaction rolled back at the end."""

import contextlib
import io

from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings

from market.demo.seed import index_for_search

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@contextlib.contextmanager
def seeded_demo(django_db_blocker):
    """``seed_demo`` and the search index, then the block; everything rolled back after it.

    Django closes the database connection (and with it this transaction) at the end of each request:
    that is switched off for the block, as Django's test client does for its own requests.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with (django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS),
              transaction.atomic()):
            call_command("seed_demo", "--no-search", stdout=io.StringIO())
            index_for_search()
            yield
            transaction.set_rollback(True)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
