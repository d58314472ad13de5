"""Exports for people: phone numbers written as they are, formulas still harmless, XLSX and
"CSV for Excel" with labels in the user's language that the importer reads back."""

import csv
import io
import re
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from communications.models import KeyFactor
from crm.lib.exports import safe_cell
from crm.models import ExportLog
from stakeholders.models import Contact, Organization
from tests.factories import ContactFactory, EngagementFactory, OrganizationFactory

PHONE = "+223 80 41 85 98"
# Text a spreadsheet would run (or could call something with): still protected in CSV.
FORMULAS = ['=HYPERLINK("http://x.example","click")', "+cmd", "-cmd|' /C calc'!A0", "@SUM(1+1)", "\tx"]
# Only digits, spaces and + - ( ) . / : a phone number or a number, which can call nothing.
HARMLESS = [PHONE, "-2+3", "(221) 33-821-00-00", "+1.555/123", "-12.5"]


def downloaded(response) -> bytes:
    return b"".join(response.streaming_content)


def csv_rows(content: bytes, delimiter: str = ",") -> list[dict]:
    assert content.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=delimiter))


def workbook(content: bytes):
    return load_workbook(io.BytesIO(content))  # not read-only: styles, panes and widths are read


def sheet_rows(sheet) -> list[dict]:
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_harmless_text_is_written_as_it_is_and_formulas_stay_protected():
    assert [safe_cell(value) for value in HARMLESS] == HARMLESS
    assert [safe_cell(value) for value in FORMULAS] == ["'" + value for value in FORMULAS]


def test_the_csv_writes_a_phone_number_as_it_is_and_protects_formulas(officer_client):
    OrganizationFactory(name=FORMULAS[0], phone=PHONE, city="-2+3", address="@SUM(1+1)", acronym="+cmd")
    (row,) = csv_rows(downloaded(officer_client.get("/stakeholders/organizations/?_export=csv")))
    assert row["phone"] == PHONE
    assert row["city"] == "-2+3"
    assert (row["name"], row["address"], row["acronym"]) == ("'" + FORMULAS[0], "'@SUM(1+1)", "'+cmd")


def test_the_command_protects_a_command_call_and_a_tab(db, capsys):
    OrganizationFactory(name="-cmd|' /C calc'!A0", address="\tx", phone=PHONE)
    call_command("export", "organizations")
    (row,) = csv_rows(capsys.readouterr().out.encode())
    assert row["name"] == "'-cmd|' /C calc'!A0"
    assert row["address"] == "'\tx"
    assert row["phone"] == PHONE


def test_the_xlsx_is_a_planners_file(officer_client):
    OrganizationFactory(name=FORMULAS[0], phone=PHONE, type="customs_broker", influence=4, acronym="#N/A")
    OrganizationFactory(name="Comptoir Kapok", phone="", type="bank")
    Organization.objects.filter(name="Comptoir Kapok").update(last_engaged_on=date(2026, 3, 9))
    content = downloaded(officer_client.get("/stakeholders/organizations/?_export=xlsx"))
    sheet = workbook(content).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}3"
    assert all(cell.font.b for cell in sheet[1])
    name, phone = sheet["A2"], sheet.cell(2, 9)
    assert (sheet["A1"].value, sheet.cell(1, 9).value) == ("Name", "Phone")  # labels, in English
    assert (name.value, name.data_type) == (FORMULAS[0], "s")  # text, not a live formula
    assert (phone.value, phone.data_type) == (PHONE, "s")  # no apostrophe
    assert sheet["B2"].value == "#N/A"
    assert sheet["B2"].data_type == "s"  # text, not an error value
    rows = sheet_rows(sheet)
    assert rows[0]["Type"] == "Customs broker"
    assert rows[1]["Type"] == "Bank"
    assert rows[0]["Influence"] == 4
    engaged = next(row for row in rows if row["Name"] == "Comptoir Kapok")["Last engaged"]
    assert engaged.date() == date(2026, 3, 9)  # a date, not text
    widths = {letter: dimension.width for letter, dimension in sheet.column_dimensions.items()}
    assert widths["A"] > len("Comptoir Kapok")
    assert widths["A"] <= 60  # fitted to the text, within bounds
    assert widths["I"] >= len(PHONE)


