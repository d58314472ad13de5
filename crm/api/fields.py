"""Serializer pieces every resource shares: refusing unknown fields, and relations given as lists of
ids (or codes, or e-mail addresses) read in one query, naming those that match nothing."""

from collections.abc import Mapping

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

MAX_ID = 2**63 - 1  # the largest id a database holds: beyond, a 400 rather than an overflow


class StrictSerializer(serializers.ModelSerializer):
    """A field the resource does not have is refused by name (a typo must not pass silently).
    Read-only fields may be sent back as they were read: they are ignored."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(str(name) for name in data if name not in self.fields)
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)


class Records(serializers.Field):
    """Several records of `queryset` by `key` (the id by default): a JSON list in, a list out.

    Out, it reads the instance's annotation `joined` when the list's query joined the keys in
    ("3; 12"), else the relation `source`."""

    def __init__(self, *, queryset, key: str = "pk", max_length: int = 1000, joined: str | None = None, **kwargs):
        self.queryset, self.key, self.max_length, self.joined = queryset, key, max_length, joined
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def _key_value(self, item):
        if self.key == "pk":
            if isinstance(item, bool) or not isinstance(item, int) or not 1 <= item <= MAX_ID:
                raise serializers.ValidationError(_("Give ids as whole numbers."))
            return item
        if not isinstance(item, str) or not item.strip() or len(item) > 254:
            raise serializers.ValidationError(_("Give a list of texts."))
        return item.strip().lower() if self.key == "email" else item.strip()

    def to_internal_value(self, data):
        if not isinstance(data, list):
            raise serializers.ValidationError(_("Give a list."))
        if len(data) > self.max_length:
            raise serializers.ValidationError(
                ngettext("At most %(n)s item.", "At most %(n)s items.", self.max_length) % {"n": self.max_length}
            )
        wanted = list(dict.fromkeys(self._key_value(item) for item in data))
        lookup = f"{self.key}__in" if self.key != "email" else "email__in"
        found = {getattr(record, self.key): record for record in self.queryset.filter(**{lookup: wanted})}
        missing = [str(value) for value in wanted if value not in found]
        if missing:
            raise serializers.ValidationError(_("Not found: %(values)s.") % {"values": ", ".join(missing)})
        return [found[value] for value in wanted]

    def get_attribute(self, instance):
        if self.joined and hasattr(instance, self.joined):
            return ("joined", getattr(instance, self.joined))
        return ("related", getattr(instance, self.source).all())

    def to_representation(self, value):
        how, data = value
        if how == "joined":
            return self.from_joined(data)
        return [getattr(record, self.key) for record in data]

    def from_joined(self, text: str | None) -> list:
        """The list written from the keys joined in one text ("3; 12"): ids in order, keys as joined."""
        parts = text.split("; ") if text else []
        return sorted(map(int, parts)) if self.key == "pk" else parts


@extend_schema_field({"type": "array", "items": {"type": "integer"}})
class RecordIds(Records):
    """Records by id."""


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class RecordKeys(Records):
    """Records by a code or an e-mail address."""
