"""What the organization and contact exports write (CONTRACT.md columns first, extras after)."""

from crm.exports import Column, Dataset, Related, yes_no
from stakeholders.models import Organization

ORGANIZATIONS = Dataset(
    name="organizations",
    columns=[
        Column("name", "name"),
        Column("acronym", "acronym"),
        Column("type", "type"),
        Column("sector", "sector"),
        Column("region", "region__name"),
        Column("city", "city"),
        Column("address", "address"),
        Column("email", "email"),
        Column("phone", "phone"),
        Column("website", "website"),
        Column("registration_number", "registration_number"),
        Column("aeo_status", "aeo_status"),
        Column("influence", "influence"),
        Column("interest", "interest"),
        Column("preferred_language", "preferred_language"),
        Column("tags"),
        Column("id", "pk"),
        Column("customs_office", "customs_office__name"),
        Column("size", "size"),
        Column("stance", "stance"),
        Column("owner", "owner__email"),
        Column("last_engaged_on", "last_engaged_on"),
        Column("archived", "is_archived", yes_no),
    ],
    related=[Related("tags", Organization.tags.through, "organization_id", "tag__name")],
    order=["name", "pk"],
)


CONTACTS = Dataset(
    name="contacts",
    columns=[
        Column("first_name", "first_name"),
        Column("last_name", "last_name"),
        # What the importer reads back: the registration number, else the exact name.
        Column("organization", "organization__registration_number", fallback="organization__name"),
        Column("job_title", "job_title"),
        Column("email", "email"),
        Column("phone", "phone"),
        Column("preferred_language", "preferred_language"),
        Column("consent", "consent", yes_no),
        Column("id", "pk"),
        Column("organization_name", "organization__name"),
        Column("consent_date", "consent_date"),
        Column("consent_source", "consent_source"),
        Column("key_contact", "is_key_contact", yes_no),
        Column("archived", "is_archived", yes_no),
    ],
    order=["last_name", "first_name", "pk"],
)
