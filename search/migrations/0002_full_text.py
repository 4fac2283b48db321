"""Full text over the entries' token columns: an FTS5 table on SQLite, a tsvector column on PostgreSQL.

The tokens are jieba words and CJK bigrams separated by spaces (search/tokenize.py), so each engine's
plain tokenizer suffices: FTS5's default unicode61, PostgreSQL's 'simple' configuration.

SQLite: the FTS5 table reads its content from search_searchentry (content=, rowid = listing id) and
three triggers keep it in step with every insert, update and delete, including cascades from Listing.
A later migration that makes Django rebuild search_searchentry on SQLite (most ALTERs do) drops
the triggers with the old table: it must run SQLITE_TRIGGERS again and
``INSERT INTO search_searchentry_fts(search_searchentry_fts) VALUES ('rebuild')``.
"""

from django.db import migrations

SQLITE_TABLE = """
CREATE VIRTUAL TABLE search_searchentry_fts USING fts5(
    tokens_title, tokens_body, tokens_claims, content='search_searchentry', content_rowid='listing_id'
)"""
SQLITE_TRIGGERS = [
    """CREATE TRIGGER search_searchentry_fts_insert AFTER INSERT ON search_searchentry BEGIN
        INSERT INTO search_searchentry_fts(rowid, tokens_title, tokens_body, tokens_claims)
        VALUES (new.listing_id, new.tokens_title, new.tokens_body, new.tokens_claims);
    END""",
    """CREATE TRIGGER search_searchentry_fts_delete AFTER DELETE ON search_searchentry BEGIN
        INSERT INTO search_searchentry_fts(search_searchentry_fts, rowid, tokens_title, tokens_body, tokens_claims)
        VALUES ('delete', old.listing_id, old.tokens_title, old.tokens_body, old.tokens_claims);
    END""",
    """CREATE TRIGGER search_searchentry_fts_update AFTER UPDATE ON search_searchentry BEGIN
        INSERT INTO search_searchentry_fts(search_searchentry_fts, rowid, tokens_title, tokens_body, tokens_claims)
        VALUES ('delete', old.listing_id, old.tokens_title, old.tokens_body, old.tokens_claims);
        INSERT INTO search_searchentry_fts(rowid, tokens_title, tokens_body, tokens_claims)
        VALUES (new.listing_id, new.tokens_title, new.tokens_body, new.tokens_claims);
    END""",
]
SQLITE_FORWARD = [SQLITE_TABLE, *SQLITE_TRIGGERS]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_searchentry_fts_insert",
    "DROP TRIGGER IF EXISTS search_searchentry_fts_delete",
    "DROP TRIGGER IF EXISTS search_searchentry_fts_update",
    "DROP TABLE IF EXISTS search_searchentry_fts",
]

# Weights: title A, body (abstracts, first claims, description, holders, IPC, numbers) B, claims C.
POSTGRES_FORWARD = [
    """ALTER TABLE search_searchentry ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, tokens_title), 'A')
        || setweight(to_tsvector('simple'::regconfig, tokens_body), 'B')
        || setweight(to_tsvector('simple'::regconfig, tokens_claims), 'C')
    ) STORED""",
    "CREATE INDEX search_searchentry_vector ON search_searchentry USING gin (search_vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_searchentry_vector",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS search_vector",
]


class RunSQLFor(migrations.RunSQL):
    """RunSQL on one database vendor only."""

    def __init__(self, vendor, sql, reverse_sql):
        self.vendor = vendor
        super().__init__(sql, reverse_sql)

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        return name, args, {"vendor": self.vendor, **kwargs}

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0001_initial"),
    ]

    operations = [
        RunSQLFor("sqlite", SQLITE_FORWARD, SQLITE_BACKWARD),
        RunSQLFor("postgresql", POSTGRES_FORWARD, POSTGRES_BACKWARD),
    ]
