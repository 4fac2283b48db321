"""PostgreSQL: a small tsvector to rank by (title, the start of the body and of the claims), beside the
full one.

The full ``search_vector`` holds every token of titles, bodies and claims: kilobytes per entry, stored
out of line (TOAST), so ranking a word found in 100,000 listings read and decompressed 100,000 of
them (about a second, measured at 100,000 listings). ``rank_vector`` stays within a page row and is
what ``ts_rank_cd`` reads; matching still uses ``search_vector``.
"""

from django.db import migrations


POSTGRES_FORWARD = [
    """ALTER TABLE search_searchentry ADD COLUMN rank_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, left(tokens_title, 400)), 'A')
        || setweight(to_tsvector('simple'::regconfig, left(tokens_body, 300)), 'B')
        || setweight(to_tsvector('simple'::regconfig, left(tokens_claims, 150)), 'C')
    ) STORED""",
]
POSTGRES_BACKWARD = ["ALTER TABLE search_searchentry DROP COLUMN IF EXISTS rank_vector"]


def _run_sql_for():
    from importlib import import_module

    return import_module("search.migrations.0002_full_text").RunSQLFor


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0004_facet_masks"),
    ]

    operations = [
        _run_sql_for()("postgresql", POSTGRES_FORWARD, POSTGRES_BACKWARD),
    ]
