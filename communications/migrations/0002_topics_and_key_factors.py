from django.db import migrations

# The vocabularies this migration makes, frozen: (code, English name, French name) of each topic,
# and the codes of the ten key factors in the order they are shown (KeyFactor is ordered by pk).
# Literal copies, never read from communications.choices, so that changing the live vocabulary
# cannot change what this migration did.
TOPICS = [
    ("release_delays", "Release delays", "Délais de mainlevée"),
    ("valuation_disputes", "Valuation disputes", "Litiges sur la valeur"),
    ("informal_payments", "Informal payments", "Paiements informels"),
    ("transit_guarantees", "Transit guarantees", "Garanties de transit"),
    ("e_payment", "E-payment", "Paiement électronique"),
    ("single_window", "Single window", "Guichet unique"),
    ("aeo_onboarding", "AEO onboarding", "Adhésion au programme OEA"),
    ("appeals", "Appeals", "Recours"),
    ("code_of_conduct", "Code of conduct", "Code de conduite"),
    ("reporting_channels", "Reporting channels", "Canaux de signalement"),
    ("women_small_traders", "Women small traders", "Petites commerçantes"),
]
KEY_FACTORS = [
    "leadership",
    "regulatory_framework",
    "transparency",
    "automation",
    "reform_modernization",
    "audit_investigation",
    "code_of_conduct",
    "hr_management",
    "morale_culture",
    "private_sector_relationship",
]


def create(apps, schema_editor):
    Topic = apps.get_model("communications", "Topic")
    KeyFactor = apps.get_model("communications", "KeyFactor")
    for code, name, name_fr in TOPICS:
        Topic.objects.get_or_create(code=code, defaults={"name": name, "name_fr": name_fr})
    for code in KEY_FACTORS:
        KeyFactor.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("communications", "0001_engagement_log")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
