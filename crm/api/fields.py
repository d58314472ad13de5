"""Serializer pieces every resource shares: refusing unknown fields, and relations given as lists of
ids (or codes, or e-mail addresses) read in one query, naming those that match nothing."""

from collections.abc import Mapping

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

MAX_ID = 2**63 - 1  # the largest id a database holds: beyond, a 400 rather than an overflow


def type_problem(field: serializers.Field, value) -> str | None:
    """What is wrong with the JSON type of `value` for `field`, if anything. DRF would take 5 for the
    text "5", "yes" or 1 for true, "12" for the id 12 and "" for null: a client sending those has a
    bug that should show, not be guessed around."""
    if value is None:
        return None  # allowed or not, the field says so
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        return next((p for p in (type_problem(field.child, item) for item in value) if p), None)
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else _("Give true or false.")
    whole = isinstance(value, int) and not isinstance(value, bool)
    if isinstance(field, (serializers.IntegerField, serializers.PrimaryKeyRelatedField)):
        return None if whole else _("Give a whole number.")
    if isinstance(field, serializers.ChoiceField):
        codes_are_numbers = all(isinstance(code, int) for code in field.choices)
        return None if (whole if codes_are_numbers else isinstance(value, str)) else _("Give one of the codes.")
    if isinstance(field, serializers.SlugRelatedField) and value == "":
        return _("Give a value, or null.")
    if isinstance(field, (serializers.CharField, serializers.DateField, serializers.SlugRelatedField)):
        return None if isinstance(value, str) else _("Give a text.")
    return None


class StrictSerializer(serializers.ModelSerializer):
    """A field the resource does not have is refused by name (a typo must not pass silently), and so
    is a value of the wrong JSON type (type_problem). Read-only fields may be sent back as they were
    read: they are ignored."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(str(name) for name in data if name not in self.fields)
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
            problems = {
                name: [problem]
                for name, field in self.fields.items()
                if name in data and not field.read_only and (problem := type_problem(field, data[name]))
            }
            if problems:
                raise serializers.ValidationError(problems)
        return super().to_internal_value(data)


class Records(serializers.Field):
    """Several records of `queryset` by `key` (the id by default): a JSON list in, a list out, in
    ascending order (ids as numbers, keys by code point: as the list pages' SQL writes them)."""

    def __init__(
        self,
        *,
        queryset,
        key: str = "pk",
        max_length: int = 1000,
        min_length: int = 0,
        **kwargs,
    ):
        """`min_length` is what the service asks for (it refuses fewer, with its own message): the
        schema says it."""
        self.queryset, self.key = queryset, key
        self.max_length, self.min_length = max_length, min_length
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
        return getattr(instance, self.source).all()

    def to_representation(self, value):
        return sorted(getattr(record, self.key) for record in value)


class RecordIds(Records):
    """Records by id."""


class RecordKeys(Records):
    """Records by a code or an e-mail address."""


class RecordsSchema(OpenApiSerializerFieldExtension):
    """The schema of a list of records: ids (whole numbers a database can hold) or keys (the codes
    of a fixed vocabulary as an enum), and how many may be given."""

    target_class = Records
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        if field.key == "pk":
            items: dict = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        else:
            items = {"type": "string", "minLength": 1, "maxLength": 254}
            choices = field.queryset.model._meta.get_field(field.key).choices
            if field.key == "email":
                items["format"] = "email"
            elif choices:
                items = {"type": "string", "enum": [code for code, _label in choices]}
        schema = {"type": "array", "items": items, "maxItems": field.max_length}
        if field.min_length:
            schema["minItems"] = field.min_length
        return schema
