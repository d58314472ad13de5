"""The text the search reads, for organizations and contacts: the column, and the rows already there
filled by a frozen copy of the rules in stakeholders/normalize.py (organization_keys, contact_keys).
The index made for it is not a migration's: `migrate` makes it afterwards (crm/lib/search.py)."""

import re
import unicodedata

from django.db import migrations, models

NOT_WORD = re.compile(r"[\W_]+")
BATCH = 5000


def fold(*parts):
    text = " ".join(str(part) for part in parts if part)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return NOT_WORD.sub(" ", plain).strip()


def organization_text(row):
    number = row["registration_number"] or ""
    typed_together = "".join(char for char in number if char.isalnum())
    return fold(row["name"], row["acronym"], number, typed_together, row["city"], row["email"])


def contact_text(row):
    phone = row["phone"] or ""
    phone_digits = "".join(char for char in phone if char.isdigit())
    return fold(row["first_name"], row["last_name"], row["email"], phone, phone_digits, row["job_title"])


def fill_rows(model, fields, text, connection):
    table, last = model._meta.db_table, 0
    while True:
        rows = list(model._base_manager.filter(pk__gt=last).order_by("pk").values("pk", *fields)[:BATCH])
        if not rows:
            return
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET search_text = %s WHERE id = %s", [(text(row), row["pk"]) for row in rows]
            )
        last = rows[-1]["pk"]


def fill(apps, schema_editor):
    organization = apps.get_model("stakeholders", "Organization")
    contact = apps.get_model("stakeholders", "Contact")
    fill_rows(organization, ["name", "acronym", "registration_number", "city", "email"], organization_text, schema_editor.connection)
    fill_rows(contact, ["first_name", "last_name", "email", "phone", "job_title"], contact_text, schema_editor.connection)


def drop_indexes(apps, schema_editor):
    """Taken back: the index `migrate` made goes before its column."""
    for table in ("stakeholders_organization", "stakeholders_contact"):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_trgm")
        elif schema_editor.connection.vendor == "sqlite":
            for event in ("insert", "delete", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_search_{event}")
            schema_editor.execute(f"DROP TABLE IF EXISTS {table}_search")


class Migration(migrations.Migration):
    dependencies = [
        ("stakeholders", "0005_import_mappings"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, drop_indexes),
        migrations.AddField(
            model_name="contact",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="organization",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
