"""Take back what the slices of an import wrote (runs.py writes a large import in slices on
SQLite): one slice at a time, the last first, each in the transaction that also drops it from the
run's journal, so that an undo stopped half-way (a worker killed) goes on where it stopped.

A slice's entry (prepared.Writer.send) names the records it created and updated, the tag links it
added to updated organizations, and the range of history entries it wrote. Nothing is taken back
from under a colleague:
- a created record is deleted (with a "deleted" history entry) unless it was changed or referred to
  since (a later history entry, an engagement or a person linked to it): those are kept;
- an updated record gets back its values from before the import (a history entry says so), unless
  it was changed again since: the later change stands.
Regions and tags the import made stay: they are names, harmless and reused by a new try."""

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from crm.lib import changes
from crm.lib.bulk import insert_deleted_history
from stakeholders.models import Contact, Organization
from stakeholders.normalize import CONTACT_KEYS, ORGANIZATION_KEYS

CHUNK = 500  # ids a query names at most


def undo_slice(kind: str, entry: dict, *, actor=None) -> int:
    """Take back one slice; called inside a transaction. Returns how many created records were
    kept because they were changed or used since."""
    model = Organization if kind == "organizations" else Contact
    reason = _("Import undone")
    after, last = entry["history"]
    changes.record()
    _restore(model, entry["updated"], after, last, actor, reason)
    by_tag: dict[int, list[int]] = {}
    for organization, tag in entry["tagged"]:
        by_tag.setdefault(tag, []).append(organization)
    for tag, organizations in by_tag.items():
        for start in range(0, len(organizations), CHUNK):
            chunk = organizations[start : start + CHUNK]
            Organization.tags.through.objects.filter(tag_id=tag, organization_id__in=chunk).delete()
    kept = 0
    for first, final in entry["created"]:
        kept += _delete_created(model, range(first, final + 1), last, actor, reason)
    return kept


def _restore(model, ids: list[int], after: int, last: int, actor, reason: str) -> None:
    """The updated records whose latest history entry is still the import's: back to the values of
    their entry before it."""
    history = model.history
    kept = {f.attname for f in history.model._meta.concrete_fields}  # the derived keys are not kept
    fields = [f.attname for f in model._meta.concrete_fields if f.attname in kept and f.attname != "id"]
    derived = [*(ORGANIZATION_KEYS if model is Organization else CONTACT_KEYS), "updated_at"]
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        latest = history.filter(id__in=chunk).values("id").annotate(top=Max("history_id"))
        ours = [row["id"] for row in latest if after < row["top"] <= last]
        before = {}
        for entry in history.filter(id__in=ours, history_id__lte=after).order_by("id", "-history_id"):
            before.setdefault(entry.id, entry)
        records = list(model._base_manager.filter(pk__in=before))
        now = timezone.now()
        for record in records:
            for name in fields:
                setattr(record, name, getattr(before[record.pk], name))
            record.derive_keys()
            record.updated_at = now
        if records:
            bulk_update_with_history(records, model, fields + derived, default_user=actor, default_change_reason=reason)


def _delete_created(model, ids: range, last: int, actor, reason: str) -> int:
    """Delete the records the import created, but those changed or referred to since; returns how
    many were kept."""
    span = (ids.start, ids.stop - 1)
    changed = set(model.history.filter(id__range=span, history_id__gt=last).values_list("id", flat=True))
    keep = sorted(changed | _referred_to(model, span))
    insert_deleted_history(model, ids, leave_out=keep, reason=reason, user_id=actor.pk if actor else None)
    if model is Organization:
        links = Organization.tags.through.objects.filter(organization_id__gte=span[0], organization_id__lte=span[1])
        links.exclude(organization_id__in=keep).delete()
    model._base_manager.filter(pk__range=span).exclude(pk__in=keep)._raw_delete(model._base_manager.db)
    return len(keep)


def _referred_to(model, span: tuple[int, int]) -> set[int]:
    """The ids, from span[0] to span[1], that a record of another model refers to (a person's
    organization, an engagement's links, a roll-up…), found through every foreign key Django knows
    that points at `model`, hidden ones included (a many-to-many link is one, in its table), so the
    registry names no other app. Its own history and its own tag links do not count."""
    own = {model.history.model, *(f.remote_field.through for f in model._meta.many_to_many)}
    keys = [
        f
        for f in model._meta.get_fields(include_hidden=True)
        if f.auto_created and not f.concrete and not f.many_to_many and f.related_model not in own
    ]
    found: set[int] = set()
    for key in keys:
        column = key.field.attname
        rows = key.related_model._base_manager.filter(**{f"{column}__gte": span[0], f"{column}__lte": span[1]})
        found.update(rows.values_list(column, flat=True).distinct())
    return found
