"""A large import written in one short transaction: every row is classified and built before it
(derived keys, search text, consent fields), so the transaction only sends them.

On SQLite a write transaction holds the whole database: officers logging a meeting wait for it.
The slow part of an import is Python's (checking cells, asking the database for duplicates, folding
the search text), so all of it is done first, batch by batch (prepare(), memory bounded: the
batches wait in a temporary file); write() then creates the missing regions and tags, gives the new
rows their ids, inserts them with their history, applies the updates and links the tags.

What the database changed between prepare() and write() is found by changed_since(): a record of
the registry written meanwhile (its history says so) that one of the rows matched, or whose keys
one of the rows has. Then the transaction writes nothing and the import is prepared again."""

import pickle
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO

from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from crm.lib import changes
from crm.lib.bulk import insert_rows, next_ids, reset_sequences
from stakeholders.imports import writing
from stakeholders.imports.columns import fold_value
from stakeholders.imports.preview import NEW, UPDATE, ImportPreview, Problem, RowPreview, classify
from stakeholders.models import Contact, Organization, Region, Tag
from stakeholders.normalize import CONTACT_KEYS, ORGANIZATION_KEYS, fold, registration_key


@dataclass
class Plan:
    """What prepare() found, beside the batches it wrote: the counts, the problems (a row no longer
    valid), and what changed_since() compares the database's later changes with."""

    kind: str
    counts: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    keys: set = field(default_factory=set)  # every row's duplicate key (key kind, key)
    matched: set = field(default_factory=set)  # ids of the records rows update or repeat
    references: set = field(default_factory=set)  # contacts: the organizations named (registration key, name)
    regions: dict = field(default_factory=dict)  # folded → as written
    tags: dict = field(default_factory=dict)
    new: int = 0


def prepare(batches: Iterator[list[RowPreview]], kind: str, file: IO[bytes], *, owner=None, source: str = "") -> Plan:
    """Classify each batch against the database as it stands and build its new rows; the batches go
    to `file` (pickled), ready for write(). The rows must have been checked already (staging)."""
    plan = Plan(kind=kind)
    seen: dict = {}
    blank = writing._blank_row(Organization if kind == "organizations" else Contact)
    if kind == "organizations":
        blank["owner_id"] = owner.pk if owner else None
    today = timezone.localdate()
    for rows in batches:
        preview = ImportPreview(kind=kind, rows=rows, seen=seen)
        if kind == "contacts":
            plan.references.update(_references(rows))
        classify(preview)
        plan.counts.update(preview.counts)
        plan.problems += preview.problems
        if plan.problems:
            continue  # nothing more to build: this import will not be written
        _note(plan, rows)
        if kind == "organizations":
            built = [_new_organization(blank, row) for row in rows if row.status == NEW]
        else:
            built = [_new_contact(row, today, source) for row in rows if row.status == NEW]
        plan.new += len(built)
        updates = [row for row in rows if row.status == UPDATE]
        pickle.dump((built, updates), file, protocol=pickle.HIGHEST_PROTOCOL)
    return plan


def _note(plan: Plan, rows: list[RowPreview]) -> None:
    """What changed_since() compares with, and the regions and tags the rows name."""
    for row in rows:
        plan.keys.add(row.key)
        if row.match is not None:
            plan.matched.add(row.match.pk)
        if plan.kind == "organizations" and row.status in (NEW, UPDATE):
            if region := row.values.get("region"):
                plan.regions.setdefault(fold_value(region), region)
            for tag in row.values.get("tags", []):
                plan.tags.setdefault(fold_value(tag), tag)


def _new_organization(blank: dict, row: RowPreview) -> dict:
    """The new organization's row, its region still a name (regions are made in the transaction)."""
    values = {name: value for name, value in row.values.items() if name != "region"}
    built = writing._new_organization_row(blank, values, {})
    built["_region"] = fold_value(row.values["region"]) if row.values.get("region") else None
    built["_tags"] = row.values.get("tags", [])
    return built


def _new_contact(row: RowPreview, today, source: str) -> dict:
    contact = Contact()
    writing._apply_contact_values(contact, row.values, today, source)
    return writing._row_of(contact)


def _references(rows: list[RowPreview]) -> set:
    return {
        key
        for row in rows
        if (reference := row.values.get("organization"))
        for key in (("registration", registration_key(reference)), ("name", reference.lower()))
    }


def seen_changes(since: datetime) -> set:
    """The registry's history entries since `since`, read before prepare(): what it already saw.
    `since` lies further back than any transaction lasts, so a change committed after this read
    is not among them, even one whose entry is dated earlier."""
    return {
        (model.__name__, pk)
        for model in (Organization, Contact)
        for pk in model.history.filter(history_date__gte=since).values_list("history_id", flat=True)
    }


