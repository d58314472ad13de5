"""Fast inserts of many rows, with their history, for seeding and large imports.

Django's bulk_create prepares every value through the field machinery (about 3 µs a value), which
makes 300 000 rows take a minute. Here values are prepared once per column type and sent with
executemany (on PostgreSQL, COPY); each row also gets its django-simple-history entry ("created"), as the ORM path would.
Primary keys are given explicitly (next free ids) so related rows can be built at once; the
PostgreSQL sequences are moved past them afterwards.
"""

import itertools
import operator
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.db.backends.utils import CursorWrapper
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


def _history_values_of(
    fields: list[models.Field], converters: list[Callable | None], extra: dict[str, Any]
) -> Callable[[dict], list]:
    """row (dict) → the values of its history entry: the `extra` columns (history_date, …) are the
    same for every row, so converted once; the others come from the row (None when missing)."""
    template, from_row = [], []
    for i, (field, conv) in enumerate(zip(fields, converters, strict=True)):
        if field.attname in extra:
            value = extra[field.attname]
            template.append(conv(value) if conv else value)
        else:
            template.append(None)
            from_row.append((i, field.attname, conv))

    def values_of(row: dict) -> list:
        values = template.copy()
        for i, name, conv in from_row:
            value = row.get(name)
            values[i] = conv(value) if conv else value
        return values

    return values_of


def insert_rows(
    model: type[models.Model],
    rows: Iterable[dict],
    *,
    history_reason: str | None = None,
    history_user_id: int | None = None,
) -> int:
    """Insert rows (dicts of attname → value for every concrete field; the primary key may be left
    out when nothing refers to the rows, e.g. many-to-many links) and, when the model keeps a
    history, one "created" history entry per row."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    rows = itertools.chain([first], rows)
    changes.changed()  # these inserts send no model signal
    pk_name = model._meta.pk.attname
    fields = _columns(model, exclude=() if pk_name in first else (pk_name,))
    converters = [_converter(f) for f in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    history = getattr(model, "history", None)
    history_model = history.model if history is not None else None
    history_fields = _columns(history_model, exclude=("history_id",)) if history_model else []
    if history_model:
        history_table = connection.ops.quote_name(history_model._meta.db_table)
        history_names = ", ".join(connection.ops.quote_name(f.column) for f in history_fields)
    now = timezone.now()
    extra = {
        "history_date": now,
        "history_type": "+",
        "history_change_reason": history_reason,
        "history_user_id": history_user_id,
    }
    history_converters = [_converter(f) for f in history_fields]
    values_of = _values_of(fields, converters)
    history_values_of = _history_values_of(history_fields, history_converters, extra)
    total = 0
    batch: list[dict] = []

    def flush() -> None:
        with connection.cursor() as cursor:
            _send(cursor, table, names, [values_of(row) for row in batch])
            if history_model:
                _send(cursor, history_table, history_names, [history_values_of(row) for row in batch])

    for row in rows:
        batch.append(row)
        total += 1
        if len(batch) == BATCH:
            flush()
            batch = []
    if batch:
        flush()
    return total


def _send(cursor: CursorWrapper, table: str, names: str, rows: list[list]) -> None:
    """Insert rows (values in the order of `names`): executemany, or on PostgreSQL one COPY, a
    stream of rows rather than a statement for each."""
    if connection.vendor == "postgresql":
        # psycopg's own cursor: its errors become Django's (IntegrityError…) as execute's would
        with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(rows[0]))})", rows)


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
