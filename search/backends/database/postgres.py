"""Full text on PostgreSQL: the generated tsvector column of migration 0002 ('simple' configuration over
the entries' tokens, GIN-indexed), ranked by ts_rank_cd."""

from django.db.models import BooleanField, Expression, F, FloatField, Func, QuerySet, TextField, Value

from search.models import SearchEntry
from search.query import QueryWord

COLUMN = "search_vector"


class VectorColumn(Expression):
    """The entry's tsvector column, which the model does not declare.

    It takes its table alias from the entry's primary key, so it stays right when Django renames the
    table inside a subquery (facet counts filter terms by a subquery of entries).
    """

    output_field = TextField()

    def __init__(self):
        super().__init__()
        self.pk = F("pk")

    def get_source_expressions(self):
        return [self.pk]

    def set_source_expressions(self, exprs):
        (self.pk,) = exprs

    def as_sql(self, compiler, connection):
        alias = compiler.quote_name_unless_alias(self.pk.alias)
        return f"{alias}.{connection.ops.quote_name(COLUMN)}", []


def _ts_query(expression: str) -> Func:
    return Func(Value(expression), template="to_tsquery('simple'::regconfig, %(expressions)s)",
                output_field=TextField())


def _quoted(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


class PostgresFullText:
    """Renders query words as a tsquery and applies it to entry querysets."""

    def expression(self, words: list[QueryWord]) -> str:
        """A tsquery requiring every word: ``'电池' & ('纤维素' | ('纤维' & '维素')) & '锂':*``."""
        parts = []
        for word in words:
            term = _quoted(word.token) + (":*" if word.prefix else "")
            if word.bigrams:
                term = f"({term} | ({' & '.join(map(_quoted, word.bigrams))}))"
            parts.append(term)
        return " & ".join(parts)

    def condition(self, expression: str) -> Func:
        return Func(VectorColumn(), _ts_query(expression), template="%(expressions)s", arg_joiner=" @@ ",
                    output_field=BooleanField())

    def ranked(self, entries: QuerySet, expression: str, offset: int, limit: int,
               fields: tuple[str, ...]) -> list[SearchEntry]:
        """A page of ``entries`` matching ``expression``, best first, with ``fields`` loaded and a ``score``
        (higher is better)."""
        score = Func(VectorColumn(), _ts_query(expression), function="ts_rank_cd", output_field=FloatField())
        ordered = (entries.filter(self.condition(expression)).only(*fields).annotate(score=score)
                   .order_by("-score", F("published_at").desc(nulls_last=True), "-pk"))
        return list(ordered[offset:offset + limit])
