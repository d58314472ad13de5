"""A large import written in slices (SQLite's write lock is let go between them, so officers' writes
pass): still all or nothing. Here every batch of 5 rows is a slice of its own, on both databases
(PostgreSQL writes in one transaction outside the tests: slice_seconds() is forced)."""

import pytest

from crm.jobs.loop import run_due_jobs
from stakeholders.imports import runs
from stakeholders.models import Contact, ImportRun, Organization, Tag
from stakeholders.normalize import registration_key
from tests.factories import ContactFactory, EngagementFactory, OrganizationFactory
from tests.stakeholders.test_import_jobs import checked

HEADER = "name,registration_number,email,influence,tags\n"


def register(count: int) -> bytes:
    lines = [f"Entreprise {i} SARL,RC-{i:06d},contact{i}@example.test,{1 + i % 5},registre\n" for i in range(count)]
    return (HEADER + "".join(lines)).encode()


@pytest.fixture
def sliced(settings, tmp_path, monkeypatch):
    settings.VAR_DIR, settings.IMPORT_JOB_ROWS = tmp_path, 10
    monkeypatch.setattr(runs, "BATCH", 5)
    monkeypatch.setattr(runs, "SLICE_PAUSE", 0)
    monkeypatch.setattr(runs, "slice_seconds", lambda: 0.0)  # a slice a batch


def on_slice(monkeypatch, number: int, action):
    """Call `action(run)` between the slices `number - 1` and `number` (2, 3…), as a colleague or
    the user's cancel would, outside the import's transactions."""
    calls = [1]

    def between():
        calls.append(1)
        if len(calls) == number:
            action(ImportRun.objects.get())

    monkeypatch.setattr(runs, "_between_slices", between)
    return calls


def test_slices_write_every_row_once_and_forget_their_entries(officer_client, sliced, monkeypatch):
    location, run = checked(officer_client, register(23))
    officer_client.post(location + "confirm/")
    seen = []
    calls = on_slice(monkeypatch, 3, lambda run: seen.append(len(run.written)))
    run_due_jobs()
    run.refresh_from_db()
    assert run.status == "done"
    assert len(calls) == 5  # 23 rows, 5 a batch
    assert seen == [2]  # the two slices before were committed with their entries
    assert run.written == []
    assert run.summary["created"] == 23
    assert Organization.objects.count() == 23
    assert Organization.history.filter(history_type="+").count() == 23
    assert Tag.objects.get(name="registre").organizations.count() == 23


def test_a_cancel_between_slices_takes_back_every_slice_written(officer_client, sliced, monkeypatch):
    """An organization the import updates gets its values back; the new ones are deleted, each
    with a "deleted" history entry saying why; their tag links go with them."""
    kept = OrganizationFactory(name="Entreprise 2 SARL", registration_number="RC-000002", influence=5, email="")
    location, run = checked(officer_client, register(23))
    officer_client.post(location + "confirm/")
    on_slice(monkeypatch, 4, lambda run: ImportRun.objects.filter(pk=run.pk).update(status="cancelled"))
    run_due_jobs()
    run.refresh_from_db()
    assert run.status == "cancelled"
    assert run.written == []
    assert list(Organization.objects.all()) == [kept]
    kept.refresh_from_db()
    assert (kept.influence, kept.email) == (5, "")
    assert kept.registration_key == registration_key("RC-000002")  # derived keys computed again
    assert kept.history.first().history_change_reason == "Import undone"
    deleted = Organization.history.filter(history_type="-")
    assert deleted.count() == 14  # three slices of 5, one of them the update
    assert set(deleted.values_list("history_change_reason", flat=True)) == {"Import undone"}
    assert not Organization.tags.through.objects.exists()


def test_a_colleagues_change_between_slices_is_seen_undone_and_prepared_again(officer_client, sliced, monkeypatch):
    """A colleague saves an organization with the registration number of a row still to come: the
    slices written are taken back, the import prepared again, and the row becomes an update."""
    location, run = checked(officer_client, register(23))
    officer_client.post(location + "confirm/")

    def colleague(run):
        Organization.objects.create(name="Entreprise 20 SARL", registration_number="RC-000020")

    calls = on_slice(monkeypatch, 2, colleague)
    run_due_jobs()
    run.refresh_from_db()
    assert run.status == "done"
    assert (run.summary["created"], run.summary["updated"]) == (22, 1)
    assert Organization.objects.count() == 23
    assert Organization.history.filter(history_type="-").count() == 5  # the first slice, taken back
    assert len(calls) > 5