def changed_since(plan: Plan, since: datetime, seen: set) -> bool:
    """Whether a record written since `since` (by its history), in a change prepare() did not see,
    bears on the prepared rows: one they matched, or one now holding the key of one of them. Read
    inside the write's transaction."""
    if plan.kind == "organizations":
        changed = _changed_ids(Organization, since, seen)
        return bool(changed & plan.matched) or bool(_organization_keys(changed) & plan.keys)
    changed = _changed_ids(Contact, since, seen)
    if changed & plan.matched or _contact_keys(changed) & plan.keys:
        return True
    named = _changed_ids(Organization, since, seen)
    found = Organization.objects.filter(pk__in=named).annotate(k=Lower("name")).values_list("registration_key", "k")
    return any({("registration", key), ("name", name)} & plan.references for key, name in found)


def _changed_ids(model, since: datetime, seen: set) -> set:
    entries = model.history.filter(history_date__gte=since).values_list("history_id", "id")
    return {pk for entry, pk in entries if (model.__name__, entry) not in seen}


def _organization_keys(ids: set) -> set:
    keys = set()
    found = Organization.objects.filter(pk__in=ids).annotate(k=Lower("email"))
    for number, email, name in found.values_list("registration_key", "k", "name_key"):
        keys |= {("registration_number", number), ("email", email), ("name", name)}
    return keys


def _contact_keys(ids: set) -> set:
    keys = set()
    found = Contact.objects.filter(pk__in=ids).values_list("email", "first_name", "last_name", "organization_id")
    for email, first, last, organization in found:
        keys |= {("email", email.lower()), ("name", f"{fold(first)}|{fold(last)}|{organization or ''}")}
    return keys


def write(plan: Plan, file: IO[bytes], *, actor=None, source: str = "") -> writing.ImportSummary:
    """Send what prepare() built; called inside the transaction (all or nothing)."""
    changes.record()
    reason = _("Import: %(source)s") % {"source": source} if source else _("Import")
    model = Organization if plan.kind == "organizations" else Contact
    known_regions, known_tags = (
        set(Region.objects.values_list("key", flat=True)),
        set(Tag.objects.values_list("key", flat=True)),
    )
    regions = writing._lookup_or_create(Region, sorted(plan.regions.values()), actor, reason) if plan.regions else {}
    tags = writing._lookup_or_create(Tag, sorted(plan.tags.values()), actor, reason) if plan.tags else {}
    ids = iter(next_ids(model, plan.new))
    now = timezone.now()
    while True:
        try:
            built, updates = pickle.load(file)  # noqa: S301 (written by prepare(), in this process)
        except EOFError:
            break
        links = []
        for row in built:
            row["id"] = next(ids)
            row["created_at"] = row["updated_at"] = now
            if plan.kind == "organizations":
                key = row.pop("_region")
                row["region_id"] = regions[key].pk if key else None
                links.append((row["id"], row.pop("_tags")))
        insert_rows(model, built, history_reason=reason, history_user_id=actor.pk if actor else None)
        if plan.kind == "organizations":
            _update_organizations(updates, regions, actor, reason)
            writing._link_tags(links, [(row.match.pk, row.values.get("tags", [])) for row in updates], tags)
        else:
            _update_contacts(updates, actor, reason, source)
    reset_sequences(model)
    return writing.ImportSummary(
        created=plan.counts[NEW],
        updated=plan.counts[UPDATE],
        duplicates=plan.counts["duplicate"],
        new_regions=sorted(name for key, name in plan.regions.items() if key not in known_regions),
        new_tags=sorted(name for key, name in plan.tags.items() if key not in known_tags),
    )


def _update_organizations(updates: list[RowPreview], regions: dict, actor, reason: str) -> None:
    changed = set()
    for row in updates:
        writing._apply_org_values(row.match, row.values, regions)
        changed.update(name for name in row.changes if name != "tags")
    if updates and changed:
        bulk_update_with_history(
            [row.match for row in updates],
            Organization,
            sorted(changed | {*ORGANIZATION_KEYS, "updated_at"}),
            batch_size=writing.BATCH,
            default_user=actor,
            default_change_reason=reason,
        )


def _update_contacts(updates: list[RowPreview], actor, reason: str, source: str) -> None:
    today = timezone.localdate()
    for row in updates:
        writing._apply_contact_values(row.match, row.values, today, source)
    if updates:
        bulk_update_with_history(
            [row.match for row in updates],
            Contact,
            writing.CONTACT_FIELDS + ["consent", "consent_date", "consent_source", *CONTACT_KEYS, "updated_at"],
            batch_size=writing.BATCH,
            default_user=actor,
            default_change_reason=reason,
        )
