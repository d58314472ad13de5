"""Large imports on the web page: above IMPORT_JOB_ROWS rows the check and the write are jobs, with
a progress fragment, a cancel button, a paged preview, and still all or nothing."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult

from crm.jobs import workers
from crm.jobs.loop import run_due_jobs
from stakeholders.imports import runs
from stakeholders.models import ImportRun, Organization
from tests.factories import UserFactory
from tests.stakeholders.import_steps import map_columns, upload

HEADER = "name,registration_number,email,influence\n"


def organizations_csv(count: int, start: int = 0, bad: dict | None = None) -> bytes:
    """`count` distinct organizations; `bad`: row index → an influence that is refused."""
    bad = bad or {}
    lines = [
        f"Entreprise {i} SARL,RC-{i:06d},contact{i}@example.test,{bad.get(i, 1 + i % 5)}\n"
        for i in range(start, start + count)
    ]
    return (HEADER + "".join(lines)).encode()


def start_run(client, content: bytes, name: str = "register.csv"):
    """Upload and take the columns as guessed: the run's page (its address)."""
    response = map_columns(client, upload(client, name, content)["Location"])
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def checked(client, content: bytes):
    location = start_run(client, content)
    assert location.endswith("/run/")
    run_due_jobs()
    return location, ImportRun.objects.get()


def test_a_file_above_the_threshold_is_checked_by_a_job(officer_client, settings, tmp_path):
    settings.VAR_DIR, settings.IMPORT_JOB_ROWS = tmp_path, 10
    location = start_run(officer_client, organizations_csv(30))
    run = ImportRun.objects.get()
    assert (run.status, run.rows_total, run.rows_done) == ("checking", 30, 0)
    assert DBTaskResult.objects.filter(task_path="stakeholders.tasks.import_check").count() == 1
    body = officer_client.get(location).content.decode()
    assert "Checking the rows: 0 of 30." in body
    assert 'hx-trigger="every 2s"' in body
    assert "/run/cancel/" in body
    run_due_jobs()
    run.refresh_from_db()
    assert (run.status, run.rows_done, run.counts) == ("checked", 30, {"new": 30})
    body = officer_client.get(location).content.decode()
    assert "Ready: 30 to create, 0 to update, 0 duplicates to skip." in body
    assert Organization.objects.count() == 0  # nothing before confirmation
    officer_client.post(location + "confirm/")
    assert ImportRun.objects.get().status == "writing"
    run_due_jobs()
    run.refresh_from_db()
    assert run.status == "done"
    assert run.summary["created"] == 30
    assert Organization.objects.count() == 30
    assert Organization.history.filter(history_type="+").count() == 30
    assert "Import done" in officer_client.get(location).content.decode()
    assert not (tmp_path / "imports" / f"{run.token}.data").exists()  # the upload is gone


def test_a_file_below_the_threshold_is_checked_within_the_request_as_before(officer_client, settings, tmp_path):
    settings.VAR_DIR, settings.IMPORT_JOB_ROWS = tmp_path, 10
    location = start_run(officer_client, organizations_csv(10))
    assert not location.endswith("/run/")
    assert "Ready: 10 to create" in officer_client.get(location).content.decode()
    officer_client.post(location + "confirm/")
    assert Organization.objects.count() == 10
    assert not ImportRun.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_the_progress_fragment_says_how_far_the_check_is_and_reloads_the_page_once_done(
    officer_client, settings, tmp_path
):
    settings.VAR_DIR, settings.IMPORT_JOB_ROWS = tmp_path, 10
    location = start_run(officer_client, organizations_csv(30))
    ImportRun.objects.update(rows_done=12)
    fragment = officer_client.get(location + "progress/", HTTP_HX_REQUEST="true")
    assert "Checking the rows: 12 of 30." in fragment.content.decode()
    assert 'value="12" max="30"' in fragment.content.decode()
    assert "HX-Refresh" not in fragment
    run_due_jobs()
    fragment = officer_client.get(location + "progress/", HTTP_HX_REQUEST="true")
    assert fragment["HX-Refresh"] == "true"
    assert "hx-trigger" not in fragment.content.decode()


