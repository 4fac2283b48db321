"""SQL expressions of one column of the search entry, for conditions Django has no lookup for."""

from django.db.models import Expression, F, Func

# SQLite's prefix that keeps an index from answering a condition on a column (a unary plus: the same value).
UNINDEXED = "+"


class ColumnExpression(Expression):
    """An expression over one column of the entry (``column``, the primary key by default). The column is its
    source expression, so it carries the table's alias: right also when Django renames the table inside a
    subquery (facet counts filter terms by a subquery of entries)."""

    def __init__(self, column: str = "pk"):
        super().__init__()
        self.column = F(column)

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, exprs):
        (self.column,) = exprs


def unindexed_column(name: str) -> Func:
    """SQLite: the entry's column as a value no index answers (``UNINDEXED``)."""
    from search.models import SearchEntry

    field = SearchEntry._meta.pk if name == "pk" else SearchEntry._meta.get_field(name)
    return Func(F(name), template=f"{UNINDEXED}%(expressions)s", output_field=field)
