"""Query expressions shared by several pages and exports."""

from django.db import NotSupportedError
from django.db.models import Subquery


class JoinedValues(Subquery):
    """The values of a one-column queryset joined by "; " in one text, in the queryset's order:
    a correlated subquery of the main query, so a many-to-many column costs no query of its own.

    SQLite before 3.44 (3.40 here) has no ORDER BY inside GROUP_CONCAT; it keeps the ORDER BY of
    a subquery in FROM when the outer query aggregates with anything but count(), min() or max()
    (select.c, "omit ORDER BY"), so the rows are concatenated in that order; a test checks it.
    PostgreSQL is told the order in STRING_AGG. Both skip NULL values."""

    sqlite = "(SELECT GROUP_CONCAT(\"joined_value\", '; ') FROM (%(subquery)s))"
    postgresql = '(SELECT STRING_AGG("joined_value", \'; \' ORDER BY "joined_value") FROM (%(subquery)s) AS "joined")'

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError(f"joined values are written for SQLite and PostgreSQL, not {connection.vendor}")

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template=self.sqlite, **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template=self.postgresql, **extra_context)
