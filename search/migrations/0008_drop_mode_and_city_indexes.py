"""Mode and city filters and counts read search_entry_facets (0007): their own indexes only slowed writes.

Dropped by name rather than by AlterField, which on SQLite rebuilds the table and with it would drop the
FTS5 triggers of migration 0002.
"""

from django.db import migrations, models

INDEXES = {
    "search_searchentry_mode_df909e35": "mode",
    "search_searchentry_city_56604ff6": "city",
}


class Migration(migrations.Migration):

    dependencies = [
        ('search', '0007_sort_and_facet_indexes'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(model_name='searchentry', name='city', field=models.CharField(max_length=4)),
                migrations.AlterField(model_name='searchentry', name='mode', field=models.CharField(max_length=20)),
            ],
            database_operations=[
                migrations.RunSQL(
                    [f"DROP INDEX IF EXISTS {name}" for index in INDEXES for name in (index, f"{index}_like")],
                    [f"CREATE INDEX {index} ON search_searchentry ({column})" for index, column in INDEXES.items()],
                ),
            ],
        ),
    ]
