"""PostgreSQL: sample marks in the full-text vector, and the city index again (dropped by 0008).

A search whose words match very many listings is counted over a sample of the entries
(search/backends/database/sampling.py): those whose id is a multiple of k, k a power of two up to 64. Each
entry's vector holds the mark '§k' of every such k (about one mark an entry), so the sample's matches are
found inside the GIN index, with the words, before any row is read. The marks cannot match a word:
the 'simple' parser never yields '§', and the query parser drops it.

The city index: a search whose filters leave too few sampled hits to estimate from is counted exactly over
the entries meeting its filters; the index intersects the full-text bitmap with the city's.
"""

from importlib import import_module

from django.db import migrations

full_text = import_module("search.migrations.0002_full_text")
RunSQLFor = full_text.RunSQLFor
SAMPLES = (2, 4, 8, 16, 32, 64)
WORDS = """setweight(to_tsvector('simple'::regconfig, tokens_title), 'A')
        || setweight(to_tsvector('simple'::regconfig, tokens_body), 'B')
        || setweight(to_tsvector('simple'::regconfig, tokens_claims), 'C')"""
MARKS = "array_to_tsvector(array_remove(ARRAY[{}], NULL))".format(
    ", ".join(f"CASE WHEN listing_id % {k} = 0 THEN '§{k}' END" for k in SAMPLES))


def _vector(expression: str) -> list[str]:
    return [
        "DROP INDEX IF EXISTS search_searchentry_vector",
        "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS search_vector",
        f"ALTER TABLE search_searchentry ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({expression}) STORED",
        "CREATE INDEX search_searchentry_vector ON search_searchentry USING gin (search_vector)",
    ]


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0011_drop_single_column_sort_indexes"),
    ]

    operations = [
        RunSQLFor("postgresql",
                  [*_vector(f"{WORDS}\n        || {MARKS}"), "CREATE INDEX search_entry_city ON search_searchentry (city)"],
                  ["DROP INDEX IF EXISTS search_entry_city", *_vector(WORDS)]),
    ]
