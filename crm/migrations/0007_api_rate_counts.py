from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0006_idempotency_keys"),
    ]

    operations = [
        migrations.CreateModel(
            name="ApiRateCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("who", models.CharField(max_length=100, unique=True)),
                ("period", models.BigIntegerField()),
                ("requests", models.PositiveIntegerField()),
            ],
        ),
    ]
