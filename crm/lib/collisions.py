"""Edits that collide: two people open the same record; the second save must not silently
overwrite the first.

A form opened on a record carries the record's version (its latest history entry). Saving over a
newer version is refused: the form is shown again with what was typed, a message, and what the
other person changed (who, when, from what to what). The form then carries the new version, so
saving again, after a look, keeps the second person's text on purpose.
"""

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from crm.lib.history import changes_since, version_of

COLLISION_MESSAGE = _(
    "Someone else saved this record after you opened it (their changes are listed below). "
    "Yours are not saved yet: check them, then save again to keep them."
)


# What the mixin is mixed into, for the type checker: a ModelForm.
if TYPE_CHECKING:
    _Form = forms.ModelForm
else:
    _Form = object


class EditCollisionMixin(_Form):
    """For ModelForms of records with django-simple-history; put it before forms.ModelForm."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.collision: list[dict] = []
        # The record's version now: shown in a new form, compared with the posted one on save.
        self.current_version = version_of(self.instance) if self.instance.pk else ""
        if self.instance.pk:
            self.fields["version"] = forms.CharField(
                widget=forms.HiddenInput, required=False, initial=self.current_version
            )

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        key = self.add_prefix("version")
        posted = self.data.get(key, "") if self.instance.pk else ""
        if posted and posted != self.current_version:
            self.collision = changes_since(self.instance, posted)
            data = cast(QueryDict, self.data).copy()  # posted data, read-only until copied
            data[key] = self.current_version  # the next save is made knowing what changed
            self._take_their_changes(posted, data)
            self.data = data
            self.add_error(None, forms.ValidationError(COLLISION_MESSAGE, code="collision"))
        return cleaned

    def _take_their_changes(self, version: str, data: QueryDict) -> None:
        """A field this user left as it was, and someone else changed, shows the other's value:
        saving again then keeps both people's changes (plain fields; a field both changed keeps
        what this user typed)."""
        base = self.instance.history.filter(history_id=int(version)).first() if version.isdigit() else None
        if base is None:
            return
        for name in self.fields:
            try:
                model_field = self.instance._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if model_field.is_relation or not model_field.concrete:
                continue
            before, now = getattr(base, name), getattr(self.instance, name)
            key = self.add_prefix(name)
            if before != now and data.get(key, "") == _as_posted(before):
                data[key] = _as_posted(now)


def _as_posted(value: object) -> str:
    """A stored value as a form posts it back (None as an empty field)."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
