"""SQL expressions of one column of the search entry, for conditions Django has no lookup for."""

from django.db.models import Expression, F


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
