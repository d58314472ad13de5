"""Large exports as jobs: above EXPORT_JOB_ROWS rows a list's export is written by a job, followed on
its page (progress, cancel), its file offered to the one who asked for EXPORT_KEEP_HOURS, then
deleted; an erasure withdraws every kept file and takes the person's name out of the export log."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from crm.accounts.roles import Role
from crm.exporting import files
from crm.jobs.loop import run_due_jobs
from crm.models import ExportLog
from stakeholders.models import Contact
from tests.factories import ConcernFactory, ContactFactory, OrganizationFactory, UserFactory


@pytest.fixture
def big(settings, tmp_path):
    """Exports of more than 3 rows are jobs; files go to a folder of the test's own."""
    settings.VAR_DIR, settings.EXPORT_JOB_ROWS = tmp_path, 3
    return tmp_path


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def downloaded(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_small_export_is_still_sent_at_once(officer_client, big):
    OrganizationFactory.create_batch(3, type="bank")
    response = officer_client.get("/stakeholders/organizations/?_export=csv")
    assert response.status_code == 200
    assert len(read_csv(downloaded(response))) == 4
    assert ExportLog.objects.get().status == "sent"
    assert not DBTaskResult.objects.exists()


def test_a_large_export_is_written_by_a_job_and_offered_on_its_page(officer_client, officer, big):
    OrganizationFactory.create_batch(5, type="bank")
    OrganizationFactory(type="media")
    response = officer_client.get("/stakeholders/organizations/?type=bank&_export=csv")
    entry = ExportLog.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/exports/{entry.pk}/"
    assert (entry.status, entry.rows, entry.user, entry.filters) == ("queued", 5, officer, "type=bank")
    body = officer_client.get(response["Location"]).content.decode()
    assert "Waiting for a worker" in body
    assert 'hx-trigger="every 2s"' in body
    assert "Cancel the export" in body
    run_due_jobs()
    entry.refresh_from_db()
    assert (entry.status, entry.rows, entry.rows_done) == ("ready", 5, 5)
    assert entry.expires_at - entry.finished_at == timedelta(hours=24)
    assert (big / "exports" / entry.file).is_file()
    body = officer_client.get(response["Location"]).content.decode()
    assert "Download the file" in body
    assert "every 2s" not in body
    file = officer_client.get(f"/exports/{entry.pk}/file/")
    assert file["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="organizations-{timezone.localdate().isoformat()}.csv"' in file["Content-Disposition"]
    rows = read_csv(downloaded(file))
    assert len(rows) == 6
    assert rows[0][0] == "name"
    assert ExportLog.objects.count() == 1  # asked once, logged once


def test_the_job_writes_the_rows_the_user_may_see_in_their_language(client, officer, big):
    """An officer's export of concerns leaves out others' referrals to Internal Affairs (as the list
    page does), with the labels in the language they asked in."""
    colleague = UserFactory(role=Role.OFFICER, email="colleague@example.test")
    ConcernFactory.create_batch(4, author=colleague, status="open")
    ConcernFactory.create_batch(3, author=colleague, referred_to_internal_affairs=True)
    client.force_login(officer)
    client.get("/communications/concerns/?_export=xlsx", HTTP_ACCEPT_LANGUAGE="fr")
    entry = ExportLog.objects.get()
    assert (entry.status, entry.rows, entry.language) == ("queued", 4, "fr")
    run_due_jobs()
    entry.refresh_from_db()
    assert entry.status == "ready", entry.error
    file = client.get(f"/exports/{entry.pk}/file/")
    rows = list(load_workbook(io.BytesIO(downloaded(file))).active.values)
    assert len(rows) == 5  # the header and the four that are not referrals
    assert "Ouvert" in rows[1], rows[1]


def test_the_progress_fragment_says_how_far_and_reloads_the_page_once_done(officer_client, big):
    OrganizationFactory.create_batch(5)
    officer_client.get("/stakeholders/organizations/?_export=csv")
    entry = ExportLog.objects.get()
    ExportLog.objects.filter(pk=entry.pk).update(status="writing", rows_done=2)
    fragment = officer_client.get(f"/exports/{entry.pk}/progress/", HTTP_HX_REQUEST="true")
    assert "Writing the file: 2 of 5 rows." in fragment.content.decode()
    assert "HX-Refresh" not in fragment
    ExportLog.objects.filter(pk=entry.pk).update(status="queued")
    run_due_jobs()
    fragment = officer_client.get(f"/exports/{entry.pk}/progress/", HTTP_HX_REQUEST="true")
    assert fragment["HX-Refresh"] == "true"
    french = officer_client.get(f"/exports/{entry.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Télécharger le fichier" in french


def test_a_cancelled_export_writes_no_file(officer_client, big):
    OrganizationFactory.create_batch(5)
    officer_client.get("/stakeholders/organizations/?_export=csv")
    entry = ExportLog.objects.get()
    response = officer_client.post(f"/exports/{entry.pk}/cancel/", follow=True)
    assert "Export cancelled." in response.content.decode()
    run_due_jobs()
    entry.refresh_from_db()
    assert (entry.status, entry.file) == ("cancelled", "")
    assert not any(files.folder().iterdir())
    again = officer_client.post(f"/exports/{entry.pk}/cancel/", follow=True)
    assert "already finished" in again.content.decode()


def test_an_export_cancelled_while_it_is_written_stops_at_the_next_chunk(officer, big, monkeypatch):
    """The job sees the cancel through its own progress: it stops, and leaves no file behind."""
    from crm.lib import exports

    monkeypatch.setattr(exports, "CHUNK", 2)
    OrganizationFactory.create_batch(7)
    entry = ExportLog.objects.create(user=officer, dataset="organizations", format="csv", rows=7, status="queued")

    told = files._Progress.__call__

    def cancelled_after_the_first_chunk(progress, rows):
        told(progress, rows)
        ExportLog.objects.filter(pk=progress.entry.pk).update(status="cancelled")

    monkeypatch.setattr(files._Progress, "__call__", cancelled_after_the_first_chunk)
    files.write(entry.pk)
    entry.refresh_from_db()
    assert (entry.status, entry.rows_done, entry.file) == ("cancelled", 2, "")
    assert not any((big / "exports").iterdir())


def test_an_export_page_and_file_are_their_owners_alone(client, officer, manager, big):
    OrganizationFactory.create_batch(5)
    client.force_login(officer)
    client.get("/stakeholders/organizations/?_export=csv")
    run_due_jobs()
    entry = ExportLog.objects.get()
    client.force_login(manager)
    for path in ("", "progress/", "file/"):
        assert client.get(f"/exports/{entry.pk}/{path}").status_code == 404
    assert client.post(f"/exports/{entry.pk}/cancel/").status_code == 404
    client.logout()
    assert client.get(f"/exports/{entry.pk}/file/").status_code == 302  # to the sign-in page


def test_files_are_deleted_when_their_time_is_up_and_the_entry_stays(officer_client, big):
    OrganizationFactory.create_batch(5)
    officer_client.get("/stakeholders/organizations/?_export=csv")
    run_due_jobs()
    entry = ExportLog.objects.get()
    path = big / "exports" / entry.file
    assert files.clear_expired(now=timezone.now() + timedelta(hours=23)) == 0
    assert path.is_file()
    assert files.clear_expired(now=timezone.now() + timedelta(hours=25)) == 1
    assert not path.exists()
    entry.refresh_from_db()
    assert (entry.status, entry.file, entry.rows) == ("expired", "", 5)
    response = officer_client.get(f"/exports/{entry.pk}/file/", follow=True)
    assert "This file is no longer kept. Export the list again." in response.content.decode()


def test_an_export_never_finished_is_failed_after_its_time_and_stray_files_go(officer, big):
    entry = ExportLog.objects.create(user=officer, dataset="organizations", format="csv", rows=7, status="writing")
    stray = files.folder() / "12-left-by-a-killed-job.part"
    stray.write_text("x")
    later = timezone.now() + timedelta(hours=25)
    files.clear_expired(now=later)
    entry.refresh_from_db()
    assert entry.status == "failed"
    assert "never finished" in entry.error
    assert not stray.exists()


def test_the_clock_clears_export_files_every_hour():
    from crm.jobs import schedule

    assert schedule.ENTRIES["clear-export-files"].job.module_path == "crm.exporting.tasks.export_clear_expired"


def test_your_exports_lists_ones_own_with_their_files(officer_client, officer, manager, big):
    OrganizationFactory.create_batch(5)
    officer_client.get("/stakeholders/organizations/?_export=csv")
    ExportLog.objects.create(user=manager, dataset="contacts", format="csv", rows=1)
    run_due_jobs()
    entry = ExportLog.objects.get(user=officer)
    body = officer_client.get("/exports/mine/").content.decode()
    assert f'href="/exports/{entry.pk}/"' in body
    assert "Download" in body
    assert "sent at once" not in body  # the manager's export
    assert "Vos exports" in officer_client.get("/exports/mine/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()


def test_an_erasure_withdraws_every_kept_file_and_the_name_leaves_the_export_log(client, officer, manager, big):
    person = ContactFactory(first_name="Aminata", last_name="Kouyaté", email="aminata@example.test")
    ContactFactory.create_batch(4)
    client.force_login(officer)
    client.get("/stakeholders/contacts/?_export=csv")  # all five: a file kept
    client.get("/stakeholders/contacts/?q=Kouyaté&_export=csv")  # one: sent at once, the name in the log
    run_due_jobs()
    kept, searched = ExportLog.objects.order_by("pk")
    assert kept.status == "ready"
    assert "Kouyaté" in downloaded(client.get(f"/exports/{kept.pk}/file/")).decode("utf-8-sig")
    call_command("personal_data", "erase", "aminata@example.test", "--yes", stdout=io.StringIO())
    kept.refresh_from_db()
    searched.refresh_from_db()
    assert (kept.status, kept.file) == ("withdrawn", "")
    assert not any((big / "exports").iterdir())
    assert "Kouyat" not in searched.filters
    client.force_login(manager)
    log = client.get("/exports/").content.decode()
    assert "Kouyat" not in log
    assert "(erased)" in log
    assert Contact.objects.get(pk=person.pk).last_name == f"Erased person {person.pk}"


@pytest.mark.django_db(transaction=True)
def test_the_job_tells_its_progress_through_a_connection_of_its_own(officer, settings, tmp_path, monkeypatch):
    """Outside a transaction (as a worker runs it), progress and a cancel go through a second
    connection: the file is written, and the entry counts every row."""
    from crm.lib import exports

    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(exports, "CHUNK", 2)
    OrganizationFactory.create_batch(5)
    entry = ExportLog.objects.create(user=officer, dataset="organizations", format="csv", rows=5, status="queued")
    files.write(entry.pk)
    entry.refresh_from_db()
    assert (entry.status, entry.rows_done, entry.rows) == ("ready", 5, 5)
    assert len(read_csv((tmp_path / "exports" / entry.file).read_bytes())) == 6
