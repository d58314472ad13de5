"""Query expressions shared by several pages and exports."""

from typing import TYPE_CHECKING, Any

from django.db import NotSupportedError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import IntegerField, QuerySet, Subquery
from django.db.models.sql.compiler import SQLCompiler

if TYPE_CHECKING:
    from django.db.models.sql.compiler import _AsSqlType


class JoinedValues(Subquery):
    """The values of a one-column queryset joined by "; " in one text, in the queryset's order:
    a correlated subquery of the main query, so a many-to-many column costs no query of its own.

    SQLite before 3.44 (3.40 here) has no ORDER BY inside GROUP_CONCAT; it keeps the ORDER BY of
    a subquery in FROM when the outer query aggregates with anything but count(), min() or max()
    (select.c, "omit ORDER BY"), so the rows are concatenated in that order; a test checks it.
    PostgreSQL is told the order in STRING_AGG. Both skip NULL values."""

    sqlite = "(SELECT GROUP_CONCAT(\"joined_value\", '; ') FROM (%(subquery)s))"
    postgresql = '(SELECT STRING_AGG("joined_value", \'; \' ORDER BY "joined_value") FROM (%(subquery)s) AS "joined")'

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any) -> "_AsSqlType":
        raise NotSupportedError(f"joined values are written for SQLite and PostgreSQL, not {connection.vendor}")

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any) -> "_AsSqlType":
        # Subquery.as_sql takes a template: django-stubs knows only BaseExpression's signature
        return super().as_sql(compiler, connection, template=self.sqlite, **extra_context)  # type: ignore[call-arg]

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> "_AsSqlType":
        return super().as_sql(compiler, connection, template=self.postgresql, **extra_context)  # type: ignore[call-arg]


class CappedCount(Subquery):
    """How many rows a correlated queryset holds, reading at most `cap` of them: a figure shown as
    "99+" past its cap costs the same for ten rows as for fifty thousand. Both databases take the
    correlated subquery in FROM (as JoinedValues does)."""

    template = '(SELECT COUNT(*) FROM (%(subquery)s) AS "capped")'
    output_field = IntegerField()

    def __init__(self, queryset: QuerySet, cap: int):
        super().__init__(queryset.order_by().values("pk")[:cap])