def test_without_a_worker_the_page_says_the_import_waits(officer_client, settings, tmp_path):
    settings.VAR_DIR, settings.IMPORT_JOB_ROWS = tmp_path, 10
    location = start_run(officer_client, organizations_csv(30))
    assert "No worker is running" in officer_client.get(location).content.decode()
    workers.beat("worker-1")
    body = officer_client.get(location).content.decode()
    assert "No worker is running" not in body
    assert "Checking the rows" in body


def test_a_cancelled_check_stops_and_writes_nothing(officer_client, settings, tmp_path):
    settings.VAR_DIR, settings.IMPORT_JOB_ROWS = tmp_path, 10
    location = start_run(officer_client, organizations_csv(30))
    response = officer_client.post(location + "cancel/", follow=True)
    assert "Import cancelled: nothing was written." in response.content.decode()
    run_due_jobs()  # the job finds its run cancelled
    run = ImportRun.objects.get()
    assert run.status == "cancelled"
    assert run.rows_done == 0
    assert not list((tmp_path / "imports").glob(f"{run.token}.*"))
    assert officer_client.post(location + "confirm/").status_code == 302
    assert ImportRun.objects.get().status == "cancelled"


def test_a_cancel_while_waiting_to_write_writes_nothing(officer_client, settings, tmp_path):
    settings.VAR_DIR, settings.IMPORT_JOB_ROWS = tmp_path, 10
    location, run = checked(officer_client, organizations_csv(30))
    officer_client.post(location + "confirm/")
    officer_client.post(location + "cancel/")
    run_due_jobs()
    assert ImportRun.objects.get().status == "cancelled"
    assert Organization.objects.count() == 0


def test_a_cancel_during_the_write_rolls_everything_back(officer_client, settings, tmp_path, monkeypatch):
    settings.VAR_DIR, settings.IMPORT_JOB_ROWS = tmp_path, 10
    location, run = checked(officer_client, organizations_csv(30))
    officer_client.post(location + "confirm/")
    send = runs.prepared.Writer.send

    def cancelled_meanwhile(*args, **kwargs):
        entry = send(*args, **kwargs)  # every row sent, then the user's cancel lands
        ImportRun.objects.filter(pk=run.pk).update(status="cancelled")
        return entry

    monkeypatch.setattr(runs.prepared.Writer, "send", cancelled_meanwhile)
    run_due_jobs()
    assert Organization.objects.count() == 0
    assert Organization.history.count() == 0


def test_a_row_no_longer_valid_at_write_time_fails_the_whole_import(officer_client, settings, tmp_path):
    """Checked, then two organizations take the same e-mail as row 5 (it now matches several):
    nothing is written, and the page says which row."""
    settings.VAR_DIR, settings.IMPORT_JOB_ROWS = tmp_path, 10
    content = (HEADER + "".join(f"Entreprise {i},,contact{i}@example.test,3\n" for i in range(30))).encode()
    location, run = checked(officer_client, content)
    assert run.is_valid
    for name in ("Doublon A", "Doublon B"):
        Organization.objects.create(name=name, email="contact3@example.test")
    officer_client.post(location + "confirm/")
    run_due_jobs()
    run.refresh_from_db()
    assert run.status == "failed"
    assert "nothing was written" in run.error
    assert run.problems[0][0] == 5
    assert Organization.objects.count() == 2
    body = officer_client.get(location).content.decode()
    assert "Row 5, email" in body


def test_a_change_made_between_the_preparation_and_the_write_is_seen(officer_client, settings, tmp_path, monkeypatch):
    """An organization with the registration number of a new row is saved while the rows are
    prepared: the write sees it and prepares again (the row is then a duplicate, not a second copy)."""
    settings.VAR_DIR, settings.IMPORT_JOB_ROWS = tmp_path, 10
    location, run = checked(officer_client, organizations_csv(30))
    officer_client.post(location + "confirm/")
    prepare = runs.prepared.prepare
    calls = []

    def meanwhile(*args, **kwargs):
        plan = prepare(*args, **kwargs)
        if not calls:
            Organization.objects.create(name="Entreprise 7 SARL", registration_number="RC-000007")
        calls.append(1)
        return plan

    monkeypatch.setattr(runs.prepared, "prepare", meanwhile)
    run_due_jobs()
    run.refresh_from_db()
    assert run.status == "done"
    assert len(calls) == 2
    assert Organization.objects.count() == 30
    assert run.summary == {"created": 29, "updated": 1, "duplicates": 0, "new_regions": [], "new_tags": []}


