"""Write a checked import in one transaction: bulk inserts and updates, with their history."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from crm.lib import changes
from crm.lib.bulk import insert_rows, next_ids, reset_sequences
from stakeholders import extensions
from stakeholders.imports.columns import fold_value
from stakeholders.imports.preview import NEW, UPDATE, ImportPreview
from stakeholders.models import Contact, Organization, Region, Tag
from stakeholders.normalize import CONTACT_KEYS, ORGANIZATION_KEYS, organization_keys

BATCH = 1000


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    duplicates: int = 0
    new_regions: list[str] = field(default_factory=list)
    new_tags: list[str] = field(default_factory=list)

    def __str__(self):
        text = f"created {self.created}, updated {self.updated}, duplicates {self.duplicates}"
        if self.new_regions:
            text += "; new regions: " + ", ".join(self.new_regions)
        if self.new_tags:
            text += "; new tags: " + ", ".join(self.new_tags)
        return text


class ImportNotValid(Exception):
    pass


@transaction.atomic
def write_import(preview: ImportPreview, *, actor=None, source: str = "", owner=None) -> ImportSummary:
    """All or nothing: a preview with any error writes nothing. New organizations whose row names
    no owner get `owner` (the web page gives them to whoever imports them)."""
    changes.take_turn()  # first, before any write (crm/lib/changes.py)
    if not preview.is_valid:
        raise ImportNotValid(preview.problems)
    changes.record()
    reason = _("Import: %(source)s") % {"source": source} if source else _("Import")
    counts = preview.counts
    summary = ImportSummary(created=counts[NEW], updated=counts[UPDATE], duplicates=counts["duplicate"])
    if preview.kind == "organizations":
        summary.new_regions, summary.new_tags = preview.new_regions, preview.new_tags
        _write_organizations(preview, actor, reason, owner)
    else:
        _write_contacts(preview, actor, reason, source)
    return summary


def _lookup_or_create(model, names: list[str], actor, reason: str) -> dict:
    """fold(name) → instance for regions or tags, creating the missing ones (with history)."""
    existing = {item.key: item for item in model.objects.all()}
    for name in names:
        if fold_value(name) not in existing:
            item = model(name=name)
            item._change_reason = reason
            item._history_user = actor
            item.save()
            existing[item.key] = item
    return existing


def _blank_row(model) -> dict:
    """attname → value of every concrete field of a record made with no arguments: the defaults
    a new record starts from. Taken from one instance, so it is what the ORM itself would fill in."""
    blank = model()
    return {field.attname: getattr(blank, field.attname) for field in model._meta.concrete_fields}


def _row_of(instance) -> dict:
    """An instance as the row _insert_new() takes (contacts are still built as instances: their
    consent fields follow rules kept in one place, _apply_contact_values())."""
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def _insert_new(model, rows: list[dict], actor, reason: str) -> None:
    """Insert new records (rows of attname → value, given their ids and timestamps here) and their
    "created" history entries (crm.lib.bulk: values prepared once per column, executemany; about ten
    times faster than going through bulk_create)."""
    now = timezone.now()
    pk_name = model._meta.pk.attname
    for row, pk in zip(rows, next_ids(model, len(rows)), strict=True):
        row[pk_name] = pk
        row["created_at"] = row["updated_at"] = now
    insert_rows(model, rows, history_reason=reason, history_user_id=actor.pk if actor else None)
    reset_sequences(model)


ORG_FIELDS = [
    "name",
    "acronym",
    "type",
    "sector",
    "city",
    "address",
    "email",
    "phone",
    "website",
    "registration_number",
    "aeo_status",
    "influence",
    "interest",
    "preferred_language",
    "owner_id",
]


def _apply_org_values(organization: Organization, values: dict, regions: dict) -> None:
    for fieldname in ORG_FIELDS:
        if fieldname in values:
            setattr(organization, fieldname, values[fieldname])
    if "region" in values:
        organization.region = regions[fold_value(values["region"])]
    if values.get("notes") and values["notes"] not in organization.notes:
        organization.notes = f"{organization.notes}\n\n{values['notes']}".strip()  # added to, never replaced
    organization.derive_keys()  # bulk writes skip save()
    organization.updated_at = timezone.now()


def _new_organization_row(blank: dict, values: dict, regions: dict) -> dict:
    """The database row of a new organization: what _apply_org_values() would set on a new
    instance, without building one (a model instance per row was a good part of a large import)."""
    row = dict(blank)
    for fieldname in ORG_FIELDS:  # plain fields: the name is the attname
        if fieldname in values:
            row[fieldname] = values[fieldname]
    if "region" in values:
        row["region_id"] = regions[fold_value(values["region"])].pk
    if "notes" in values:
        row["notes"] = values["notes"]
    row.update(organization_keys(row))  # bulk writes skip save()
    return row


def _write_organizations(preview: ImportPreview, actor, reason: str, owner) -> None:
    regions = _lookup_or_create(
        Region, [r.values["region"] for r in preview.rows if r.values.get("region")], actor, reason
    )
    all_tag_names = [tag for r in preview.rows if r.status in (NEW, UPDATE) for tag in r.values.get("tags", [])]
    tags = _lookup_or_create(Tag, all_tag_names, actor, reason) if all_tag_names else {}

    new_rows = [row for row in preview.rows if row.status == NEW]
    blank = _blank_row(Organization)
    blank["owner_id"] = owner.pk if owner else None
    created = [_new_organization_row(blank, row.values, regions) for row in new_rows]
    _insert_new(Organization, created, actor, reason)

    update_rows = [row for row in preview.rows if row.status == UPDATE]
    changed_fields = set()
    for row in update_rows:
        _apply_org_values(row.match, row.values, regions)
        changed_fields.update(f for f in row.changes if f != "tags")
    if update_rows and changed_fields:
        bulk_update_with_history(
            [row.match for row in update_rows],
            Organization,
            sorted(changed_fields | {*ORGANIZATION_KEYS, "updated_at"}),
            batch_size=BATCH,
            default_user=actor,
            default_change_reason=reason,
        )
        extensions.organizations_changed(row.match.pk for row in update_rows)

    _link_tags(
        [(organization["id"], row.values.get("tags", [])) for row, organization in zip(new_rows, created, strict=True)],
        [(row.match.pk, row.values.get("tags", [])) for row in update_rows],
        tags,
    )


def _link_tags(new: list[tuple], updated: list[tuple], tags: dict) -> None:
    """Tag links, from (organization id, tag names) pairs. A new organization has no link yet, so
    its links are plain inserts (crm.lib.bulk), once each even if a cell names a tag twice; an updated
    one may already have some, which the database skips (ignore_conflicts)."""
    through = Organization.tags.through
    tag_ids = {key: tag.pk for key, tag in tags.items()}
    new_links = {
        (organization_id, tag_ids[fold_value(tag)]): None for organization_id, names in new for tag in names
    }  # a dict keeps the file's order
    insert_rows(through, ({"organization_id": o, "tag_id": t} for o, t in new_links))
    links = [
        through(organization_id=organization_id, tag_id=tag_ids[fold_value(tag)])
        for organization_id, names in updated
        for tag in names
    ]
    through.objects.bulk_create(links, batch_size=BATCH, ignore_conflicts=True)


CONTACT_FIELDS = ["first_name", "last_name", "organization_id", "job_title", "email", "phone", "preferred_language"]


def _apply_contact_values(contact: Contact, values: dict, today, source: str) -> None:
    for fieldname in CONTACT_FIELDS:
        if fieldname in values:
            setattr(contact, fieldname, values[fieldname])
    if "consent" in values and (contact.pk is None or values["consent"] != contact.consent):
        contact.consent = values["consent"]
        contact.consent_date = today
        contact.consent_source = (_("Import: %(source)s") % {"source": source})[:200] if source else _("Import")
    contact.derive_keys()  # bulk writes skip save()
    contact.updated_at = timezone.now()


def _write_contacts(preview: ImportPreview, actor, reason: str, source: str) -> None:
    today = timezone.localdate()
    created = []
    for row in preview.rows:
        if row.status == NEW:
            contact = Contact()
            _apply_contact_values(contact, row.values, today, source)
            created.append(_row_of(contact))
    _insert_new(Contact, created, actor, reason)
    update_rows = [row for row in preview.rows if row.status == UPDATE]
    for row in update_rows:
        _apply_contact_values(row.match, row.values, today, source)
    if update_rows:
        fields = CONTACT_FIELDS + ["consent", "consent_date", "consent_source", *CONTACT_KEYS, "updated_at"]
        bulk_update_with_history(
            [row.match for row in update_rows],
            Contact,
            fields,
            batch_size=BATCH,
            default_user=actor,
            default_change_reason=reason,
        )
