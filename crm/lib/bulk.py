"""Fast inserts of many rows, with their history, for seeding and large imports.

Django's bulk_create prepares every value through the field machinery (about 3 µs a value), which
makes 300 000 rows take a minute. Here values are prepared once per column type and sent with
executemany (on PostgreSQL, COPY); each row also gets its django-simple-history entry ("created"),
as the ORM path would, copied from the stored row by the database (insert_created_history, which
the demo seeding's SQL inserts use too).
Primary keys are given explicitly (next free ids) so related rows can be built at once; the
PostgreSQL sequences are moved past them afterwards.
"""

import itertools
import operator
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max
from django.utils import timezone

from crm.lib import changes

BATCH = 5000


def next_ids(model: type[models.Model], count: int) -> range:
    start = (model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1
    return range(start, start + count)


def _converter(field: models.Field) -> Callable[[Any], Any] | None:
    """Dates and times in the database's own form; computed once per distinct value (seeded rows
    share a few timestamps)."""
    if isinstance(field, models.DateTimeField):
        adapt = connection.ops.adapt_datetimefield_value
    elif isinstance(field, models.DateField):
        adapt = connection.ops.adapt_datefield_value
    else:
        return None
    cache: dict[Any, Any] = {None: None}

    def convert(value: Any) -> Any:
        if value not in cache:
            cache[value] = adapt(value)
        return cache[value]

    return convert


def _columns(model: type[models.Model], exclude: Sequence[str] = ()) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.attname not in exclude]


def _values_of(fields: list[models.Field], converters: list[Callable | None]) -> Callable[[dict], list]:
    """row (dict with every field) → the list of values sent, in column order. Worked out once
    per insert: the values are picked in one step, and only the columns that need it converted."""
    get = operator.itemgetter(*[f.attname for f in fields])
    converted = [(i, conv) for i, conv in enumerate(converters) if conv]

    def values_of(row: dict) -> list:
        values = list(get(row)) if len(fields) > 1 else [get(row)]
        for i, conv in converted:
            values[i] = conv(values[i])
        return values

    return values_of


