"""Spreadsheets as people make them: French register headers ("N° RCCM"), a title above the
column names, a total and a source note below the rows, and who follows each organization."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from stakeholders.imports.columns import recognise
from stakeholders.models import Organization
from tests.factories import OrganizationFactory, UserFactory
from tests.stakeholders.import_steps import map_columns

DATA = Path(__file__).resolve().parents[1] / "fixtures"
KAYES = DATA / "transitaires_kayes_titre_total.csv"
FOLLOWER = "aminata.coulibaly@douanes.example"


@pytest.mark.parametrize(
    "header",
    [
        "N° RCCM",
        "RCCM",
        "NIF",
        "N° d'enregistrement",
        "N° d’enregistrement",
        "Nº RCCM",
        "No RCCM",
        "Numéro RCCM",
        "N°RCCM",
        "n° nif",
        "Numéro d'enregistrement",
        "registration number",
    ],
)
def test_register_number_headers_are_recognised(header):
    mapping, ignored, errors = recognise(["Raison sociale", header], "organizations")
    assert mapping == {0: "name", 1: "registration_number"}
    assert not ignored
    assert not errors


def test_a_number_column_is_not_taken_for_a_register_number():
    mapping, ignored, _ = recognise(["N°", "Nom", "Numéro"], "organizations")
    assert mapping == {1: "name"}
    assert ignored == ["N°", "Numéro"]


def import_kayes(capsys, *args):
    call_command("import_stakeholders", str(KAYES), *args)
    captured = capsys.readouterr()
    return captured.out, captured.err


def test_the_command_finds_the_header_row_and_leaves_out_the_total_and_the_note(db, capsys):
    follower = UserFactory(email=FOLLOWER, role="Outreach officer")
    out, err = import_kayes(capsys)
    assert out.startswith("created 7, updated 0, duplicates 0")
    assert "row 12: left out, looks like a total" in err
    assert "row 13: left out, looks like a note" in err
    assert "notice: The column names are on row 4" in err
    assert Organization.objects.count() == 7
    assert not Organization.objects.filter(name__icontains="total :").exists()
    acacia = Organization.objects.get(name="Transit Acacia Kayes SARL")
    assert acacia.registration_number == "ML-KYS-2012-B-0301"
    assert acacia.type == "freight_forwarder"
    assert acacia.phone == "+223 21 52 10 10"
    assert acacia.city == "Kayes"
    # A company whose name starts with "Total" is a company, not a total.
    assert Organization.objects.get(registration_number="ML-BKO-2003-B-0077").name == "Total Mali Distribution SA"
    # The command has no user: only the column gives a relationship owner.
    assert Organization.objects.get(registration_number="ML-KYS-2009-B-0198").owner == follower
    assert Organization.objects.filter(owner__isnull=True).count() == 6

    out, err = import_kayes(capsys)  # matched by registration number this time, not by name
    assert out.startswith("created 0, updated 0, duplicates 7")


def test_a_dry_run_names_the_rows_left_out_too(db, capsys):
    UserFactory(email=FOLLOWER, role="Outreach officer")
    out, err = import_kayes(capsys, "--dry-run")
    assert "would create 7" in out
    assert "row 12: left out, looks like a total" in err
    assert Organization.objects.count() == 0


def test_an_unknown_follower_is_a_problem_of_its_row(db):
    with pytest.raises(CommandError) as refused:
        call_command("import_stakeholders", str(KAYES))
    assert "row 9: owner: No active user with a role has this e-mail address." in str(refused.value)
    assert Organization.objects.count() == 0


def upload(client, name, content):
    return client.post("/stakeholders/import/", {"file": SimpleUploadedFile(name, content), "kind": ""})


def test_the_page_previews_the_rows_left_out_and_gives_new_organizations_to_the_importer(
    officer_client, officer, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    follower = UserFactory(email=FOLLOWER, role="Outreach officer")
    kept = OrganizationFactory(name="Ets Sow et Frères", registration_number="ML-KYS-2009-B-0198", owner=None)
    followed = OrganizationFactory(
        name="Transports du Fleuve", registration_number="ML-KYS-2011-B-0265", owner=follower
    )
    location = map_columns(officer_client, upload(officer_client, KAYES.name, KAYES.read_bytes())["Location"])[
        "Location"
    ]
    body = officer_client.get(location).content.decode()
    assert "The column names are on row 4" in body
    assert "Row 12: left out, looks like a total" in body
    assert "Row 13: left out, looks like a note" in body
    assert "TOTAL : 7 entreprises" in body  # what was left out is shown as typed
    body = officer_client.post(location + "confirm/").content.decode()
    assert "Import done" in body
    assert Organization.objects.count() == 7
    new = Organization.objects.exclude(pk__in=[kept.pk, followed.pk])
    assert {organization.owner for organization in new} == {officer}  # no column: the importer
    kept.refresh_from_db()
    followed.refresh_from_db()
    assert kept.owner == follower  # the column says who follows it
    assert followed.owner == follower  # an organization already followed keeps its owner


def workbook(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    sheet.merge_cells("A1:E1")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_workbook_with_a_merged_title_and_a_total_row_imports(officer_client, officer, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    content = workbook(
        [
            ["Importateurs reçus en atelier d'intégrité — Sikasso, 12 mars 2026"],
            [],
            ["Nom", "Sigle", "NIF", "Secteur", "Ville"],
            ["Karité du Kénédougou", "KDK", "083214567Z", "Agriculture et agroalimentaire", "Sikasso"],
            ["Sikasso Mangues Export", None, "083299871A", None, "Sikasso"],
            ["Total", None, None, None, 2],
        ]
    )
    location = map_columns(officer_client, upload(officer_client, "atelier.xlsx", content)["Location"])["Location"]
    body = officer_client.get(location).content.decode()
    assert "Ready: 2 to create" in body
    assert "Row 6: left out, looks like a total" in body
    officer_client.post(location + "confirm/")
    assert sorted(Organization.objects.values_list("registration_number", flat=True)) == ["083214567Z", "083299871A"]


def test_a_name_alone_in_the_first_column_is_an_organization_not_a_note(db, tmp_path, capsys):
    path = tmp_path / "names.csv"
    path.write_text("Nom,Ville\nTransit Acacia,Kayes\nAcacia Fret\nSource : CCI Kayes\n", encoding="utf-8")
    call_command("import_stakeholders", str(path))
    captured = capsys.readouterr()
    assert captured.out.startswith("created 2,")
    assert "row 4: left out, looks like a note" in captured.err
    assert sorted(Organization.objects.values_list("name", flat=True)) == ["Acacia Fret", "Transit Acacia"]


def test_a_file_with_no_recognisable_header_still_says_which_column_is_missing(db, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("Liste\nA;B\n1;2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="The column name is missing"):
        call_command("import_stakeholders", str(path))