def test_the_xlsx_speaks_french_to_a_french_user(officer_client):
    OrganizationFactory(name="Transit Kayes", type="customs_broker", aeo_status="certified").tags.create(name="Pilote")
    ContactFactory(first_name="Awa", last_name="Koné", consent=True, preferred_language="fr")
    content = downloaded(officer_client.get("/stakeholders/organizations/?_export=xlsx", HTTP_ACCEPT_LANGUAGE="fr"))
    header = [cell.value for cell in workbook(content).active[1]]
    assert header[:5] == ["Nom", "Sigle", "Type", "Secteur", "Région"]
    row = next(row for row in sheet_rows(workbook(content).active) if row["Nom"] == "Transit Kayes")
    assert (row["Type"], row["Statut OEA"], row["Étiquettes"]) == (
        "Commissionnaire en douane",
        "OEA certifié",
        "Pilote",
    )
    content = downloaded(officer_client.get("/stakeholders/contacts/?_export=xlsx", HTTP_ACCEPT_LANGUAGE="fr"))
    (contact,) = sheet_rows(workbook(content).active)
    assert (contact["Prénom"], contact["Nom"], contact["Consentement"], contact["Langue préférée"]) == (
        "Awa",
        "Koné",
        "Oui",
        "français",
    )


def test_the_csv_for_excel_has_semicolons_labels_and_a_bom(officer_client):
    OrganizationFactory(name="=1+1", phone=PHONE, type="freight_forwarder")
    content = downloaded(officer_client.get("/stakeholders/organizations/?_export=csv-excel"))
    first_line = content.decode("utf-8-sig").splitlines()[0]
    assert first_line.startswith("Name;Acronym;Type;Sector;Region;")
    (row,) = csv_rows(content, delimiter=";")
    assert (row["Name"], row["Phone"], row["Type"]) == ("'=1+1", PHONE, "Freight forwarder")
    french = downloaded(officer_client.get("/stakeholders/organizations/?_export=csv-excel", HTTP_ACCEPT_LANGUAGE="fr"))
    (row,) = csv_rows(french, delimiter=";")
    assert row["Type"] == "Transitaire"
    assert row["Téléphone"] == PHONE
    response = officer_client.get("/stakeholders/organizations/?_export=csv-excel")
    assert response["Content-Type"].startswith("text/csv")
    assert ".csv" in response["Content-Disposition"]
    assert ExportLog.objects.filter(format="csv-excel").count() == 3


def test_the_machine_csv_keeps_codes_and_commas_for_a_french_user(officer_client):
    OrganizationFactory(name="Transit Kayes", type="freight_forwarder")
    content = downloaded(officer_client.get("/stakeholders/organizations/?_export=csv", HTTP_ACCEPT_LANGUAGE="fr"))
    assert content.decode("utf-8-sig").startswith("name,acronym,type,")
    assert csv_rows(content)[0]["type"] == "freight_forwarder"


def test_every_list_labels_its_headers_and_coded_values(manager_client):
    engagement = EngagementFactory(kind="workshop", organizations=[OrganizationFactory(name="Kapok")])
    engagement.key_factors.add(KeyFactor.objects.get(code="transparency"))
    paths = {
        "engagements": "/communications/engagements/",
        "follow-ups": "/communications/follow-ups/",
        "commitments": "/communications/commitments/",
        "concerns": "/communications/concerns/",
        "campaigns": "/communications/campaigns/",
    }
    for name, path in paths.items():
        content = downloaded(manager_client.get(f"{path}?_export=xlsx", HTTP_ACCEPT_LANGUAGE="fr"))
        header = [cell.value for cell in workbook(content).active[1]]
        assert all(title and "_" not in title for title in header), (name, header)
    content = downloaded(manager_client.get("/communications/engagements/?_export=xlsx", HTTP_ACCEPT_LANGUAGE="fr"))
    (row,) = sheet_rows(workbook(content).active)
    assert row["Type"] == "Atelier"
    assert row["Facteurs clés"] == "Transparence"
    assert row["Date"].date() == engagement.occurred_on  # a date cell


