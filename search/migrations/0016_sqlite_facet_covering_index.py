"""SQLite: an index holding each entry's facet and filter columns, keyed by listing id.

The masks and token count were added after the token columns, so SQLite stores them behind the entry's
tokens (kilobytes, on overflow pages): counting the facets of the 18,113 matches of 第二 at 100,000
listings followed each row's overflow chain (118 ms). The counts read this index instead. PostgreSQL keeps
the long columns out of line, so its rows are short already.
"""

from django.db import migrations

COLUMNS = "listing_id, mode, city, kinds_mask, industries_mask, legal_statuses_mask, asking_price, expiry_date"
SQLITE_FORWARD = [f"CREATE INDEX search_entry_listing_facets ON search_searchentry ({COLUMNS})"]
SQLITE_BACKWARD = ["DROP INDEX IF EXISTS search_entry_listing_facets"]


def _run_sql_for():
    from importlib import import_module

    return import_module("search.migrations.0002_full_text").RunSQLFor


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0015_rank_vector_inline"),
    ]

    operations = [
        _run_sql_for()("sqlite", SQLITE_FORWARD, SQLITE_BACKWARD),
    ]
