"""Write a checked import in one transaction: bulk inserts and updates, with their history."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from crm.bulk import insert_rows, next_ids, reset_sequences
from stakeholders.imports.preview import NEW, UPDATE, ImportPreview
from stakeholders.models import Contact, Organization, Region, Tag
from stakeholders.normalize import fold, name_key, registration_key

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
def write_import(preview: ImportPreview, *, actor=None, source: str = "") -> ImportSummary:
    """All or nothing: a preview with any error writes nothing."""
    if not preview.is_valid:
        raise ImportNotValid(preview.problems)
    reason = _("Import: %(source)s") % {"source": source} if source else _("Import")
    counts = preview.counts
    summary = ImportSummary(created=counts[NEW], updated=counts[UPDATE], duplicates=counts["duplicate"])
    if preview.kind == "organizations":
        summary.new_regions, summary.new_tags = preview.new_regions, preview.new_tags
        _write_organizations(preview, actor, reason)
    else:
        _write_contacts(preview, actor, reason, source)
    return summary


def _lookup_or_create(model, names: list[str], actor, reason: str) -> dict:
    """fold(name) → instance for regions or tags, creating the missing ones (with history)."""
    existing = {item.key: item for item in model.objects.all()}
    for name in names:
        if fold(name) not in existing:
            item = model(name=name)
            item._change_reason = reason
            item._history_user = actor
            item.save()
            existing[item.key] = item
    return existing


def _insert_new(model, objects: list, actor, reason: str) -> None:
    """Insert new records and their "created" history entries (crm.bulk: values prepared once per
    column, executemany; about ten times faster than going through bulk_create)."""
    now = timezone.now()
    rows = []
    for instance, pk in zip(objects, next_ids(model, len(objects)), strict=True):
        instance.pk = pk
        instance.created_at = instance.updated_at = now
        rows.append({field.attname: getattr(instance, field.attname) for field in model._meta.concrete_fields})
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
]


def _apply_org_values(organization: Organization, values: dict, regions: dict) -> None:
    for fieldname in ORG_FIELDS:
        if fieldname in values:
            setattr(organization, fieldname, values[fieldname])
    if "region" in values:
        organization.region = regions[fold(values["region"])]
    organization.name_key = name_key(organization.name)  # bulk writes skip save()
    organization.registration_key = registration_key(organization.registration_number)
    organization.updated_at = timezone.now()


def _write_organizations(preview: ImportPreview, actor, reason: str) -> None:
    regions = _lookup_or_create(
        Region, [r.values["region"] for r in preview.rows if r.values.get("region")], actor, reason
    )
    all_tag_names = [tag for r in preview.rows if r.status in (NEW, UPDATE) for tag in r.values.get("tags", [])]
    tags = _lookup_or_create(Tag, all_tag_names, actor, reason) if all_tag_names else {}

    new_rows = [row for row in preview.rows if row.status == NEW]
    created = []
    for row in new_rows:
        organization = Organization()
        _apply_org_values(organization, row.values, regions)
        created.append(organization)
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
            sorted(changed_fields | {"name_key", "registration_key", "updated_at"}),
            batch_size=BATCH,
            default_user=actor,
            default_change_reason=reason,
        )

    through = Organization.tags.through
    links = [
        through(organization_id=organization.pk, tag_id=tags[fold(tag)].pk)
        for row, organization in [*zip(new_rows, created, strict=True), *((r, r.match) for r in update_rows)]
        for tag in row.values.get("tags", [])
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
    contact.updated_at = timezone.now()


def _write_contacts(preview: ImportPreview, actor, reason: str, source: str) -> None:
    today = timezone.localdate()
    created = []
    for row in preview.rows:
        if row.status == NEW:
            contact = Contact()
            _apply_contact_values(contact, row.values, today, source)
            created.append(contact)
    _insert_new(Contact, created, actor, reason)
    update_rows = [row for row in preview.rows if row.status == UPDATE]
    for row in update_rows:
        _apply_contact_values(row.match, row.values, today, source)
    if update_rows:
        fields = CONTACT_FIELDS + ["consent", "consent_date", "consent_source", "updated_at"]
        bulk_update_with_history(
            [row.match for row in update_rows],
            Contact,
            fields,
            batch_size=BATCH,
            default_user=actor,
            default_change_reason=reason,
        )
