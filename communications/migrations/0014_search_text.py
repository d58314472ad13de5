"""The text the search reads, for engagements: the column, and the rows already there filled by a
frozen copy of the rule in communications/models.py (search_text_of: the title and the place).
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


def fill(apps, schema_editor):
    engagement = apps.get_model("communications", "Engagement")
    last = 0
    while True:
        rows = list(engagement._base_manager.filter(pk__gt=last).order_by("pk").values_list("pk", "title", "location")[:BATCH])
        if not rows:
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE communications_engagement SET search_text = %s WHERE id = %s",
                [(fold(title, location), pk) for pk, title, location in rows],
            )
        last = rows[-1][0]


def drop_index(apps, schema_editor):
    """Taken back: the index `migrate` made goes before its column."""
    table = "communications_engagement"
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_trgm")
    elif schema_editor.connection.vendor == "sqlite":
        for event in ("insert", "delete", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_search_{event}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {table}_search")


class Migration(migrations.Migration):
    dependencies = [
        ("communications", "0013_held_list_indexes"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, drop_index),
        migrations.AddField(
            model_name="engagement",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
