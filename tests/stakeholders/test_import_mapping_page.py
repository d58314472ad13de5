"""The columns step of the import page: upload → columns → preview → confirm with a spreadsheet
whose headers the registry does not use; its refusals, its memory, and hostile requests."""

import io
import re

import pytest
from openpyxl import Workbook

from stakeholders.models import ImportMapping, Organization
from tests.factories import UserFactory
from tests.stakeholders.import_steps import column_choices, map_columns, upload

# The spreadsheet: a running number, the company's name under "Raison sociale", a mobile
# phone, the person to ask for, and an e-mail column whose header says nothing of it.
HEADER = ["N°", "Raison sociale", "Tél. portable", "Contact principal", "Écrire à"]
ROWS = [
    ["1", "Transit Awa SARL", "+223 70 11 22 33", "Awa Diop", "contact@transit-awa.example"],
    ["2", "Fret du Sahel", "+223 70 44 55 66", "Moussa Keita", "info@fret-sahel.example"],
    ["3", "Kayes Cargo", "+223 21 52 10 10", "", "kayes@cargo.example"],
]


def spreadsheet_csv(header=HEADER, rows=ROWS) -> bytes:
    return "\n".join(";".join(row) for row in [header, *rows]).encode()


def spreadsheet_xlsx(header=HEADER, rows=ROWS) -> bytes:
    book = Workbook()
    for row in [header, *rows]:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def var(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.mark.parametrize(
    ("name", "content"), [("entreprises.csv", spreadsheet_csv), ("entreprises.xlsx", spreadsheet_xlsx)]
)
def test_a_spreadsheet_with_other_headers_is_mapped_previewed_and_imported(officer_client, officer, var, name, content):
    columns = upload(officer_client, name, content())["Location"]
    assert columns.endswith("/columns/")
    page = officer_client.get(columns)
    body = page.content.decode()
    assert "Columns of entreprises" in body
    assert "+223 70 11 22 33" in body  # a few values of each column
    assert column_choices(officer_client, columns) == {
        "N°": "-",  # running numbers
        "Raison sociale": "name",
        "Tél. portable": "phone",
        "Contact principal": "notes",
        "Écrire à": "email",  # guessed from the values
    }
    assert "from the values" in body
    assert "from the header" in body
    assert officer_client.get(columns.replace("columns/", "")).status_code == 302  # no preview before the columns

    preview = map_columns(officer_client, columns)
    assert preview.status_code == 302
    body = officer_client.get(preview["Location"]).content.decode()
    assert "Ready: 3 to create, 0 to update, 0 duplicates to skip." in body
    assert "Columns left out, as you chose: N°" in body
    assert '<th scope="col">Tél. portable</th>' in body
    officer_client.post(preview["Location"] + "confirm/")

    awa = Organization.objects.get(name="Transit Awa SARL")
    assert (awa.phone, awa.email, awa.notes) == (
        "+223 70 11 22 33",
        "contact@transit-awa.example",
        "Contact principal: Awa Diop",
    )
    assert awa.owner == officer
    assert Organization.objects.get(name="Kayes Cargo").notes == ""
    memory = ImportMapping.objects.get(user=officer)
    assert (memory.kind, memory.fields) == ("organizations", ["-", "name", "phone", "notes", "email"])


def test_the_next_file_with_the_same_headers_gets_the_users_choice_and_a_colleague_gets_the_guesses(
    client, officer, var
):
    client.force_login(officer)
    changes = {"Contact principal": "-", "Écrire à": "owner"}
    map_columns(client, upload(client, "janvier.csv", spreadsheet_csv())["Location"], changes)
    rows = [["9", "Sikasso Mangues", "+223 76 00 00 00", "Ali", "ali@sikasso.example"]]
    columns = upload(client, "fevrier.csv", spreadsheet_csv(rows=rows))["Location"]
    body = client.get(columns).content.decode()
    assert column_choices(client, columns)["Contact principal"] == "-"
    assert column_choices(client, columns)["Écrire à"] == "owner"
    assert "as last time" in body

    client.force_login(UserFactory(role="Outreach officer"))
    columns = upload(client, "fevrier.csv", spreadsheet_csv(rows=rows))["Location"]
    assert column_choices(client, columns)["Contact principal"] == "notes"
    assert "as last time" not in client.get(columns).content.decode()


def test_two_columns_to_one_field_are_refused_and_the_page_keeps_what_was_chosen(officer_client, var):
    columns = upload(officer_client, "f.csv", spreadsheet_csv())["Location"]
    response = map_columns(officer_client, columns, {"Contact principal": "name"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "goes to Name, as the column «Contact principal» does" in body
    assert "goes to Name, as the column «Raison sociale» does" in body
    assert "There is a problem" in body  # the error summary, each problem a link to its column
    form = response.context["form"]
    assert form["column_3"].value() == "name"  # as chosen, not as guessed
    assert 'aria-invalid="true"' in body
    assert not ImportMapping.objects.exists()  # a refused mapping is not remembered


def test_a_required_field_left_unmapped_is_refused(officer_client, var):
    columns = upload(officer_client, "f.csv", spreadsheet_csv())["Location"]
    body = map_columns(officer_client, columns, {"Raison sociale": "-"}).content.decode()
    assert "No column goes to Name, which is required: choose the column that holds it." in body


def test_a_column_nothing_recognises_must_be_decided(officer_client, var):
    content = spreadsheet_csv(["Raison sociale", "Zone"], [["Transit Awa", "Nord"], ["Fret Sahel", "Sud"]])
    columns = upload(officer_client, "f.csv", content)["Location"]
    assert column_choices(officer_client, columns)["Zone"] == ""
    assert "not recognised" in officer_client.get(columns).content.decode()
    response = map_columns(officer_client, columns)
    assert "Zone: Choose a field, or “Leave out”." in response.content.decode()
    assert map_columns(officer_client, columns, {"Zone": "city"}).status_code == 302


def test_the_preview_names_the_files_own_column_in_its_problems(officer_client, var):
    rows = [["1", "Transit Awa", "téléphone perdu", "", "awa@transit.example"]]
    columns = upload(officer_client, "f.csv", spreadsheet_csv(rows=rows))["Location"]
    body = officer_client.get(map_columns(officer_client, columns)["Location"]).content.decode()
    assert "Row 2, Tél. portable: «téléphone perdu» is not a phone number" in body


def test_a_contacts_file_can_be_said_to_be_one(officer_client, var):
    content = spreadsheet_csv(["Nom", "Portable"], [["Traoré", "+223 70 11 22 33"]])
    columns = upload(officer_client, "gens.csv", content)["Location"]
    assert officer_client.get(columns).context["form"].kind == "organizations"
    assert officer_client.post(columns, {"kind": "contacts"}).status_code == 302
    assert column_choices(officer_client, columns) == {"Nom": "last_name", "Portable": "phone"}
    body = officer_client.get(map_columns(officer_client, columns)["Location"]).content.decode()
    assert "Ready: 1 to create" in body


def test_hostile_posts_to_the_columns_page_answer_a_message_never_an_error(officer_client, var):
    columns = upload(officer_client, "f.csv", spreadsheet_csv())["Location"]
    hostile = [
        {},
        {"column_0": "-", "column_1": "name"},  # columns missing
        {"column_0": "is_archived", "column_1": "name", "column_2": "phone", "column_3": "-", "column_4": "-"},
        {"column_0": "'; DROP TABLE", "column_1": ["name", "phone"], "column_99": "name", "column_-1": "x"},
        {"column_0": "\x00", "column_1": "name" * 1000},
        {"kind": "people"},
        {"kind": ""},
    ]
    for data in hostile:
        response = officer_client.post(columns, data)
        assert response.status_code in (200, 302), data
        if response.status_code == 200:
            assert "There is a problem" in response.content.decode() or response.context["form"].errors
    assert officer_client.get(columns).context["form"].kind == "organizations"
    for token in ["../../etc", "nope", "a" * 32, "%00", "x;y"]:
        assert officer_client.get(f"/stakeholders/import/{token}/columns/").status_code == 404
        assert officer_client.post(f"/stakeholders/import/{token}/columns/", {"column_0": "name"}).status_code == 404
    assert not Organization.objects.exists()


def test_a_file_with_too_many_columns_is_refused_at_upload(officer_client, var):
    header = [f"Colonne {i}" for i in range(150)]
    body = upload(officer_client, "large.csv", spreadsheet_csv(header, [["x"] * 150])).content.decode()
    assert "The file has 150 columns; the web page takes up to 100." in body


def test_the_columns_page_labels_each_select_with_its_columns_header(officer_client, var):
    columns = upload(officer_client, "f.csv", spreadsheet_csv())["Location"]
    body = officer_client.get(columns).content.decode()
    labels = dict(re.findall(r'<label class="[^"]*" for="(id_column_\d+)">([^<]*)</label>', body))
    assert labels == {f"id_column_{i}": title for i, title in enumerate(HEADER)}
    assert 'aria-describedby="column_1-hint column_1-samples"' in body
