"""List pages read as plain rows: for the busiest lists, a page is read with values() (the related
names joined in the page's own query) and written out by the serializer's own fields, so that the
answer is the serializer's to the character, without building a model instance per row and
relation or walking DRF's attribute look-ups field by field.

A `PlainRows` says, for each field of the serializer that reads a relation, where its value is in
the row: a column of ids or keys (`sources`), or a list of records joined by JoinedValues (the
serializer's `Records` fields read those themselves). Nested lists come from `nested` (one query
for the whole page)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.utils import timezone
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
    sources: dict[str, str] = field(default_factory=dict)  # field name -> the values() key holding it
    # field name -> a function from the page's ids to their lists, by id
    nested: dict[str, Callable[[list[int]], dict[int, list]]] = field(default_factory=dict)

    def columns(self) -> list[str]:
        """What values() reads (the joined records' annotations included: the queryset has them)."""
        return [self._source(name, f) for name, f in self._readable() if name not in self.nested]

    def represent(self, rows: list[dict]) -> list[dict]:
        """The page's rows as the serializer writes them (same keys, same order, same values)."""
        ids = [row["id"] for row in rows]
        lists = {name: read(ids) for name, read in self.nested.items()} if rows else {}
        writers = [(name, self._source(name, f), self._writer(name, f, lists)) for name, f in self._readable()]
        return [{name: row[source] if write is None else write(row) for name, source, write in writers} for row in rows]

    @cached_property
    def _fields(self) -> list[tuple[str, serializers.Field]]:
        """The serializer's readable fields, made once (they keep no state of a request)."""
        return [(name, f) for name, f in self.serializer_class().fields.items() if not f.write_only]

    def _readable(self) -> list[tuple[str, serializers.Field]]:
        return self._fields

    def _source(self, name: str, f: serializers.Field) -> str:
        if isinstance(f, Records):
            if not f.joined:
                raise ValueError(f"{name}: a plain row reads records joined in its query (Records(joined=…))")
            return f.joined
        return self.sources.get(name, name)

    def _writer(self, name: str, f: serializers.Field, lists: dict) -> Callable[[dict], object] | None:
        """How the field writes its value from the row; None: the row's value as it is."""
        if name in self.nested:
            by_id = lists.get(name, {})
            return lambda row: by_id.get(row["id"], [])
        source = self._source(name, f)
        if isinstance(f, Records):
            joined = f.from_joined
            return lambda row: joined(row[source])
        if isinstance(f, (RelatedField, *AS_READ)):  # the row holds the id (or the key) that the field writes
            return None
        if isinstance(f, serializers.DateTimeField) and _iso_8601(f):
            return _datetime_writer(f, source)
        write = f.to_representation
        return lambda row: None if row[source] is None else write(row[source])


def _iso_8601(f: serializers.DateTimeField) -> bool:
    return str(getattr(f, "format", api_settings.DATETIME_FORMAT)).lower() == ISO_8601


def _datetime_writer(f: serializers.DateTimeField, source: str) -> Callable[[dict], object]:
    """DateTimeField.to_representation with the time zone looked up once a page rather than once a
    value (the dearest part of a row): in the field's zone, ISO 8601, "Z" for UTC."""
    zone = f.timezone if hasattr(f, "timezone") else f.default_timezone()

    def write(row: dict):
        value = row[source]
        if not value:
            return None
        if zone is None or not timezone.is_aware(value):
            return f.to_representation(value)
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return write
