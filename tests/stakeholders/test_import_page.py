"""The web import: upload → columns → preview → confirm, its limits, and whose file it is."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from stakeholders.models import Organization
from tests.factories import UserFactory
from tests.stakeholders.import_steps import map_columns

DATA = Path(__file__).resolve().parents[1] / "fixtures"


def upload(client, name, content=None, kind=""):
    content = content if content is not None else (DATA / name).read_bytes()
    return client.post("/stakeholders/import/", {"file": SimpleUploadedFile(name, content), "kind": kind})


def test_a_file_with_errors_is_previewed_with_every_error_and_cannot_be_confirmed(officer_client, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    response = upload(officer_client, "organizations_with_errors.csv")
    assert response.status_code == 302
    location = map_columns(officer_client, response["Location"])["Location"]
    body = officer_client.get(location).content.decode()
    assert "3 problems to correct in the file" in body
    assert "Row 4, influence" in body
    assert "Row 8, email" in body
    assert "Row 11, type" in body
    assert "/confirm/" not in body
    response = officer_client.post(location + "confirm/")
    assert Organization.objects.count() == 0


def test_a_good_file_is_previewed_then_written_on_confirmation(officer_client, officer, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    location = map_columns(officer_client, upload(officer_client, "organizations.csv")["Location"])["Location"]
    body = officer_client.get(location).content.decode()
    assert "Ready: 40 to create, 0 to update, 0 duplicates to skip." in body
    assert Organization.objects.count() == 0  # nothing before confirmation
    response = officer_client.post(location + "confirm/")
    assert "Import done" in response.content.decode()
    assert Organization.objects.count() == 40
    assert Organization.history.filter(history_user=officer).count() == 40
    assert not list((tmp_path / "imports").iterdir())  # the uploaded file is gone
    again = officer_client.get(
        map_columns(officer_client, upload(officer_client, "organizations.csv")["Location"])["Location"]
    )
    assert "Ready: 0 to create, 0 to update, 40 duplicates to skip." in again.content.decode()


def test_only_the_uploader_sees_the_preview(client, officer, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    client.force_login(officer)
    columns = upload(client, "organizations.csv")["Location"]
    location = map_columns(client, columns)["Location"]
    client.force_login(UserFactory(role="Outreach officer"))
    assert client.get(columns).status_code == 403
    assert client.post(columns, {"column_0": "name"}).status_code == 403
    assert client.get(location).status_code == 403
    assert client.post(location + "confirm/").status_code == 403


def test_unreadable_or_too_large_files_get_a_message_on_the_page(officer_client, settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    body = upload(officer_client, "empty.csv", b"").content.decode()
    assert "The submitted file is empty." in body or "The file is empty." in body
    body = upload(officer_client, "fake.xlsx", b"name\nfoo\n").content.decode()
    assert "not an Excel workbook" in body
    body = upload(officer_client, "photo.jpg", b"\xff\xd8\xff").content.decode()
    assert "Upload a .csv or .xlsx file." in body
    settings.IMPORT_MAX_ROWS = 10
    body = upload(officer_client, "organizations.csv").content.decode()
    assert "The file has 40 rows; the web page takes up to 10." in body
    assert Organization.objects.count() == 0


def test_the_page_states_its_limits_in_french(officer_client):
    body = officer_client.get("/stakeholders/import/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "100 Mo" in body or "100 MB" in body
    assert "20000" in body or "20 000" in body or "20\u00a0000" in body


def test_a_zip_bomb_posing_as_a_workbook_is_refused_before_it_is_unpacked(
    officer_client, settings, tmp_path, monkeypatch
):
    import io
    import zipfile

    from crm.lib import reading

    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(reading, "MAX_XLSX_UNCOMPRESSED", 1024 * 1024)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (2 * 1024 * 1024))  # 2 MB of zeros: a few KB packed
    assert len(bomb.getvalue()) < 20_000
    body = upload(officer_client, "bomb.xlsx", bomb.getvalue()).content.decode()
    assert "This workbook is too large once uncompressed." in body
    assert Organization.objects.count() == 0
