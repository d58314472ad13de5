"""The text the search reads, for follow-ups, commitments and concerns: the column, and the rows
already there filled by a frozen copy of each model's rule (folded_text() in communications/models.py:
a follow-up's description; a commitment's title and reference; a concern's summary and response,
nothing for a referral to Internal Affairs). The index made for it is not a migration's: `migrate`
makes it afterwards (crm/lib/search.py)."""

import re
import unicodedata

from django.db import migrations, models

NOT_WORD = re.compile(r"[\W_]+")
BATCH = 5000
# table: (model, the fields read, the rule over them)
RULES = {
    "communications_followup": ("FollowUp", ("description",), lambda description: fold(description)),
    "communications_commitment": (
        "Commitment",
        ("title", "document_reference"),
        lambda title, reference: fold(title, reference),
    ),
    "communications_concern": (
        "Concern",
        ("summary", "response", "referred_to_internal_affairs"),
        lambda summary, response, referred: "" if referred else fold(summary, response),
    ),
}


def fold(*parts):
    text = " ".join(str(part) for part in parts if part)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return NOT_WORD.sub(" ", plain).strip()


def fill(apps, schema_editor):
    for table, (name, fields, rule) in RULES.items():
        model = apps.get_model("communications", name)
        last = 0
        while True:
            rows = list(model._base_manager.filter(pk__gt=last).order_by("pk").values_list("pk", *fields)[:BATCH])
            if not rows:
                break
            with schema_editor.connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {table} SET search_text = %s WHERE id = %s",
                    [(rule(*values), pk) for pk, *values in rows],
                )
            last = rows[-1][0]


def drop_indexes(apps, schema_editor):
    """Taken back: the indexes `migrate` made go before their columns."""
    for table in RULES:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_trgm")
        elif schema_editor.connection.vendor == "sqlite":
            for event in ("insert", "delete", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_search_{event}")
            schema_editor.execute(f"DROP TABLE IF EXISTS {table}_search")


class Migration(migrations.Migration):
    dependencies = [
        ("communications", "0020_link_by_organization_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="followup",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="commitment",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="concern",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        # Last, so that taken back it runs first: SQLite refuses to drop a column a trigger reads.
        migrations.RunPython(migrations.RunPython.noop, drop_indexes),
    ]