def test_a_write_stopped_half_way_is_taken_back_by_the_next_try(officer_client, sliced, monkeypatch):
    """A worker killed during the third slice: the run keeps two slices' entries; the job's next try
    takes them back, then writes the whole import."""
    location, run = checked(officer_client, register(23))
    officer_client.post(location + "confirm/")

    def killed(run):
        raise KeyboardInterrupt  # not an error the job handles: as if the process stopped here

    on_slice(monkeypatch, 3, killed)
    with pytest.raises(KeyboardInterrupt):
        runs.write_run(run.pk)
    run.refresh_from_db()
    assert (run.status, len(run.written)) == ("writing", 2)
    assert Organization.objects.count() == 10
    monkeypatch.undo()
    monkeypatch.setattr(runs, "BATCH", 5)
    monkeypatch.setattr(runs, "SLICE_PAUSE", 0)
    monkeypatch.setattr(runs, "slice_seconds", lambda: 0.0)
    runs.write_run(run.pk)
    run.refresh_from_db()
    assert (run.status, run.written) == ("done", [])
    assert Organization.objects.count() == 23
    assert sorted(Organization.objects.values_list("registration_number", flat=True)) == [
        f"RC-{i:06d}" for i in range(23)
    ]


def test_a_cancelled_run_with_slices_left_is_taken_back_when_its_job_runs_again(officer_client, sliced, monkeypatch):
    location, run = checked(officer_client, register(23))
    officer_client.post(location + "confirm/")
    on_slice(monkeypatch, 3, lambda run: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        runs.write_run(run.pk)
    runs.cancel(run)
    runs.write_run(run.pk)
    run.refresh_from_db()
    assert (run.status, run.written) == ("cancelled", [])
    assert Organization.objects.count() == 0


def test_records_a_colleague_used_or_changed_meanwhile_are_kept_and_the_page_says_so(
    officer_client, sliced, monkeypatch
):
    location, run = checked(officer_client, register(23))
    officer_client.post(location + "confirm/")

    def colleague_then_cancel(run):
        used = Organization.objects.get(registration_number="RC-000001")
        EngagementFactory().organizations.add(used)
        changed = Organization.objects.get(registration_number="RC-000007")
        changed.city = "Kayes"
        changed.save()
        ContactFactory(organization=Organization.objects.get(registration_number="RC-000004"))
        ImportRun.objects.filter(pk=run.pk).update(status="cancelled")

    on_slice(monkeypatch, 3, colleague_then_cancel)
    run_due_jobs()
    imported = Organization.objects.filter(registration_number__startswith="RC-0")
    kept = sorted(imported.values_list("registration_number", flat=True))
    assert kept == ["RC-000001", "RC-000004", "RC-000007"]  # linked to an engagement, a person, edited
    run.refresh_from_db()
    assert run.notices[-1] == (
        "3 records this import had created were kept: colleagues changed or used them while the import was being "
        "written."
    )
    assert "3 records this import had created were kept" in officer_client.get(location).content.decode()


def test_an_update_a_colleague_changed_again_is_not_taken_back(officer_client, sliced, monkeypatch):
    target = OrganizationFactory(name="Entreprise 2 SARL", registration_number="RC-000002", influence=5)
    location, run = checked(officer_client, register(23))
    officer_client.post(location + "confirm/")

    def colleague_then_cancel(run):
        target.refresh_from_db()
        target.city = "Ségou"
        target.save()
        ImportRun.objects.filter(pk=run.pk).update(status="cancelled")

    on_slice(monkeypatch, 2, colleague_then_cancel)
    run_due_jobs()
    target.refresh_from_db()
    assert (target.city, target.influence) == ("Ségou", 3)  # the import's influence, then the colleague's city


def test_contacts_in_slices_are_taken_back_too(officer_client, sliced, monkeypatch):
    organization = OrganizationFactory(name="Transit Sahel")
    lines = "".join(f"Awa,Traoré {i},awa{i}@example.test,Transit Sahel\n" for i in range(12))
    content = ("first_name,last_name,email,organization\n" + lines).encode()
    location, run = checked(officer_client, content)
    assert run.kind == "contacts", run.kind
    officer_client.post(location + "confirm/")
    on_slice(monkeypatch, 3, lambda run: ImportRun.objects.filter(pk=run.pk).update(status="cancelled"))
    run_due_jobs()
    assert Contact.objects.count() == 0
    assert Contact.history.filter(history_type="-").count() == 10
    assert organization.pk == Organization.objects.get().pk


def test_postgresql_writes_in_one_transaction_and_sqlite_in_slices(settings):
    from django.db import connection

    settings.IMPORT_WRITE_SLICE_MS = 1000
    assert runs.slice_seconds() == (1.0 if connection.vendor == "sqlite" else None)
    settings.IMPORT_WRITE_SLICE_MS = 0
    assert runs.slice_seconds() is None


def test_the_progress_fragment_counts_the_rows_written_between_slices(officer_client, sliced, monkeypatch, settings):
    location, run = checked(officer_client, register(23))
    officer_client.post(location + "confirm/")
    pages = []

    def look(run):
        pages.append(officer_client.get(location + "progress/").content.decode())
        pages.append(officer_client.get(location + "progress/", headers={"accept-language": "fr"}).content.decode())

    on_slice(monkeypatch, 3, look)
    run_due_jobs()
    assert "Writing: 10 of 23 rows written." in pages[0]
    assert 'value="10" max="23"' in pages[0]
    assert "Écriture : 10 sur 23 lignes écrites." in pages[1]


def test_an_import_of_duplicates_only_is_done_in_one_slice_that_writes_nothing(officer_client, sliced, monkeypatch):
    for i in range(12):
        OrganizationFactory(name=f"Entreprise {i} SARL", registration_number=f"RC-{i:06d}")
    location, run = checked(
        officer_client, (HEADER + "".join(f"Entreprise {i} SARL,RC-{i:06d},,,\n" for i in range(12))).encode()
    )
    officer_client.post(location + "confirm/")
    run_due_jobs()
    run.refresh_from_db()
    assert (run.status, run.written, run.summary["created"], run.summary["duplicates"]) == ("done", [], 0, 12)


def command_file(tmp_path, count: int):
    path = tmp_path / "register.csv"
    lines = ["name,registration_number,email,influence,tags"] + [
        f"Entreprise {i} SARL,RC-{i:06d},contact{i}@example.test,3,registre" for i in range(count)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def command_sliced(db, monkeypatch):
    monkeypatch.setattr(runs, "SLICE_PAUSE", 0)
    monkeypatch.setattr(runs, "slice_seconds", lambda: 0.0)  # a slice a batch


def test_the_command_writes_in_slices_each_batch_matched_against_what_earlier_ones_wrote(
    tmp_path, command_sliced, monkeypatch
):
    """The command's slices: a row matching (by e-mail) an organization that an earlier batch
    created updates it, as the command always did; the run is done and keeps no slice."""
    from stakeholders.imports.service import import_path

    path = command_file(tmp_path, 7)
    with path.open("a") as file:
        file.write("Same e-mail,,CONTACT1@example.test,5,\n")
    entries = []
    between = runs._between_slices
    monkeypatch.setattr(runs, "_between_slices", lambda: (entries.append(ImportRun.objects.get().written), between()))
    summary = import_path(path, batch=3).summary
    assert (summary.created, summary.updated) == (7, 1)
    assert [len(written) for written in entries] == [1, 2]  # 8 rows, 3 a batch: 3 slices, the last one done
    run = ImportRun.objects.get()
    assert (run.status, run.written, run.owner) == ("done", [], None)
    assert Organization.objects.get(registration_number="RC-000001").influence == 5


def test_the_command_stopped_by_an_error_takes_back_every_slice(tmp_path, command_sliced, monkeypatch):
    from stakeholders.imports import prepared
    from stakeholders.imports.service import import_path

    insert, calls = prepared.insert_rows, []

    def third_fails(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OSError("disk full")
        return insert(*args, **kwargs)

    monkeypatch.setattr(prepared, "insert_rows", third_fails)
    with pytest.raises(OSError, match="disk full"):
        import_path(command_file(tmp_path, 9), batch=3)
    assert Organization.objects.count() == 0
    assert Organization.history.filter(history_type="-").count() == 6  # two slices written, then taken back
    run = ImportRun.objects.get()
    assert (run.status, run.written) == ("failed", [])


def test_a_command_killed_half_way_is_taken_back_by_the_next_one(tmp_path, command_sliced, monkeypatch):
    """Killed: nothing ran after the second slice. The next command finds the run silent for ten
    minutes, takes its slices back and marks it failed, then writes its own file."""
    from django.utils import timezone

    from stakeholders.imports.service import import_path

    monkeypatch.setattr(runs, "_take_back", lambda run: None)  # as if the process had died
    calls = []

    def killed():
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(runs, "_between_slices", killed)
    with pytest.raises(KeyboardInterrupt):
        import_path(command_file(tmp_path, 9), batch=3)
    monkeypatch.undo()
    monkeypatch.setattr(runs, "SLICE_PAUSE", 0)
    stopped = ImportRun.objects.get()
    assert len(stopped.written) == 2
    assert Organization.objects.count() == 6
    ImportRun.objects.filter(pk=stopped.pk).update(updated_at=timezone.now() - runs.COMMAND_STOPPED)
    other = tmp_path / "other.csv"
    other.write_text("name,registration_number\nAutre SARL,RC-999\n")
    assert import_path(other).summary.created == 1
    stopped.refresh_from_db()
    assert (stopped.status, stopped.written) == ("failed", [])
    assert list(Organization.objects.values_list("name", flat=True)) == ["Autre SARL"]
