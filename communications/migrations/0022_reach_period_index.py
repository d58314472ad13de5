"""The reach roll-up's covering index holds the organization too: a campaign's organizations reached
are met with its audience from the index alone (communications/campaigns.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("communications", "0021_register_search_text"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="organizationreach",
            index=models.Index(
                fields=["scope", "day", "previous", "type", "key", "organization"], name="reach_period"
            ),
        ),
        migrations.RemoveIndex(
            model_name="organizationreach",
            name="reach_covering",
        ),
    ]
