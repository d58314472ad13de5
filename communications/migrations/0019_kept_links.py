"""What each engagement links to, kept by the database (communications/kept_links.py): the table.
Its triggers are not a migration's: `migrate` makes them afterwards (post_migrate). Taken back,
the triggers go before the table, or every later write of a link would fail on the missing table."""

import django.db.models.deletion
from django.db import migrations, models


def drop_triggers(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'kept_links_%'")
            for (name,) in cursor.fetchall():
                cursor.execute(f"DROP TRIGGER {name}")
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE 'kept_links_%' AND NOT tgisinternal"
            )
            for name, table in cursor.fetchall():
                cursor.execute(f"DROP TRIGGER {name} ON {table}")
            cursor.execute("SELECT oid::regprocedure::text FROM pg_proc WHERE proname LIKE 'kept_links_%'")
            for (function,) in cursor.fetchall():
                cursor.execute(f"DROP FUNCTION {function}")


class Migration(migrations.Migration):

    dependencies = [
        ('communications', '0018_held_campaign_index'),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, drop_triggers),
        migrations.CreateModel(
            name='EngagementLinks',
            fields=[
                ('engagement', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='links', serialize=False, to='communications.engagement')),
                ('organizations', models.TextField(default='')),
                ('contacts', models.TextField(default='')),
                ('topics', models.TextField(default='')),
                ('key_factors', models.TextField(default='')),
                ('organization_ids', models.TextField(default='[]')),
                ('contact_ids', models.TextField(default='[]')),
                ('staff_emails', models.TextField(default='[]')),
                ('topic_codes', models.TextField(default='[]')),
                ('key_factor_codes', models.TextField(default='[]')),
            ],
        ),
    ]
