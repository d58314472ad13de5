"""The import rules, file by file: encodings, headers, codes, de-duplication, updates, limits."""

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from crm.lib.reading import ImportFileError
from stakeholders.imports.service import import_file, preview_file
from stakeholders.models import Contact, Organization
from tests.factories import OrganizationFactory

HEADER = "name,acronym,type,sector,region,city,address,email,phone,website,registration_number,aeo_status,influence,interest,preferred_language,tags"


def csv_bytes(*rows, header=HEADER, encoding="utf-8"):
    return ("\n".join([header, *rows]) + "\n").encode(encoding)


def row(name="Transit Baobab SARL", reg="RC-1", email="contact@baobab.example", **overrides):
    values = {
        "name": name,
        "acronym": "TB",
        "type": "freight_forwarder",
        "sector": "transport_logistics",
        "region": "Kayes",
        "city": "Diboli",
        "address": "BP 1",
        "email": email,
        "phone": "+223 20 00 00 00",
        "website": "https://baobab.example",
        "registration_number": reg,
        "aeo_status": "none",
        "influence": "3",
        "interest": "4",
        "preferred_language": "fr",
        "tags": "",
    } | overrides
    return ",".join(values[column] for column in HEADER.split(","))


def statuses(preview):
    return [r.status for r in preview.rows]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (csv_bytes(), "The file has a header row but no data rows."),
        (b"\x00\x01\x02binary\x00" * 10, "This file is not a text (CSV) file."),
    ],
)
def test_unreadable_files_get_a_clear_message(db, data, message):
    with pytest.raises(ImportFileError, match=re.escape(message)):
        preview_file(data, "file.csv")


def test_a_file_named_xlsx_that_is_not_a_workbook(db):
    with pytest.raises(ImportFileError, match="not an Excel workbook"):
        preview_file(b"name\nfoo\n", "organisations.xlsx")
    with pytest.raises(ImportFileError, match="not an Excel workbook"):
        preview_file(b"PK\x03\x04garbage" * 20, "organisations.xlsx")


def test_an_xlsx_workbook_imports(db):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Nom", "Type", "Région", "Influence", "Numéro d'enregistrement"])
    sheet.append(["Comptoir Kapok SA", "Commissionnaire en douane", "Kayes", 4, "RC-X-1"])
    sheet.append([None, None, None, None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    preview, summary = import_file(buffer.getvalue(), "liste.xlsx")
    assert summary.created == 1
    organization = Organization.objects.get()
    assert (organization.type, organization.influence, organization.region.name) == ("customs_broker", 4, "Kayes")


def test_a_windows_1252_file_is_read_with_a_notice(db):
    data = csv_bytes(row(name="Société Néré", city="Ségou"), encoding="cp1252")
    preview, summary = import_file(data, "excel-export.csv")
    assert "Windows-1252" in preview.notices[0]
    assert Organization.objects.get().name == "Société Néré"


def test_headers_match_whatever_their_case_spaces_or_accents(db):
    data = (
        "  NOM ;Statut OEA;  INTÉRÊT ;Etiquettes;Colonne inconnue\nUnion Aïr;certified;5;pilote | corridor;x\n".encode()
    )
    preview = preview_file(data, "f.csv")
    assert set(preview.columns) == {"name", "aeo_status", "interest", "tags"}
    assert preview.ignored == ["Colonne inconnue"]
    assert preview.rows[0].values == {
        "name": "Union Aïr",
        "aeo_status": "certified",
        "interest": 5,
        "tags": ["pilote", "corridor"],
    }


def test_labels_are_accepted_in_english_and_french_in_any_case(db):
    data = csv_bytes(
        row(type="FREIGHT FORWARDER", aeo_status="AEO certified", sector="Transport and logistics"),
        row(name="Autre", reg="RC-2", email="a@b.example", type="transitaire", aeo_status="candidat oea"),
    )
    preview = preview_file(data, "f.csv")
    assert preview.is_valid, preview.problems
    assert [r.values["type"] for r in preview.rows] == ["freight_forwarder", "freight_forwarder"]
    assert [r.values["aeo_status"] for r in preview.rows] == ["certified", "applicant"]


def test_a_missing_name_column_is_named(db):
    preview = preview_file(b"acronym,type\nTB,importer\n", "f.csv")
    assert preview.file_errors == ["The column name is missing (French header: nom)."]


def test_duplicates_within_the_file_by_registration_number_then_e_mail_then_name(db):
    data = csv_bytes(
        row(reg="RC-1", email="one@x.example"),
        row(name="Other name", reg="rc-1", email="two@x.example"),  # same registration number
        row(name="Sans numéro", reg="", email="shared@x.example"),
        row(name="Encore", reg="", email="SHARED@x.example"),  # same e-mail, no registration number
        row(name="Transit Baobab SARL", reg="", email=""),
        row(name="TRANSIT  BAOBAB", reg="", email=""),  # same name once case, spaces and legal form are set aside
        row(name="Distinct", reg="RC-9", email="shared@x.example"),  # registration numbers differ: not a duplicate
    )
    preview = preview_file(data, "f.csv")
    assert statuses(preview) == ["new", "duplicate", "new", "duplicate", "new", "duplicate", "new"]
    assert preview.rows[1].note == "same registration number as row 2"


def test_rows_that_match_the_registry_update_it_and_blank_cells_erase_nothing(db):
    existing = OrganizationFactory(
        name="Transit Baobab", registration_number="RC-1", city="Kayes", phone="+223 11 11 11 11"
    )
    data = csv_bytes(row(reg="RC-1", city="Diboli", phone=""))
    preview, summary = import_file(data, "f.csv")
    assert statuses(preview) == ["update"]
    assert "city" in preview.rows[0].changes
    existing.refresh_from_db()
    assert existing.city == "Diboli"
    assert existing.phone == "+223 11 11 11 11"
    assert existing.history.first().history_change_reason == "Import: f.csv"


def test_a_row_matching_several_organizations_by_e_mail_is_an_error(db):
    OrganizationFactory(email="shared@x.example", registration_number="")
    OrganizationFactory(email="shared@x.example", registration_number="")
    preview = preview_file(csv_bytes(row(reg="", email="shared@x.example")), "f.csv")
    assert str(preview.problems[0]).startswith("row 2: email: matches several organizations")


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("influence", "0", "must be a whole number from 1 to 5"),
        ("interest", "four", "must be a whole number from 1 to 5"),
        ("email", "no-at-sign", "is not a valid e-mail address"),
        ("phone", "call me", "is not a phone number"),
        ("website", "not a url", "is not a web address"),
        ("preferred_language", "klingon", "is not a two-letter ISO 639-1 language code"),
        ("name", "", "is required"),
        ("sector", "space travel", "is not a known value"),
    ],
)
def test_each_bad_cell_is_named(db, column, value, message):
    preview = preview_file(csv_bytes(row(**{column: value})), "f.csv")
    assert not preview.is_valid
    problem = preview.problems[0]
    assert (problem.row, problem.column) == (2, column)
    assert message in problem.message