def test_a_job_run_twice_writes_once(officer_client, settings, tmp_path):
    settings.VAR_DIR, settings.IMPORT_JOB_ROWS = tmp_path, 10
    location, run = checked(officer_client, organizations_csv(30))
    officer_client.post(location + "confirm/")
    run_due_jobs()
    runs.write_run(run.pk)  # a worker killed after the commit: the job runs again
    runs.check_run(run.pk)
    assert Organization.objects.count() == 30
    assert ImportRun.objects.get().status == "done"


def test_the_preview_is_paged_with_counts_problems_and_the_status_filter(officer_client, settings, tmp_path):
    settings.VAR_DIR, settings.IMPORT_JOB_ROWS = tmp_path, 10
    Organization.objects.create(name="Entreprise 0 SARL", registration_number="RC-000000")
    bad = dict.fromkeys(range(100, 180), "9")
    location, run = checked(officer_client, organizations_csv(200, bad=bad))
    assert run.counts == {"update": 1, "new": 119, "error": 80}  # the first row adds an e-mail
    assert run.problem_count == 80
    body = officer_client.get(location).content.decode()
    assert "80 problems to correct in the file" in body
    assert "Page 1 of 2" in body  # problems, 50 a page
    assert "Page 1 of 4" in body  # 200 rows, 50 a page
    assert body.count('<tr class="status-') == 50
    assert "/run/confirm/" not in body
    page = officer_client.get(location + "?status=error&page=2").content.decode()
    assert page.count('<tr class="status-error"') == 30
    assert "Page 2 of 2" in page
    assert '<th scope="row">152</th>' in page  # the 51st error: data row 150, below the header
    problems = officer_client.get(location + "?problems=2").content.decode()
    assert "Row 152, influence" in problems
    assert officer_client.get(location + "?page=999&problems=-3&status=nonsense").status_code == 200
    officer_client.post(location + "confirm/")
    assert ImportRun.objects.get().status == "checked"


def test_another_users_run_is_not_found(client, officer, settings, tmp_path):
    settings.VAR_DIR, settings.IMPORT_JOB_ROWS = tmp_path, 10
    client.force_login(officer)
    location = start_run(client, organizations_csv(30))
    client.force_login(UserFactory(role="Outreach officer"))
    for url in (location, location + "progress/"):
        assert client.get(url).status_code == 404
    for url in (location + "confirm/", location + "cancel/"):
        assert client.post(url).status_code == 404
    assert ImportRun.objects.get().status == "checking"


def test_a_file_over_the_row_limit_gets_a_message_never_an_error(officer_client, settings, tmp_path):
    settings.VAR_DIR, settings.IMPORT_MAX_ROWS = tmp_path, 50
    body = upload(officer_client, "big.csv", organizations_csv(60)).content.decode()
    assert "The file has 60 rows; the web page takes up to 50." in body
    huge = HEADER.encode() + b"x\n" * 5000  # far over: not counted to the end
    body = upload(officer_client, "huge.csv", huge).content.decode()
    assert "The file has more than 50 rows; the web page takes up to 50." in body
    body = upload(officer_client, "bomb.xlsx", b"PK\x03\x04" + b"\x00" * 100).content.decode()
    assert "Excel workbook" in body
    assert not ImportRun.objects.exists()
    assert not list((tmp_path / "imports").glob("*.data"))


def test_the_run_page_in_french(officer_client, settings, tmp_path):
    settings.VAR_DIR, settings.IMPORT_JOB_ROWS = tmp_path, 10
    french = {"HTTP_ACCEPT_LANGUAGE": "fr"}
    response = officer_client.post(
        "/stakeholders/import/", {"file": SimpleUploadedFile("r.csv", organizations_csv(30, bad={3: "9"}))}, **french
    )
    columns = response["Location"]
    location = map_columns(officer_client, columns, **french)["Location"]
    body = officer_client.get(location, **french).content.decode()
    assert "Vérification des lignes : 0 sur 30." in body
    assert "Aucun worker" in body or "Aucun processus" in body
    run_due_jobs()
    body = officer_client.get(location, **french).content.decode()
    assert "1 problème à corriger dans le fichier" in body
    assert ImportRun.objects.get().language == "fr"