def insert_rows(
    model: type[models.Model],
    rows: Iterable[dict],
    *,
    history_reason: str | None = None,
    history_user_id: int | None = None,
    record: bool = True,
) -> int:
    """Insert rows (dicts of attname → value for every concrete field; the primary key may be left
    out when nothing refers to the rows, e.g. many-to-many links) and, when the model keeps a
    history, one "created" history entry per row (insert_created_history: the rows then need their
    primary key). The change is recorded (crm/lib/changes.py) unless `record` is False: figures
    derived from a write that records its own change (the dashboard's roll-ups)."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    rows = itertools.chain([first], rows)
    pk_name = model._meta.pk.attname
    has_history = getattr(model, "history", None) is not None
    if has_history and pk_name not in first:
        raise ValueError(f"{model.__name__} keeps a history: give each row its {pk_name} (next_ids)")
    fields = _columns(model, exclude=() if pk_name in first else (pk_name,))
    converters = [_converter(f) for f in fields]
    table = _table(model)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values_of = _values_of(fields, converters)
    now = timezone.now()
    total = 0
    while batch := list(itertools.islice(rows, BATCH)):
        with connection.cursor() as cursor:
            _send(cursor, table, names, [values_of(row) for row in batch])
        if has_history:
            for ids in _runs(row[pk_name] for row in batch):
                insert_created_history(model, ids, reason=history_reason, user_id=history_user_id, date=now)
        total += len(batch)
    if record:
        changes.record()
    return total


def _runs(ids: Iterable[int]) -> Iterator[range]:
    """Ids as runs of consecutive ones (ids from next_ids() make a single run)."""
    start: int | None = None
    previous = 0
    for pk in sorted(ids):
        if start is not None and pk != previous + 1:
            yield range(start, previous + 1)
            start = None
        if start is None:
            start = pk
        previous = pk
    if start is not None:
        yield range(start, previous + 1)


def history_entry(*, date: datetime, reason: str | None, user_id: int | None, kind: str = "+") -> dict:
    """attname → value of the columns a history entry adds to the record's own values: what
    django-simple-history writes when a record is saved ("+", created) or deleted ("-") through the
    ORM (history_id is the database's). Every bulk writer takes the shape of its entries from here."""
    return {"history_type": kind, "history_date": date, "history_change_reason": reason, "history_user_id": user_id}


def insert_created_history(
    model: Any, ids: range, *, reason: str | None = None, user_id: int | None = None, date: datetime | None = None
) -> int:
    """One "created" history entry (history_entry()) for each row of `model` whose primary key is
    in `ids`, the row's values copied by the database as they are stored: one INSERT … SELECT, for
    rows written in bulk (insert_rows) or by SQL (the demo seeding), which send no model signal."""
    return _copy_into_history(model, ids, history_entry(date=date or timezone.now(), reason=reason, user_id=user_id))


def insert_deleted_history(
    model: Any, ids: range, *, leave_out: Sequence[int] = (), reason: str | None = None, user_id: int | None = None
) -> int:
    """One "deleted" history entry for each row of `model` whose primary key is in `ids` but not in
    `leave_out`, as the ORM writes before a delete: for rows about to be deleted in bulk."""
    extra = history_entry(date=timezone.now(), reason=reason, user_id=user_id, kind="-")
    return _copy_into_history(model, ids, extra, leave_out)


def _copy_into_history(model: Any, ids: range, extra: dict, leave_out: Sequence[int] = ()) -> int:
    if not ids:
        return 0
    history = model.history.model
    fields = _columns(history, exclude=("history_id",))
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = ", ".join("%s" if f.attname in extra else connection.ops.quote_name(f.column) for f in fields)
    params = [f.get_db_prep_value(extra[f.attname], connection) for f in fields if f.attname in extra]
    pk = connection.ops.quote_name(model._meta.pk.column)
    left_out = f" AND {pk} NOT IN ({', '.join(['%s'] * len(leave_out))})" if leave_out else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(history)} ({columns}) SELECT {values} FROM {_table(model)} "
            f"WHERE {pk} BETWEEN %s AND %s{left_out} ORDER BY {pk}",
            [*params, ids.start, ids.stop - 1, *leave_out],
        )
        return cursor.rowcount


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _send(cursor: Any, table: str, names: str, rows: list[list]) -> None:
    """Insert rows (values in the order of `names`): on PostgreSQL one COPY, a stream of rows; on
    SQLite an INSERT of as many rows as its limit of parameters allows (about a thousand). Not a
    statement per row: within a transaction, SQLite makes FTS5 write out what it holds in memory
    at every statement that fires the search index's triggers (crm/lib/search.py), and a 100 000-row
    import spent 80 s in that, against 13 s without."""
    if connection.vendor == "postgresql":
        # psycopg's own cursor: its errors become Django's (IntegrityError…) as execute's would
        with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    row_marks = f"({', '.join(['%s'] * len(rows[0]))})"
    per_statement = max(1, _parameter_limit() // len(rows[0]))
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        values = [value for row in chunk for value in row]
        cursor.execute(f"INSERT INTO {table} ({names}) VALUES {', '.join([row_marks] * len(chunk))}", values)


def _parameter_limit() -> int:
    """How many parameters one SQLite statement may take (32 766 since SQLite 3.32; Django assumes 999)."""
    connection.ensure_connection()
    return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


def reset_sequences(*models_to_reset: type[models.Model]) -> None:
    """After explicit ids, PostgreSQL's sequences must move past them (SQLite needs nothing)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_to_reset))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def field_defaults(model: type[models.Model]) -> dict[str, Any]:
    """attname → default value for every concrete field (what the ORM would fill in)."""
    values = {}
    for field in model._meta.concrete_fields:
        if field.has_default():
            values[field.attname] = field.get_default()
        elif isinstance(field, (models.DateTimeField,)) and (field.auto_now or field.auto_now_add):
            values[field.attname] = timezone.now()
        elif field.null:
            values[field.attname] = None
        else:
            values[field.attname] = "" if isinstance(field, (models.CharField, models.TextField)) else None
    return values
