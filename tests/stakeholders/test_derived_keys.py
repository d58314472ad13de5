"""An organization's derived columns (name key, registration key) come from one rule,
stakeholders.normalize.organization_keys, whichever writer stores the organization: save(), the
import's bulk inserts and bulk updates, the demo data."""

from django.core.management import call_command

from stakeholders.imports.service import import_file
from stakeholders.models import Organization
from stakeholders.normalize import ORGANIZATION_KEYS, name_key, organization_keys, registration_key
from tests.factories import OrganizationFactory

# Names and numbers whose keys differ from the text: legal forms, initials, accents, spaces, case.
NAMES = ["Société Néré S.A.", "TRANSIT  BAOBAB SARL", "Groupe Karité & Fils", "SARL"]
NUMBERS = [" rc-thi 001000 ", "ml  bko 42", "", "Rc 7"]


def stored_keys() -> dict[str, dict]:
    return {
        name: dict(zip(ORGANIZATION_KEYS, keys, strict=True))
        for name, *keys in Organization.objects.values_list("name", *ORGANIZATION_KEYS)
    }


def assert_keys_follow_the_rule():
    expected = {
        name: organization_keys(name, number)
        for name, number in Organization.objects.values_list("name", "registration_number")
    }
    assert stored_keys() == expected


def test_the_rule_gives_every_derived_column_and_only_them():
    keys = organization_keys("Transit Baobab SARL", " rc-thi 001 ")
    assert tuple(keys) == ORGANIZATION_KEYS
    assert keys == {"name_key": name_key("Transit Baobab SARL"), "registration_key": registration_key("RC-THI001")}
    assert set(ORGANIZATION_KEYS) <= {f.attname for f in Organization._meta.concrete_fields}
    assert not set(ORGANIZATION_KEYS) & {f.attname for f in Organization.history.model._meta.concrete_fields}


def test_save_stores_the_rule(db):
    for name, number in zip(NAMES, NUMBERS, strict=True):
        OrganizationFactory(name=name, registration_number=number)
    assert_keys_follow_the_rule()


def test_the_import_stores_the_rule_for_new_and_updated_organizations(db):
    OrganizationFactory(name="Old Name", registration_number="RC 7")  # updated by the last row
    lines = [f'"{name}",{number}' for name, number in zip(NAMES, NUMBERS, strict=True)]
    content = "\n".join(["name,registration_number", *lines]) + "\n"
    preview, summary = import_file(content.encode(), "keys.csv")
    assert preview.is_valid, preview.problems
    assert (summary.created, summary.updated) == (3, 1)
    assert Organization.objects.get(registration_key="RC7").name == "SARL"
    assert_keys_follow_the_rule()


def test_the_demo_organizations_store_the_rule(db):
    call_command("seed_demo", "--organizations", "30", "--engagements", "0", "--password", "keys-password-1")
    assert Organization.objects.count() == 30
    assert_keys_follow_the_rule()
