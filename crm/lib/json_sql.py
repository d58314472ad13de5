"""JSON written by the database: a row as a JSON object, a correlated list as a JSON array, on SQLite
(its JSON functions, built in since 3.38) and PostgreSQL. A page of a long list is then fetched as
one text a row and sent as it is, without Python reading each value, writing it again and encoding it.

    JsonObject({"id": F("id"), "is_held": F("is_held"), "topics": JsonList(codes)})

Keys stay in the order given. Dates are written as "YYYY-MM-DD" on both; booleans as true and false
(SQLite stores 0 and 1: they are told apart by the field). Date-times are refused: their time zone
and format are Python's to write (crm/api/rows.py adds them), unless wrapped in UtcIso, which writes
them as Django REST framework does in UTC."""

import re
from typing import TYPE_CHECKING, Any

from django.db import NotSupportedError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, DateTimeField, Func, QuerySet, Subquery, TextField
from django.db.models.sql.compiler import SQLCompiler

if TYPE_CHECKING:
    from django.db.models.sql.compiler import _AsSqlType

KEY = re.compile(r"[a-z_][a-z0-9_]*")  # keys are written into the SQL: names from the code, never input
VALUE = "json_value"  # the column a JsonList's queryset names


class JsonObject(Func):
    """A JSON object of these keys and values, written by the database (a text; inside another
    JsonObject or a JsonList, a JSON value)."""

    output_field = TextField()

    def __init__(self, values: dict[str, Any]):
        for key in values:
            if not KEY.fullmatch(key):
                raise ValueError(f"a JSON key written into SQL must be a plain name, not {key!r}")
        self.keys = list(values)
        super().__init__(*values.values())

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, *args: Any, **extra: Any) -> "_AsSqlType":
        raise NotSupportedError(f"JSON is written by SQLite and PostgreSQL, not {connection.vendor}")

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any) -> "_AsSqlType":
        values, params = self._values(compiler, booleans="json(%s)")  # SQLite's 0 and 1 as false and true
        pairs = ", ".join(f"'{key}', {sql}" for key, sql in values)
        return f"json_object({pairs})", params

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> "_AsSqlType":
        # row_to_json writes no spaces (json_build_object writes '"id" : 1, '): a tenth of a page less
        values, params = self._values(compiler)
        columns = ", ".join(f'{sql} AS "{key}"' for key, sql in values)
        return f'(SELECT row_to_json("json_row") FROM (SELECT {columns}) AS "json_row")', params

    def _values(self, compiler: SQLCompiler, booleans: str | None = None) -> tuple[list[tuple[str, str]], list]:
        """Each key with its value's SQL, and their parameters in order."""
        values: list[tuple[str, str]] = []
        params: list = []
        for key, value in zip(self.keys, self.get_source_expressions(), strict=True):
            sql, value_params = compiler.compile(value)
            field = value._output_field_or_none
            if isinstance(field, DateTimeField):
                raise ValueError(f"{key}: date-times are written by Python (their zone), not in the JSON")
            if booleans and isinstance(field, BooleanField):
                sql = booleans % f"CASE WHEN ({sql}) IS NULL THEN NULL WHEN ({sql}) THEN 'true' ELSE 'false' END"
                value_params = [*value_params, *value_params]
            values.append((key, sql))
            params.extend(value_params)
        return values, params


class JsonList(Subquery):
    """The values of a correlated one-column queryset (its column named `json_value`) as a JSON
    array, in the queryset's order; `[]` when it has none. Its values may be JsonObjects.

    SQLite keeps the ORDER BY of a subquery in FROM when the outer query aggregates (see
    JoinedValues); the JSON that json_object() writes loses its type through the subquery, so each
    value is read again as JSON when `objects`."""

    output_field = TextField()

    def __init__(self, queryset: QuerySet, *, objects: bool = False):
        if list(queryset.query.values_select or queryset.query.annotation_select) != [VALUE]:
            raise ValueError(f"a JSON list reads one column named {VALUE!r}")
        self.objects = objects
        super().__init__(queryset)

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any) -> "_AsSqlType":
        raise NotSupportedError(f"JSON is written by SQLite and PostgreSQL, not {connection.vendor}")

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any) -> "_AsSqlType":
        value = f'json("{VALUE}")' if self.objects else f'"{VALUE}"'
        template = f"json((SELECT json_group_array({value}) FROM (%(subquery)s)))"
        return super().as_sql(compiler, connection, template=template, **extra_context)  # type: ignore[call-arg]

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> "_AsSqlType":
        template = "to_json(ARRAY(%(subquery)s))"
        return super().as_sql(compiler, connection, template=template, **extra_context)  # type: ignore[call-arg]


class _WrappedOnPostgreSQL(Func):
    """One value, as it is on SQLite and wrapped in `postgresql` (its SQL for %s) on PostgreSQL."""

    output_field = TextField()
    postgresql = "%s"

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any) -> "_AsSqlType":
        return compiler.compile(self.get_source_expressions()[0])

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> "_AsSqlType":
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return self.postgresql % sql, params


class JsonText(_WrappedOnPostgreSQL):
    """A JSON value as text, as the client receives it (PostgreSQL would otherwise hand psycopg a
    `json` value that it reads into Python objects)."""

    postgresql = "(%s)::text"


class JsonColumn(Func):
    """A column holding JSON as text (such as `[1,2]`), written inside a JsonObject as that JSON
    value, not as a string."""

    output_field = TextField()

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, *args: Any, **extra: Any) -> "_AsSqlType":
        raise NotSupportedError(f"JSON is written by SQLite and PostgreSQL, not {connection.vendor}")

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any) -> "_AsSqlType":
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"json({sql})", params

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> "_AsSqlType":
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"({sql})::json", params


class Bytewise(_WrappedOnPostgreSQL):
    """A text ordered by its characters' code points on both databases, as Python's sorted() does
    (PostgreSQL's "C" collation; SQLite's own), whatever the database's language."""

    postgresql = '(%s) COLLATE "C"'


class UtcIso(Func):
    """An aware date-time as Django REST framework writes it in UTC, written by the database:
    "2026-02-26T10:20:30.120000Z", the microseconds only when there are some (Python's isoformat());
    NULL stays NULL. For a zone whose offset is always zero (crm/api/rows.py decides)."""

    output_field = TextField()

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, *args: Any, **extra: Any) -> "_AsSqlType":
        raise NotSupportedError(f"date-times are written by SQLite and PostgreSQL, not {connection.vendor}")

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any) -> "_AsSqlType":
        # Django's SQLite backend stores str() of the UTC value: "2026-02-26 10:20:30[.120000]"
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"(replace({sql}, ' ', 'T') || 'Z')", params

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> "_AsSqlType":
        sql, params = compiler.compile(self.get_source_expressions()[0])
        # One to_char, its ".000000" taken out when there are no microseconds (a third of the time
        # of testing the microseconds apart, on a page of 1 000 rows with two date-times each).
        written = f"""to_char((({sql}) AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
        return f"replace({written}, '.000000Z', 'Z')", params
