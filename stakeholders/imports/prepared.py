"""A large import written in short transactions: every row is classified and built before them
(derived keys, search text, consent fields), so that they only send it.

On SQLite a write transaction holds the whole database: officers logging a meeting wait for it.
The slow part of an import is Python's (checking cells, asking the database for duplicates, folding
the search text), so all of it is done first, batch by batch (prepare(), memory bounded: the
batches wait in a temporary file); a Writer then creates the missing regions and tags, gives the
new rows their ids, inserts them with their history, applies the updates and links the tags: in
one transaction, or in slices of about a second each (runs.py), each slice returning what it wrote
so that undo.py can take it back.

What the database changed between prepare() and a transaction is found by changed_since(): a
record of the registry written meanwhile (its history says so) that one of the rows matched, or
whose keys one of the rows has. Then the transaction writes nothing, what the slices before it
wrote is taken back, and the import is prepared again."""

import pickle
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO

from django.db.models import Max
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


def prepare(
    batches: Iterable[list[RowPreview]],
    kind: str,
    file: IO[bytes],
    *,
    owner=None,
    source: str = "",
    seen: dict | None = None,
) -> Plan:
    """Classify each batch against the database as it stands and build its new rows; the batches go
    to `file` (pickled), ready for a Writer. The rows must have been checked already (staging).
    `seen`: the keys of the file's earlier rows, when the file is prepared a few batches at a time."""
    plan = Plan(kind=kind)
    seen = {} if seen is None else seen
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


def changed_since(plan: Plan, since: datetime, seen: set, own: list | None = None) -> bool:
    """Whether a record written since `since` (by its history), in a change prepare() did not see,
    bears on the prepared rows: one they matched, or one now holding the key of one of them. Read
    inside the write's transaction (each of them, when it is written in slices: `own` then holds the
    history ranges of the slices already written, the import's own entries)."""
    if plan.kind == "organizations":
        changed = _changed_ids(Organization, since, seen, own)
        return bool(changed & plan.matched) or bool(_organization_keys(changed) & plan.keys)
    changed = _changed_ids(Contact, since, seen, own)
    if changed & plan.matched or _contact_keys(changed) & plan.keys:
        return True
    named = _changed_ids(Organization, since, seen)
    found = Organization.objects.filter(pk__in=named).annotate(k=Lower("name")).values_list("registration_key", "k")
    return any({("registration", key), ("name", name)} & plan.references for key, name in found)


def _changed_ids(model, since: datetime, seen: set, own: list | None = None) -> set:
    entries = model.history.filter(history_date__gte=since)
    for after, last in own or ():
        entries = entries.exclude(history_id__gt=after, history_id__lte=last)
    entries = entries.values_list("history_id", "id")
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