def test_one_bad_row_writes_nothing(db):
    data = csv_bytes(row(), row(name="Bad", reg="RC-2", email="b@x.example", influence="9"))
    preview, summary = import_file(data, "f.csv")
    assert summary is None
    assert Organization.objects.count() == 0


def test_contacts_consent_values_and_organization_by_name(db):
    OrganizationFactory(name="Trans Bani SA", registration_number="")
    header = "prénom,nom,organisation,fonction,courriel,téléphone,langue,consentement"
    data = csv_bytes(
        "Awa,Traoré,Trans Bani SA,DG,awa@x.example,,fr,oui",
        "Issa,Maïga,trans bani sa,,issa@x.example,,en,0",
        "Hawa,Koné,,,hawa@x.example,,fr,peut-être",
        header=header,
    )
    preview = preview_file(data, "contacts.csv")
    assert preview.kind == "contacts"
    assert [str(p) for p in preview.problems] == [
        "row 4: consent: «peut-être» must be yes or no (also true/false, oui/non, 1/0)."
    ]
    assert preview.rows[0].values["consent"] is True
    assert preview.rows[1].values["consent"] is False
    assert preview.rows[0].values["organization_id"] == preview.rows[1].values["organization_id"]


def test_a_contact_with_the_same_e_mail_is_updated_not_duplicated(db):
    import_file(csv_bytes("Awa,Traoré,awa@x.example,no", header="first_name,last_name,email,consent"), "c.csv")
    preview, summary = import_file(
        csv_bytes("Awa,Traoré,AWA@x.example,yes", header="first_name,last_name,email,consent"), "c.csv"
    )
    assert (summary.created, summary.updated) == (0, 1)
    contact = Contact.objects.get()
    assert contact.consent is True
    assert contact.consent_date is not None


def test_validation_costs_the_same_queries_for_20_or_200_rows(db):
    OrganizationFactory.create_batch(5)

    def queries(n):
        rows = [row(name=f"Org {i}", reg=f"RC-{i}", email=f"o{i}@x.example", tags="a;b") for i in range(n)]
        with CaptureQueriesContext(connection) as context:
            preview_file(csv_bytes(*rows), "f.csv")
        return len(context)

    assert queries(20) == queries(200)
