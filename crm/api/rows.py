"""List pages read as plain rows: for the busiest lists, a page is read with values_list() (the
related names joined in the page's own query) and written out by the serializer's own fields, so
that the answer is the serializer's to the character, without building a model instance per row and
relation or walking DRF's attribute look-ups field by field.

A `PlainRows` says, for each field of the serializer that reads a relation, where its value is in
the row: a column of ids or keys (`sources`), or a list of records joined by JoinedValues (the
serializer's `Records` fields read those themselves). Nested lists come from `nested` (one query
for the whole page).

A page is written column by column (one function a column, not one a value and field), and its
date-times are read as the database stores them, as text: parsed once by the C parser and written in
ISO 8601, rather than made into aware date-times by Django's converters (SQLite) or loaders
(PostgreSQL) and written again. The cursor reads its values back as the model's (`value`)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

from django.db.models import TextField
from django.db.models.functions import Cast
from rest_framework import ISO_8601, serializers
from rest_framework.relations import RelatedField
from rest_framework.settings import api_settings

from crm.api.fields import Records

# Fields whose value the database hands over as the str, int or bool that the field writes (a
# choice's code is its value): written as read.
AS_READ = (serializers.CharField, serializers.ChoiceField, serializers.IntegerField, serializers.BooleanField)


@dataclass(frozen=True)
class PlainRows:
    serializer_class: type[serializers.Serializer]
    sources: dict[str, str] = field(default_factory=dict)  # field name -> the column holding it
    # field name -> a function from the page's ids to their lists, by id
    nested: dict[str, Callable[[list[int]], dict[int, list]]] = field(default_factory=dict)

    def columns(self) -> list:
        """What values_list() reads, in this order (the joined records' annotations included: the
        queryset has them); date-times as their stored text. A query may add columns after these."""
        return [
            Cast(self._source(name, f), TextField()) if _as_text(f) else self._source(name, f)
            for name, f in self._columns
        ]

    def represent(self, rows: list[tuple]) -> list[dict]:
        """The page's rows as the serializer writes them (same keys, same order, same values)."""
        if not rows:
            return []
        read = list(zip(*rows, strict=True))
        ids = read[self._position("id")]
        written = []
        for name, f in self._fields:
            if name in self.nested:
                by_id = self.nested[name](list(ids))
                written.append([by_id.get(i, []) for i in ids])
                continue
            column = read[self._position(name)]
            write = _writer(f)
            written.append(column if write is None else list(map(write, column)))
        names = [name for name, _f in self._fields]
        return [dict(zip(names, values, strict=True)) for values in zip(*written, strict=True)]

    def value(self, row: tuple, name: str):
        """The model's value of the field `name` in a row (a date-time read as text made one)."""
        index = self._position(name)
        if _as_text(dict(self._columns)[name]) and row[index] is not None:
            return _stored_datetime(row[index])
        return row[index]

    @cached_property
    def _fields(self) -> list[tuple[str, serializers.Field]]:
        """The serializer's readable fields, made once (they keep no state of a request)."""
        return [(name, f) for name, f in self.serializer_class().fields.items() if not f.write_only]

    @cached_property
    def _columns(self) -> list[tuple[str, serializers.Field]]:
        return [(name, f) for name, f in self._fields if name not in self.nested]

    def _position(self, name: str) -> int:
        return [column for column, _f in self._columns].index(name)

    def _source(self, name: str, f: serializers.Field) -> str:
        if isinstance(f, Records):
            if not f.joined:
                raise ValueError(f"{name}: a plain row reads records joined in its query (Records(joined=…))")
            return f.joined
        return self.sources.get(name, name)


def _writer(f: serializers.Field) -> Callable[[object], object] | None:
    """How the field writes a value of its column; None: the value as it is."""
    if isinstance(f, Records):
        return f.from_joined
    if isinstance(f, (RelatedField, *AS_READ)):  # the row holds the id (or the key) that the field writes
        return None
    if _as_text(f):
        return _datetime_writer(f)
    write = f.to_representation
    return lambda value: None if value is None else write(value)


def _as_text(f: serializers.Field) -> bool:
    """Date-times written in ISO 8601 are read as their stored text."""
    return isinstance(f, serializers.DateTimeField) and (
        str(getattr(f, "format", api_settings.DATETIME_FORMAT)).lower() == ISO_8601
    )


def _stored_datetime(text: str) -> datetime:
    """A date-time as the database stores it, as text: SQLite's "2026-02-26 10:20:30.123456" (UTC)
    or PostgreSQL's "2026-02-26 10:20:30.12+00" (in the connection's zone, UTC)."""
    value = datetime.fromisoformat(text)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _datetime_writer(f: serializers.DateTimeField) -> Callable[[str | None], str | None]:
    """DateTimeField.to_representation from the stored text, with the time zone looked up once a
    page rather than once a value: in the field's zone, ISO 8601, "Z" for UTC."""
    zone = f.timezone if hasattr(f, "timezone") else f.default_timezone()

    def write(text):
        if not text:
            return None
        if zone is None:  # no time zones (USE_TZ off): stored as written, naive
            return f.to_representation(datetime.fromisoformat(text))
        text = _stored_datetime(text).astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return write