class Writer:
    """Sends what prepare() built, batch by batch, inside the caller's transaction: all of it in one
    (send() with no time limit), or a slice at a time (send(until=…), one transaction each, on
    SQLite, so that officers' writes pass in between; runs.py). Each slice returns what it wrote,
    for undo.py to take back if a later slice cannot be written."""

    def __init__(self, plan: Plan, file: IO[bytes], *, actor=None, source: str = ""):
        self.plan, self.file, self.actor = plan, file, actor
        self.reason = _("Import: %(source)s") % {"source": source} if source else _("Import")
        self.source = source
        self.model = Organization if plan.kind == "organizations" else Contact
        self.regions: dict | None = None
        self.tags: dict = {}
        self.new_regions: list[str] = []
        self.new_tags: list[str] = []
        self._ahead: tuple | None = None
        self.finished = self._peek() is None  # nothing prepared: nothing to send

    def _start(self) -> None:
        """The regions and tags the rows name, made in the first transaction."""
        plan, actor, reason = self.plan, self.actor, self.reason
        known_regions = set(Region.objects.values_list("key", flat=True))
        known_tags = set(Tag.objects.values_list("key", flat=True))
        self.regions = (
            writing._lookup_or_create(Region, sorted(plan.regions.values()), actor, reason) if plan.regions else {}
        )
        self.tags = writing._lookup_or_create(Tag, sorted(plan.tags.values()), actor, reason) if plan.tags else {}
        self.new_regions = sorted(name for key, name in plan.regions.items() if key not in known_regions)
        self.new_tags = sorted(name for key, name in plan.tags.items() if key not in known_tags)

    def send(self, until: float | None = None) -> dict:
        """Batches until the file ends or time.monotonic() passes `until`. Returns what they wrote:
        {"created": [[first id, last id], …], "updated": [ids], "tagged": [[organization, tag], …]
        (links added to updated organizations), "history": [after, last]} (the history entries
        they wrote are those numbered after `after` up to `last`: exact where writes are serialized,
        as on SQLite)."""
        changes.record()
        history = self.model.history
        entry: dict = {"created": [], "updated": [], "tagged": [], "history": [_last_history_id(history), 0]}
        if self.regions is None:
            self._start()
        sent = 0
        while not self.finished and (until is None or time.monotonic() < until or not sent):  # a batch at least
            self._send_batch(*self._next_batch(), entry)
            sent += 1
            self.finished = self._peek() is None
        reset_sequences(self.model)
        entry["history"][1] = _last_history_id(history)
        return entry

    def _peek(self) -> tuple | None:
        """The next batch, read ahead so that the slice that sends the last one knows it is the last."""
        if self._ahead is None:
            try:
                self._ahead = pickle.load(self.file)  # noqa: S301 (written by prepare(), in this process)
            except EOFError:
                return None
        return self._ahead

    def _next_batch(self) -> tuple:
        batch = self._peek()
        assert batch is not None, "send() after the last batch"
        self._ahead = None
        return batch

    def _send_batch(self, built: list[dict], updates: list[RowPreview], entry: dict) -> None:
        ids = next_ids(self.model, len(built))
        now = timezone.now()
        links = []
        for row, pk in zip(built, ids, strict=True):
            row["id"] = pk
            row["created_at"] = row["updated_at"] = now
            if self.plan.kind == "organizations":
                key = row.pop("_region")
                row["region_id"] = self.regions[key].pk if key else None
                links.append((pk, row.pop("_tags")))
        insert_rows(
            self.model, built, history_reason=self.reason, history_user_id=self.actor.pk if self.actor else None
        )
        if ids:
            entry["created"].append([ids.start, ids.stop - 1])
        entry["updated"] += [row.match.pk for row in updates]
        if self.plan.kind == "organizations":
            _update_organizations(updates, self.regions, self.actor, self.reason)
            updated_links = [(row.match.pk, row.values.get("tags", [])) for row in updates]
            entry["tagged"] += _new_links(updated_links, self.tags)
            writing._link_tags(links, updated_links, self.tags)
        else:
            _update_contacts(updates, self.actor, self.reason, self.source)

    def summary(self) -> writing.ImportSummary:
        plan = self.plan
        return writing.ImportSummary(
            created=plan.counts[NEW],
            updated=plan.counts[UPDATE],
            duplicates=plan.counts["duplicate"],
            new_regions=self.new_regions,
            new_tags=self.new_tags,
        )


def _last_history_id(history) -> int:
    return history.aggregate(last=Max("history_id"))["last"] or 0


def _new_links(updated: list[tuple], tags: dict) -> list[list[int]]:
    """The (organization, tag) links that linking `updated` will add: those it names minus those
    that already exist."""
    wanted = {(pk, tags[fold_value(name)].pk) for pk, names in updated for name in names}
    if not wanted:
        return []
    through = Organization.tags.through
    existing = set(
        through.objects.filter(organization_id__in={pk for pk, _names in updated}).values_list(
            "organization_id", "tag_id"
        )
    )
    return sorted([pk, tag] for pk, tag in wanted - existing)


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
