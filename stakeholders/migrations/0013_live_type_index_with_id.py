"""The live organizations' index by type ends with the id: a campaign's audience gives its ids from
the index alone (met with the organizations it reached), and a list filtered by type reads it in the
lists' total order (name, then id)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stakeholders", "0012_live_name_indexes_with_id"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="organization",
            index=models.Index(
                condition=models.Q(("is_archived", False)), fields=["type", "name", "id"], name="org_live_type_id"
            ),
        ),
        migrations.RemoveIndex(
            model_name="organization",
            name="org_live_type",
        ),
    ]
