from django.db import migrations

from communications.choices import DEFAULT_TOPICS, KeyFactorCode


def create(apps, schema_editor):
    Topic = apps.get_model("communications", "Topic")
    KeyFactor = apps.get_model("communications", "KeyFactor")
    for code, name, name_fr in DEFAULT_TOPICS:
        Topic.objects.get_or_create(code=code, defaults={"name": name, "name_fr": name_fr})
    for code in KeyFactorCode.values:
        KeyFactor.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("communications", "0001_engagement_log")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
