"""Edge cases found in review: files Excel really writes, our own exports, archived and merged records."""

import csv
import io
from pathlib import Path

import pytest

from crm.lib.reading import ImportFileError
from stakeholders.imports.service import import_file, preview_file
from stakeholders.models import Contact, Organization
from stakeholders.services import organization_merge
from tests.factories import ContactFactory, OrganizationFactory

DATA = Path(__file__).resolve().parents[1] / "fixtures"


def test_a_csv_holding_only_a_bom_is_empty(db):
    with pytest.raises(ImportFileError, match="The file is empty."):
        preview_file("\ufeff".encode(), "empty.csv")


def test_registration_numbers_match_whatever_their_spaces_or_case(db):
    existing = OrganizationFactory(registration_number="RC 123")
    preview, summary = import_file(b"name,registration_number\nRenamed,rc123\n", "f.csv")
    assert (summary.created, summary.updated) == (0, 1)
    existing.refresh_from_db()
    assert existing.name == "Renamed"
    assert Organization.objects.count() == 1


def test_our_own_export_imports_back_unchanged(officer_client):
    import_file((DATA / "organizations.csv").read_bytes(), "organizations.csv")
    import_file((DATA / "contacts.csv").read_bytes(), "contacts.csv")
    for path, kind, count in [("organizations", "organizations", 40), ("contacts", "contacts", 80)]:
        exported = b"".join(officer_client.get(f"/stakeholders/{path}/?_export=csv").streaming_content)
        text = exported.decode("utf-8-sig")
        assert text.count(",+223") > 0
        assert "'+223" not in text  # phone numbers written as they are
        preview, summary = import_file(exported, f"{path}-export.csv", kind=kind)
        assert preview.is_valid, [str(p) for p in preview.problems][:3]
        assert (summary.created, summary.updated, summary.duplicates) == (0, 0, count)


def test_a_contacts_file_without_first_names_is_still_recognised(db):
    OrganizationFactory(registration_number="RC-THI-001000")
    preview = preview_file(b"last_name,organization,email\nKone,RC-THI-001000,k@x.example\n", "people.csv")
    assert preview.kind == "contacts"
    assert preview.is_valid


def test_a_row_matching_a_merged_organization_updates_the_one_it_was_merged_into(db):
    survivor = OrganizationFactory(name="Transit Baobab SARL", registration_number="RC-KEEP")
    duplicate = OrganizationFactory(name="TRANSIT BAOBAB", registration_number="RC-OLD", email="old@x.example")
    organization_merge(survivor=survivor, duplicate=duplicate)
    preview, summary = import_file(b"name,email,city\nTransit Baobab,old@x.example,Kayes\n", "f.csv")
    assert preview.rows[0].match == survivor
    survivor.refresh_from_db()
    assert survivor.city == "Kayes"


def test_an_archived_match_is_said_in_the_preview(db):
    OrganizationFactory(registration_number="RC-ARCH", is_archived=True)
    preview = preview_file(b"name,registration_number,city\nX,RC-ARCH,Kayes\n", "f.csv")
    assert preview.rows[0].note == "matches an archived organization, which stays archived"


def test_contacts_without_e_mail_match_by_name_case_and_accents_aside(db):
    organization = OrganizationFactory(registration_number="RC-1")
    ContactFactory(organization=organization, first_name="Awa", last_name="Koné", email="")
    preview, summary = import_file(b"first_name,last_name,organization,job_title\nAWA,KONE,RC-1,DG\n", "c.csv")
    assert (summary.created, summary.updated) == (0, 1)
    assert Contact.objects.get().job_title == "DG"


def test_an_over_long_tag_is_an_error(db):
    preview = preview_file(("name,tags\nX," + "t" * 90 + "\n").encode(), "f.csv")
    assert preview.problems[0].column == "tags"


def test_merging_into_an_archived_or_already_merged_record_is_refused(manager_client):
    kept, other, third = OrganizationFactory(), OrganizationFactory(), OrganizationFactory()
    organization_merge(survivor=kept, duplicate=other)
    response = manager_client.post(
        f"/stakeholders/organizations/{other.pk}/merge/", {"other": third.pk, "keep": "this"}, follow=True
    )
    assert "The record to keep is archived" in response.content.decode()
    response = manager_client.post(
        f"/stakeholders/organizations/{third.pk}/merge/", {"other": other.pk, "keep": "this"}, follow=True
    )
    assert "already merged" in response.content.decode()
    third.refresh_from_db()
    assert not third.is_archived


def test_withdrawing_consent_is_dated_and_sourced(officer_client, officer):
    contact = ContactFactory(consent=True, consent_date="2020-01-01", consent_source="Workshop 2020")
    officer_client.post(
        f"/stakeholders/contacts/{contact.pk}/edit/",
        {
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "email": contact.email,
            "consent_date": "2020-01-01",
            "consent_source": "Workshop 2020",
        },
    )
    contact.refresh_from_db()
    assert not contact.consent
    assert str(contact.consent_date) != "2020-01-01"
    assert contact.consent_source.startswith("Consent withdrawn")


def test_an_export_with_invalid_filters_says_so(officer_client):
    response = officer_client.get("/stakeholders/organizations/?influence=9&_export=csv", follow=True)
    assert "Nothing was exported: correct the filters first." in response.content.decode()


def test_exports_follow_tag_and_archived_filters(officer_client):
    tagged = OrganizationFactory(name="Tagged")
    tagged.tags.create(name="AEO pilot")
    OrganizationFactory(name="Archived one", is_archived=True)
    OrganizationFactory(name="Plain")

    def names(query):
        content = b"".join(officer_client.get(f"/stakeholders/organizations/?{query}&_export=csv").streaming_content)
        return sorted(r["name"] for r in csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))

    assert names("tags=aeo pilot") == ["Tagged"]
    assert names("archived=archived") == ["Archived one"]
    assert names("archived=all") == ["Archived one", "Plain", "Tagged"]


def test_a_registration_number_taken_over_in_a_merge_then_imported_updates_the_survivor(db):
    survivor = OrganizationFactory(name="Transit Baobab SARL", registration_number="")
    duplicate = OrganizationFactory(name="TRANSIT BAOBAB", registration_number="RC-OLD")
    organization_merge(survivor=survivor, duplicate=duplicate)  # the survivor had none: it takes this one
    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    assert (survivor.registration_number, duplicate.registration_number) == ("RC-OLD", "")
    preview, summary = import_file(b"name,registration_number,city\nTransit Baobab,RC-OLD,Kayes\n", "f.csv")
    assert preview.rows[0].match == survivor
    assert (summary.created, summary.updated) == (0, 1)
    survivor.refresh_from_db()
    assert survivor.city == "Kayes"