def test_the_command_writes_labels_in_french(db, capsys, tmp_path):
    OrganizationFactory(name="Transit Kayes", type="customs_broker", phone=PHONE)
    call_command("export", "organizations", "--labels", "--language", "fr")
    out = capsys.readouterr().out
    assert out.startswith("\ufeffNom;Sigle;Type;")
    (row,) = csv_rows(out.encode(), delimiter=";")
    assert (row["Type"], row["Téléphone"]) == ("Commissionnaire en douane", PHONE)
    target = tmp_path / "organisations.xlsx"
    call_command("export", "organizations", "--format", "xlsx", "--labels", "--language", "fr", "--output", target)
    (row,) = sheet_rows(load_workbook(target).active)
    assert row["Type"] == "Commissionnaire en douane"
    call_command("export", "organizations", "--format", "xlsx", "--output", target)  # machine headers: codes
    assert [cell.value for cell in load_workbook(target).active[1]][:3] == ["name", "acronym", "type"]
    with pytest.raises(CommandError, match="language"):
        call_command("export", "organizations", "--labels", "--language", "xx")


@pytest.mark.parametrize("fmt", ["xlsx", "csv-excel"])
def test_a_french_export_imports_back_with_nothing_lost(officer_client, fmt):
    from pathlib import Path

    from stakeholders.imports.service import import_file

    data = Path(__file__).resolve().parents[2] / "fixtures"
    import_file((data / "organizations.csv").read_bytes(), "organizations.csv")
    import_file((data / "contacts.csv").read_bytes(), "contacts.csv")
    Organization.objects.filter(pk=Organization.objects.order_by("pk").first().pk).update(name="=HYPERLINK(1)")
    before = _registry()
    extension = "xlsx" if fmt == "xlsx" else "csv"
    files = {
        path: downloaded(officer_client.get(f"/stakeholders/{path}/?_export={fmt}", HTTP_ACCEPT_LANGUAGE="fr"))
        for path in ("organizations", "contacts")
    }
    Contact.objects.all().delete()
    Organization.objects.all().delete()
    for path in ("organizations", "contacts"):
        preview, summary = import_file(files[path], f"{path}.{extension}")
        assert preview.is_valid, [str(problem) for problem in preview.problems][:3]
        assert summary.created == len(before[path])
    assert _registry() == before


def _registry() -> dict:
    organizations = [
        (
            *Organization.objects.filter(pk=organization.pk)
            .values_list(
                "name",
                "acronym",
                "type",
                "sector",
                "region__name",
                "city",
                "address",
                "email",
                "phone",
                "website",
                "registration_number",
                "aeo_status",
                "influence",
                "interest",
                "preferred_language",
            )
            .get(),
            sorted(organization.tags.values_list("name", flat=True)),
        )
        for organization in Organization.objects.all()
    ]
    contacts = Contact.objects.values_list(
        "first_name",
        "last_name",
        "organization__registration_number",
        "job_title",
        "email",
        "phone",
        "preferred_language",
        "consent",
    )
    return {"organizations": sorted(organizations), "contacts": sorted(contacts)}


@pytest.mark.parametrize(
    "path", ["/stakeholders/organizations/", "/stakeholders/contacts/", "/communications/engagements/"]
)
def test_the_list_pages_offer_the_three_exports_in_both_languages(manager_client, path):
    OrganizationFactory(type="bank")
    body = manager_client.get(f"{path}?q=x").content.decode()
    for fmt, name in [
        ("xlsx", "Export Excel"),
        ("csv-excel", "Export CSV for Excel (;)"),
        ("csv", "Export CSV (codes)"),
    ]:
        assert re.search(rf'href="\?q=x(&amp;held=yes)?&amp;_export={fmt}"[^>]*>{re.escape(name)}</a>', body), fmt
    body = manager_client.get(path, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Exporter en CSV pour Excel (;)" in body
    assert "Exporter en CSV (codes)" in body


def test_text_xml_cannot_hold_does_not_break_the_workbook(officer_client):
    OrganizationFactory(name="Kapok\x01 SARL", address="BP 12\x0b Kayes")
    response = officer_client.get("/stakeholders/organizations/?_export=xlsx")
    (row,) = sheet_rows(workbook(downloaded(response)).active)
    assert (row["Name"], row["Address"]) == ("Kapok SARL", "BP 12 Kayes")


def test_every_exported_column_has_a_label_for_people():
    from communications.exports import MAILING_LIST
    from crm.exporting.datasets import export_datasets

    for dataset in [spec.dataset for spec in export_datasets().values()] + [MAILING_LIST]:
        unlabelled = [column.header for column in dataset.columns if not column.label]
        assert unlabelled == [], dataset.name
