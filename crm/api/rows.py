"""List pages written by the database: for the busiest lists, each row of a page is read as one
JSON text that the database writes (crm/lib/json_sql.py) from the serializer's own fields, and the
page is sent as those texts joined (`WrittenRows`, crm/api/rendering.py). A page of 1 000 rows then
costs no Python value per field, no serializer and no encoding pass. The answer is the serializer's:
the same keys in the same order with the same values (a test compares each listed row with the
record's own answer).

A `JsonRows` gives, for each field of the serializer that is not a column of its name, the
expression that writes it: a related column, a JsonList of related keys, a nested JsonObject.
Date-times are the exception: the serializer writes them in the current time zone, which the
database does not know. Where that zone is UTC all year (UTC, or most of West Africa's), the stored
UTC value is the answer and the database writes it too (UtcIso). Elsewhere they are read as the
database stores them (text), written in ISO 8601 by Python, and added at the end of each object, so
they must be the serializer's last fields. The cursor reads the ordering's values from columns read
after the object (`cursor`, `value`)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property, lru_cache
from typing import Any

from django.db.models import F, TextField
from django.db.models.functions import Cast
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from crm.lib.json_sql import JsonObject, JsonText, UtcIso


class WrittenRows(list):
    """Rows already written as JSON texts: the renderer sends them as they are."""


@dataclass(frozen=True)
class JsonRows:
    serializer_class: type[serializers.Serializer]
    values: dict[str, Any] = field(default_factory=dict)  # field name -> its expression (else the column)
    cursor: tuple[str, ...] = ("id",)  # the fields a cursor may hold (the list's ordering fields)

    def object(self, *, with_times: bool = False) -> JsonObject:
        """The JSON object of a record; its date-times written by the database too `with_times`
        (only where their zone's offset is always zero: sql_times())."""
        values = {name: self.values.get(name, F(name)) for name, _f in self._written}
        if with_times:
            values |= {name: UtcIso(F(name)) for name, _f in self._times}
        return JsonObject(values)

    def sql_times(self) -> bool:
        """Whether the database writes the date-times too: where the serializer writes them in a zone
        that is UTC all year (UTC itself, or Bamako, Dakar, Abidjan…), the stored UTC value is the
        answer. Asked again at each request (a request may activate another zone)."""
        return bool(self._times) and all(_always_utc(_zone(f)) for _name, f in self._times)

    def columns(self) -> list:
        """What values_list() reads: the object as text, the date-times as stored (those the
        database does not write, and those the cursor reads), the cursor's other fields."""
        sql_times = self.sql_times()
        times = [Cast(name, TextField()) for name in self._times_read(sql_times)]
        others = (name for name in self.cursor if name not in dict(self._times))
        return [JsonText(self.object(with_times=sql_times)), *times, *others]

    def write(self, rows: list[tuple]) -> WrittenRows:
        """The page's rows as the serializer writes them, as JSON texts."""
        if not self._times or self.sql_times():
            return WrittenRows(row[0] for row in rows)
        writers = [(f'"{name}":', _datetime_writer(f)) for name, f in self._times]
        end = 1 + len(writers)
        written = WrittenRows()
        for row in rows:
            times = ",".join(key + _quoted(write(text)) for (key, write), text in zip(writers, row[1:end], strict=True))
            written.append(f"{row[0][:-1]},{times}}}")
        return written

    def value(self, row: tuple, name: str):
        """The model's value of the cursor's field `name` in a row (a date-time read as text made one)."""
        times = self._times_read(self.sql_times())
        if name in times:
            text = row[1 + times.index(name)]
            return None if text is None else _stored_datetime(text)
        others = [other for other in self.cursor if other not in dict(self._times)]
        return row[1 + len(times) + others.index(name)]

    def _times_read(self, sql_times: bool) -> list[str]:
        """The date-times read as stored text: all of them when Python writes them, else the cursor's."""
        return [name for name, _f in self._times if not sql_times or name in self.cursor]

    @cached_property
    def _fields(self) -> list[tuple[str, serializers.Field]]:
        """The serializer's readable fields, made once (they keep no state of a request)."""
        return [(name, f) for name, f in self.serializer_class().fields.items() if not f.write_only]

    @cached_property
    def _times(self) -> list[tuple[str, serializers.DateTimeField]]:
        """The date-times that end the serializer's fields (written by Python)."""
        times = [(name, f) for name, f in self._fields if isinstance(f, serializers.DateTimeField)]
        if times != self._fields[len(self._fields) - len(times) :]:
            raise ValueError(f"{self.serializer_class.__name__}: its date-times must be its last fields")
        if any(not _iso(f) for _name, f in times):
            raise ValueError(f"{self.serializer_class.__name__}: its date-times must be written in ISO 8601")
        return times

    @cached_property
    def _written(self) -> list[tuple[str, serializers.Field]]:
        """The fields the database writes. Those without an expression of their own are written as
        the column holds them, which must be what the field would write."""
        written = self._fields[: len(self._fields) - len(self._times)]
        for name, f in written:
            if name not in self.values and not _as_stored(f):
                raise ValueError(f"{name}: a {type(f).__name__} needs its expression in `values`")
        return written


def _as_stored(f: serializers.Field) -> bool:
    """Fields that write a column's value unchanged: texts, codes (a choice's code is its value),
    whole numbers, booleans, and dates in ISO 8601 (both databases write them so in JSON)."""
    if isinstance(f, serializers.DateField):
        return str(getattr(f, "format", api_settings.DATE_FORMAT)).lower() == ISO_8601
    if isinstance(f, serializers.MultipleChoiceField):  # a set of codes, not one
        return False
    return isinstance(
        f, (serializers.CharField, serializers.ChoiceField, serializers.IntegerField, serializers.BooleanField)
    )


def _quoted(text: str | None) -> str:
    return "null" if text is None else f'"{text}"'  # an ISO 8601 date-time holds no quote or backslash


def _iso(f: serializers.DateTimeField) -> bool:
    return str(getattr(f, "format", api_settings.DATETIME_FORMAT)).lower() == ISO_8601


def _stored_datetime(text: str) -> datetime:
    """A date-time as the database stores it, as text: SQLite's "2026-02-26 10:20:30.123456" (UTC)
    or PostgreSQL's "2026-02-26 10:20:30.12+00" (in the connection's zone, UTC)."""
    value = datetime.fromisoformat(text)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _zone(f: serializers.DateTimeField):
    """The zone the field writes in (None without time zones)."""
    return f.timezone if hasattr(f, "timezone") else f.default_timezone()


@lru_cache(maxsize=64)
def _always_utc(zone) -> bool:
    """Whether a zone's offset is zero in every season from 1970 to 2100 (tested each month): its
    date-times are then written as UTC's, "Z" included (DateTimeField writes "Z" for +00:00)."""
    if zone is None:
        return False
    months = (datetime(year, month, 15, 12, tzinfo=UTC) for year in range(1970, 2101) for month in range(1, 13))
    return all(moment.astimezone(zone).utcoffset() == timedelta(0) for moment in months)


def _datetime_writer(f: serializers.DateTimeField) -> Callable[[str | None], str | None]:
    """DateTimeField.to_representation from the stored text, with the time zone looked up once a
    page rather than once a value: in the field's zone, ISO 8601, "Z" for UTC."""
    zone = _zone(f)

    def write(text):
        if not text:
            return None
        if zone is None:  # no time zones (USE_TZ off): stored as written, naive
            return f.to_representation(datetime.fromisoformat(text))
        text = _stored_datetime(text).astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return write
