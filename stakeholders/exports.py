"""What the organization and contact exports write (CONTRACT.md columns first, extras after).

Each column's label (and its values' labels) is what people read in `xlsx` and `csv-excel`
exports; the contract columns' labels are headers the importer accepts in both languages, and
their values labels it reads back (tests/crm/lib/test_exports_for_people.py checks the round trip).
Headers are translated in their own context ("export column"), apart from the screens' words.
"""

from django.utils.translation import pgettext_lazy

from crm.lib.exports import Column, Dataset, Related, yes_no, yes_no_labels
from stakeholders.choices import AeoStatus, OrganizationType, Sector, Size, Stance, language_codes
from stakeholders.models import Organization

ORGANIZATIONS = Dataset(
    name="organizations",
    columns=[
        Column("name", "name", label=pgettext_lazy("export column", "Name")),
        Column("acronym", "acronym", label=pgettext_lazy("export column", "Acronym")),
        Column("type", "type", label=pgettext_lazy("export column", "Type"), labels=OrganizationType),
        Column("sector", "sector", label=pgettext_lazy("export column", "Sector"), labels=Sector),
        Column("region", "region__name", label=pgettext_lazy("export column", "Region")),
        Column("city", "city", label=pgettext_lazy("export column", "City")),
        Column("address", "address", label=pgettext_lazy("export column", "Address")),
        Column("email", "email", label=pgettext_lazy("export column", "Email")),
        Column("phone", "phone", label=pgettext_lazy("export column", "Phone")),
        Column("website", "website", label=pgettext_lazy("export column", "Website")),
        Column(
            "registration_number", "registration_number", label=pgettext_lazy("export column", "Registration number")
        ),
        Column("aeo_status", "aeo_status", label=pgettext_lazy("export column", "AEO status"), labels=AeoStatus),
        Column("influence", "influence", label=pgettext_lazy("export column", "Influence")),
        Column("interest", "interest", label=pgettext_lazy("export column", "Interest")),
        Column(
            "preferred_language",
            "preferred_language",
            label=pgettext_lazy("export column", "Preferred language"),
            labels=language_codes,
        ),
        Column("tags", label=pgettext_lazy("export column", "Tags")),
        Column("id", "pk", label=pgettext_lazy("export column", "ID")),
        Column("customs_office", "customs_office__name", label=pgettext_lazy("export column", "Customs office")),
        Column("size", "size", label=pgettext_lazy("export column", "Size"), labels=Size),
        Column("stance", "stance", label=pgettext_lazy("export column", "Stance"), labels=Stance),
        Column("owner", "owner__email", label=pgettext_lazy("export column", "Relationship owner")),
        Column("last_engaged_on", "last_engaged_on", label=pgettext_lazy("export column", "Last engaged")),
        Column(
            "archived", "is_archived", yes_no, label=pgettext_lazy("export column", "Archived"), labels=yes_no_labels
        ),
    ],
    related=[Related("tags", Organization.tags.through, "organization_id", "tag__name")],
    order=["name", "pk"],
)


CONTACTS = Dataset(
    name="contacts",
    columns=[
        Column("first_name", "first_name", label=pgettext_lazy("export column", "First name")),
        Column("last_name", "last_name", label=pgettext_lazy("export column", "Last name")),
        # What the importer reads back: the registration number, else the exact name.
        Column(
            "organization",
            "organization__registration_number",
            fallback="organization__name",
            label=pgettext_lazy("export column", "Organization"),
        ),
        Column("job_title", "job_title", label=pgettext_lazy("export column", "Job title")),
        Column("email", "email", label=pgettext_lazy("export column", "Email")),
        Column("phone", "phone", label=pgettext_lazy("export column", "Phone")),
        Column(
            "preferred_language",
            "preferred_language",
            label=pgettext_lazy("export column", "Preferred language"),
            labels=language_codes,
        ),
        Column("consent", "consent", yes_no, label=pgettext_lazy("export column", "Consent"), labels=yes_no_labels),
        Column("id", "pk", label=pgettext_lazy("export column", "ID")),
        Column("organization_name", "organization__name", label=pgettext_lazy("export column", "Organization name")),
        Column("consent_date", "consent_date", label=pgettext_lazy("export column", "Consent date")),
        Column("consent_source", "consent_source", label=pgettext_lazy("export column", "Consent source")),
        Column(
            "key_contact",
            "is_key_contact",
            yes_no,
            label=pgettext_lazy("export column", "Key contact"),
            labels=yes_no_labels,
        ),
        Column(
            "archived", "is_archived", yes_no, label=pgettext_lazy("export column", "Archived"), labels=yes_no_labels
        ),
    ],
    order=["last_name", "first_name", "pk"],
)
