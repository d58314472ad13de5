"""Form pieces every app shares: relation fields that refuse ids a database cannot hold, the
project's ModelForm, picker attributes (suggestions as one types), the field renderer."""

from typing import Any, NoReturn

from django import forms
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.urls import reverse_lazy
from django_bootstrap5.renderers import FieldRenderer as BaseFieldRenderer

# The ids a database can hold: 64-bit signed integers. SQLite raises OverflowError on a query
# with a larger one (PostgreSQL an error too), so such ids are refused before any query is made.
SMALLEST_ID, LARGEST_ID = -(2**63), 2**63 - 1


def _model(field: forms.ModelChoiceField) -> type[models.Model]:
    """The model a relation field chooses from (the field is always given its queryset)."""
    if field.queryset is None:
        raise ImproperlyConfigured(f"{type(field).__name__} has no queryset")
    return field.queryset.model


def _holds_integer_ids(field: forms.ModelChoiceField) -> bool:
    key = field.to_field_name or "pk"
    model = _model(field)
    target = model._meta.pk if key == "pk" else model._meta.get_field(key)
    return isinstance(target, models.IntegerField)  # AutoField and BigAutoField are IntegerFields


def _storable_id(value: object) -> bool:
    try:
        number = int(str(value).strip())
    except ValueError:  # "abc", "1.5"
        return False
    return SMALLEST_ID <= number <= LARGEST_ID


def _refuse(field: forms.Field, value: object) -> NoReturn:
    shown = str(value)
    shown = shown if len(shown) <= 24 else shown[:24] + "…"
    raise ValidationError(field.error_messages["invalid_choice"], code="invalid_choice", params={"value": shown})


class RecordChoiceField(forms.ModelChoiceField):
    """A record chosen by id; an id no record can have is a form error, never a server error."""

    def to_python(self, value: Any) -> models.Model | None:
        if value not in self.empty_values and not isinstance(value, _model(self)):
            self.validate_no_null_characters(value)
            if _holds_integer_ids(self) and not _storable_id(value):
                _refuse(self, value)
        return super().to_python(value)


class RecordsChoiceField(forms.ModelMultipleChoiceField):
    """Several records chosen by id; ids no record can have are a form error, never a server error."""

    def _check_values(self, value: Any) -> models.QuerySet:
        if isinstance(value, (list, tuple)) and _holds_integer_ids(self):
            for pk in value:
                if isinstance(pk, str):
                    self.validate_no_null_characters(pk)
                if not _storable_id(pk):
                    _refuse(self, pk)
        return super()._check_values(value)  # type: ignore[misc]  # private: django-stubs leaves it out


def record_formfield(db_field: models.Field, **kwargs: Any) -> forms.Field | None:
    """ModelForms' fields for foreign keys and many-to-many relations: the two fields above."""
    if isinstance(db_field, models.ManyToManyField):
        kwargs.setdefault("form_class", RecordsChoiceField)
    elif isinstance(db_field, models.ForeignKey):
        kwargs.setdefault("form_class", RecordChoiceField)
    return db_field.formfield(**kwargs)


class ModelForm(forms.ModelForm):
    """The project's ModelForm: its relations are chosen with RecordChoiceField and
    RecordsChoiceField (so an out-of-range id is refused as a form error). Every ModelForm of the
    project derives from it; a test checks every form page with hostile ids."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Runs before ModelFormMetaclass reads Meta, so the callback applies to the fields it makes.
        meta = cls.__dict__.get("Meta")
        if meta is not None and not hasattr(meta, "formfield_callback"):
            meta.formfield_callback = staticmethod(record_formfield)
        super().__init_subclass__(**kwargs)


class FieldRenderer(BaseFieldRenderer):
    """Mark fields with errors; never paint the others green."""

    def get_server_side_validation_classes(self) -> str:
        return "is-invalid" if self.field_errors else ""


def suggest_attrs(url_name: str, datalist_id: str, *, on_focus: bool = False) -> dict:
    """A text input that offers matches as the user types (htmx fills a <datalist>); without
    JavaScript it is a plain text field that the server matches by name. `on_focus`: a short list
    (regions) offered whole as soon as the field is entered, so no page carries it in advance."""
    return {
        "list": datalist_id,
        "autocomplete": "off",
        "hx-get": reverse_lazy(url_name),
        "hx-trigger": ("focus once, " if on_focus else "") + "input changed delay:250ms",
        "hx-target": f"#{datalist_id}",
        "hx-swap": "innerHTML",
        # Inside a filter form: send this field alone (not the whole form) and keep the page's
        # address (the form's hx-push-url must not apply to a suggestion).
        "hx-include": "this",
        "hx-push-url": "false",
    }
