"""SQL expressions of one column of the search entry, for conditions Django has no lookup for."""

from django.db.models import BooleanField, Expression, F, Func

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


class IntegersIn(ColumnExpression):
    """``column IN (1, 3, 5, …)`` with the integers (of our own: masks, ids) written into the SQL: a placeholder
    each made the facet aggregate's SQL too long for psycopg's statement cache (parsing it again cost ~13 ms a
    search), and an id list of a page's candidates cost the ORM 0.3 ms to prepare value by value."""

    output_field = BooleanField()

    def __init__(self, column: str, values: list[int], *, unindexed: bool = False):
        super().__init__(column)
        self.values = [int(value) for value in values]
        self.unindexed = unindexed

    def as_sql(self, compiler, connection):
        if not self.values:
            return "1 = 0", []
        column, params = compiler.compile(self.column)
        return f"{UNINDEXED if self.unindexed else ''}{column} IN ({', '.join(map(str, self.values))})", params


def unindexed_column(name: str) -> Func:
    """SQLite: the entry's column as a value no index answers (``UNINDEXED``)."""
    from search.models import SearchEntry

    field = SearchEntry._meta.pk if name == "pk" else SearchEntry._meta.get_field(name)
    return Func(F(name), template=f"{UNINDEXED}%(expressions)s", output_field=field)
