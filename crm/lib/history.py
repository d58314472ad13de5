"""The `…/<pk>/history/` pages: who changed what, when, from what to what (django-simple-history)."""

from collections.abc import Iterable
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

CHANGE_TYPES = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}
PER_PAGE = 25


# (model, primary key) → the related record's name, as the entries show it
RelatedNames = dict[tuple[Any, Any], str]


def _history(instance: models.Model) -> Any:
    """The record's history entries: the manager django-simple-history adds (the library has no types)."""
    return instance.history  # type: ignore[attr-defined]


def _display(field: Any, value: Any, related_names: RelatedNames) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(field, models.ManyToManyField):
        names = sorted(related_names.get((field.related_model, ref), str(ref)) for ref in value)
        return ", ".join(names) or "—"
    if field.is_relation:
        return related_names.get((field.related_model, value), f"#{value}")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)


def _m2m_ids(field: models.ManyToManyField, value: Iterable[dict] | None) -> list:
    target = field.m2m_reverse_field_name()
    return [row[target] for row in value or []]


def history_entries(instance: models.Model, page_number: str | None) -> tuple[Page, list[dict]]:
    """A page of history entries (newest first), each with its list of changes."""
    records = _history(instance).select_related("history_user").order_by("-history_date", "-history_id")
    page = Paginator(records, PER_PAGE).get_page(page_number)
    items = list(page.object_list)
    # The entry just before this page, to show what the page's oldest entry changed.
    older = next(iter(records[page.end_index() : page.end_index() + 1]), None) if items else None
    return page, _entries(type(instance), items, older)


def changes_since(instance: models.Model, version: str) -> list[dict]:
    """The history entries saved after `version` (from version_of), oldest first, each with its
    changes: what someone else did while a form was open."""
    try:
        seen = int(version)
    except ValueError:
        return []
    records = _history(instance).select_related("history_user").order_by("-history_id")
    newer = list(records.filter(history_id__gt=seen))
    base = records.filter(history_id=seen).first()
    return list(reversed(_entries(type(instance), newer, base)))


def version_of(instance: models.Model) -> str:
    """The version a form was opened at: the id of the record's latest history entry."""
    latest = _history(instance).order_by("-history_id").values_list("history_id", flat=True).first()
    return str(latest or 0)


def _entries(model: type[models.Model], items: list, older: Any) -> list[dict]:
    """Entries for history records (newest first); `older` is the record before the last item."""
    chain = items + ([older] if older else [])
    diffs = []
    wanted: dict[Any, set] = {}
    for newer, previous in zip(chain, chain[1:] + [None], strict=True):
        if newer is older:
            break
        delta = newer.diff_against(previous) if previous is not None else None
        changes = []
        for change in delta.changes if delta else []:
            field = model._meta.get_field(change.field)
            if not isinstance(field, models.Field):  # a diff names the model's own fields, never a reverse relation
                continue
            old, new = change.old, change.new
            if isinstance(field, models.ManyToManyField):
                old, new = _m2m_ids(field, old), _m2m_ids(field, new)
                for ref in [*old, *new]:
                    wanted.setdefault(field.related_model, set()).add(ref)
            elif field.is_relation:
                for ref in (old, new):
                    if ref is not None:
                        wanted.setdefault(field.related_model, set()).add(ref)
            changes.append((field, old, new))
        diffs.append((newer, changes))
    related_names = {
        (related_model, obj.pk): str(obj)
        for related_model, ids in wanted.items()
        for obj in related_model._default_manager.filter(pk__in=ids)
    }
    return [
        {
            "when": record.history_date,
            "who": record.history_user,
            "type": CHANGE_TYPES.get(record.history_type, record.history_type),
            "reason": record.history_change_reason or "",
            "changes": [
                {
                    "field": field.verbose_name,
                    "old": _display(field, old, related_names),
                    "new": _display(field, new, related_names),
                }
                for field, old, new in changes
            ],
        }
        for record, changes in diffs
    ]


def history_page(request: HttpRequest, instance: models.Model, *, back_url: str) -> HttpResponse:
    page, entries = history_entries(instance, request.GET.get("page"))
    return render(
        request, "crm/history.html", {"object": instance, "page_obj": page, "entries": entries, "back_url": back_url}
    )
