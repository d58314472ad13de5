"""Derived columns come from one rule whichever writer stores the row: an organization's name key,
registration key and search text (stakeholders.normalize.organization_keys), a contact's search
text (contact_keys), an engagement's (communications.models.search_text_of), a follow-up's, commitment's
and concern's (their folded_text()); the writers are save(),
the import's bulk inserts and bulk updates, the demo data (bulk inserts and SQL)."""

from django.core.management import call_command

from communications.models import Commitment, Concern, Engagement, FollowUp, search_text_of
from stakeholders.imports.service import import_file
from stakeholders.models import Contact, Organization
from stakeholders.normalize import ORGANIZATION_KEYS, contact_keys, name_key, organization_keys, registration_key
from tests.factories import ContactFactory, OrganizationFactory

# Names and numbers whose keys differ from the text: legal forms, initials, accents, spaces, case.
NAMES = ["Société Néré S.A.", "TRANSIT  BAOBAB SARL", "Groupe Karité & Fils", "SARL"]
NUMBERS = [" rc-thi 001000 ", "ml  bko 42", "", "Rc 7"]


def stored_keys() -> dict[str, dict]:
    return {
        name: dict(zip(ORGANIZATION_KEYS, keys, strict=True))
        for name, *keys in Organization.objects.values_list("name", *ORGANIZATION_KEYS)
    }


ORGANIZATION_FIELDS = ["name", "acronym", "registration_number", "city", "email"]
CONTACT_FIELDS = ["first_name", "last_name", "email", "phone", "job_title"]


def assert_keys_follow_the_rule():
    expected = {row["name"]: organization_keys(row) for row in Organization.objects.values(*ORGANIZATION_FIELDS)}
    assert stored_keys() == expected
    for row in Contact.objects.values("search_text", *CONTACT_FIELDS):
        assert row["search_text"] == contact_keys(row)["search_text"], row
    for title, location, text in Engagement.objects.values_list("title", "location", "search_text"):
        assert text == search_text_of(title, location)
    for model in (FollowUp, Commitment, Concern):
        for row in model.objects.all():
            assert row.search_text == row.folded_text(), row


def test_the_rule_gives_every_derived_column_and_only_them():
    keys = organization_keys(
        {
            "name": "Société Transit Baobab SARL",
            "registration_number": " rc-thi 001 ",
            "acronym": "STB",
            "city": "Thiès",
        }
    )
    assert tuple(keys) == ORGANIZATION_KEYS
    assert keys == {
        "name_key": name_key("Société Transit Baobab SARL"),
        "registration_key": registration_key("RC-THI001"),
        "search_text": "societe transit baobab sarl stb rc thi 001 rcthi001 thies",
    }
    assert set(ORGANIZATION_KEYS) <= {f.attname for f in Organization._meta.concrete_fields}
    assert not set(ORGANIZATION_KEYS) & {f.attname for f in Organization.history.model._meta.concrete_fields}


def test_save_stores_the_rule(db):
    for name, number in zip(NAMES, NUMBERS, strict=True):
        organization = OrganizationFactory(name=name, registration_number=number, city="Kédougou")
        ContactFactory(first_name="Aïssatou", last_name="N'Diaye", phone="+221 77 123 45 67", organization=organization)
    assert_keys_follow_the_rule()
    assert Contact.objects.filter(search_text__contains="aissatou n diaye").exists()
    assert Contact.objects.filter(search_text__contains="221771234567").exists()


def test_a_contact_phone_is_searchable_with_and_without_its_spaces():
    keys = contact_keys(
        {"first_name": "Awa", "last_name": "Ndiaye", "phone": "+221 77-123 45 67", "email": "A.Ndiaye@X.sn"}
    )
    assert keys == {"search_text": "awa ndiaye a ndiaye x sn 221 77 123 45 67 221771234567"}


def test_the_import_stores_the_rule_for_new_and_updated_organizations(db):
    OrganizationFactory(name="Old Name", registration_number="RC 7")  # updated by the last row
    lines = [f'"{name}",{number}' for name, number in zip(NAMES, NUMBERS, strict=True)]
    content = "\n".join(["name,registration_number", *lines]) + "\n"
    preview, summary = import_file(content.encode(), "keys.csv")
    assert preview.is_valid, preview.problems
    assert (summary.created, summary.updated) == (3, 1)
    assert Organization.objects.get(registration_key="RC7").name == "SARL"
    assert_keys_follow_the_rule()


def test_the_demo_data_stores_the_rule(db):
    call_command("seed_demo", "--organizations", "30", "--engagements", "200", "--password", "keys-password-1")
    assert Organization.objects.count() == 30
    assert Engagement.objects.count() >= 200
    assert_keys_follow_the_rule()
