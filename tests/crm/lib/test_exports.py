"""Exports: contract columns, BOM, formula injection, filters, every row, CSV and XLSX, command."""

import csv
import io

from django.core.management import call_command
from openpyxl import load_workbook

from tests.factories import ContactFactory, OrganizationFactory

ORG_COLUMNS = [
    "name",
    "acronym",
    "type",
    "sector",
    "region",
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
    "tags",
]
CONTACT_COLUMNS = [
    "first_name",
    "last_name",
    "organization",
    "job_title",
    "email",
    "phone",
    "preferred_language",
    "consent",
]


def read_csv(content: bytes) -> list[dict]:
    assert content.startswith("\ufeff".encode())  # a BOM: Excel opens UTF-8 right
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def streamed(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_csv_export_has_the_contract_columns_and_every_filtered_row(officer_client):
    for i in range(60):  # more than one page of the list
        OrganizationFactory(name=f"Broker {i:02d}", type="customs_broker")
    OrganizationFactory(name="A Bank", type="bank")
    response = officer_client.get("/stakeholders/organizations/?type=customs_broker&_export=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(streamed(response))
    assert list(rows[0])[: len(ORG_COLUMNS)] == ORG_COLUMNS
    assert len(rows) == 60
    assert {r["type"] for r in rows} == {"customs_broker"}


def test_codes_tags_and_formula_injection(officer_client):
    organization = OrganizationFactory(name='=HYPERLINK("http://x")', phone="+223 20 00 00 00", aeo_status="certified")
    organization.tags.create(name="AEO pilot")
    organization.tags.create(name="@risk")
    row = read_csv(streamed(officer_client.get("/stakeholders/organizations/?_export=csv")))[0]
    assert row["name"] == '\'=HYPERLINK("http://x")'
    assert row["phone"] == "+223 20 00 00 00"  # a phone number can call nothing: written as it is
    assert row["aeo_status"] == "certified"
    assert row["region"] == organization.region.name
    assert row["tags"] == "'@risk; AEO pilot"
    assert not any(value.startswith(("=", "@", "\t", "\r")) for value in row.values())


def test_the_xlsx_export_opens_with_the_same_rows(officer_client):
    OrganizationFactory(name="Comptoir Kapok", influence=4)
    response = officer_client.get("/stakeholders/organizations/?_export=xlsx")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert len(rows[0]) == len(read_csv(streamed(officer_client.get("/stakeholders/organizations/?_export=csv")))[0])
    assert rows[0][:3] == ("Name", "Acronym", "Type")  # the planners' file: labels (the importer reads them)
    assert rows[1][0] == "Comptoir Kapok"
    assert rows[1][ORG_COLUMNS.index("influence")] == 4


def test_contacts_export_refers_to_the_organization_as_the_importer_reads_it(officer_client):
    ContactFactory(organization=OrganizationFactory(registration_number="RC-9"), consent=True)
    ContactFactory(organization=OrganizationFactory(name="Sans Numéro", registration_number=""), consent=False)
    rows = read_csv(streamed(officer_client.get("/stakeholders/contacts/?_export=csv")))
    assert list(rows[0])[: len(CONTACT_COLUMNS)] == CONTACT_COLUMNS
    assert sorted(r["organization"] for r in rows) == ["RC-9", "Sans Numéro"]
    assert sorted(r["consent"] for r in rows) == ["no", "yes"]


def test_an_unknown_export_format_is_a_404(officer_client):
    assert officer_client.get("/stakeholders/organizations/?_export=pdf").status_code == 404


def test_the_export_command_takes_the_list_filters(db, tmp_path, capsys):
    OrganizationFactory(name="Kayes broker", type="customs_broker")
    OrganizationFactory(name="Bank", type="bank")
    call_command("export", "organizations", "--filter", "type=customs_broker")
    out = capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
    assert [r["name"] for r in rows] == ["Kayes broker"]
    target = tmp_path / "orgs.xlsx"
    call_command("export", "organizations", "--format", "xlsx", "--output", str(target))
    assert len(list(load_workbook(target).active.iter_rows())) == 3


def test_the_export_command_refuses_unknown_filters_and_datasets(db):
    import pytest
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="unknown filter"):
        call_command("export", "organizations", "--filter", "colour=blue")
    with pytest.raises(CommandError, match="unknown dataset"):
        call_command("export", "spaceships")


def test_a_column_is_searched_at_once_for_cells_that_would_run_and_checked_cell_by_cell_if_any():
    from crm.lib.exports import _column_as_written

    plain = ["Réunion", None, "", "a=b", "x-1"]
    assert _column_as_written(plain) is plain  # nothing to protect: the column as it came
    assert _column_as_written(["Réunion", "=1+1", None, "-5", "@x", "\tx"]) == [
        "Réunion",
        "'=1+1",
        None,
        "-5",
        "'@x",
        "'\tx",
    ]
    assert _column_as_written(["=first", "second"]) == ["'=first", "second"]  # the first cell too
    assert _column_as_written([3, "=x", None]) == [3, "'=x", None]  # a mixed column, cell by cell
    assert _column_as_written([-5, 0, 7]) == [-5, 0, 7]
