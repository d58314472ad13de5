"""The live organizations' and people's name indexes end with the id, the lists' total order, so that
a deep page's ids are read from the index alone (crm/lib/paging.py)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stakeholders", "0011_import_run_command"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="contact",
            name="contact_live_name",
        ),
        migrations.RemoveIndex(
            model_name="organization",
            name="org_live_name",
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                condition=models.Q(("is_archived", False)),
                fields=["last_name", "first_name", "id"],
                name="contact_live_name_id",
            ),
        ),
        migrations.AddIndex(
            model_name="organization",
            index=models.Index(
                condition=models.Q(("is_archived", False)), fields=["name", "id"], name="org_live_name_id"
            ),
        ),
    ]
