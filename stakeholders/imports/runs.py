"""Large imports as jobs (ImportRun): the check, then, once the user confirms, the write.

    start_check()  the columns are chosen: a run "checking" and its job (check_run)
    check_run()    every row checked batch by batch into the run's staging file; progress and
                   cancellation between batches; ends "checked" (with or without problems)
    confirm()      "writing" and its job (write_run), only for a run checked without problems
    write_run()    classified again and built outside any transaction (prepared.py), then written:
                   on PostgreSQL in one transaction, on SQLite in slices of about a second each
                   (IMPORT_WRITE_SLICE_MS); the last marks the run "done"
    cancel()       while checking, checked or writing

All or nothing. In one transaction this is the database's doing. In slices, SQLite's write lock
(the whole database) is let go between two slices, so that officers logging a meeting wait a
second at most, not the whole import; each slice keeps what it wrote on the run (`written`), in
the transaction that writes it, and if a later slice cannot be written (the registry changed under
the prepared rows, a cancel, an error) the slices written are taken back, the last first
(undo.py). While it is written, the rows of such an import show in the registry a slice at a time.

A job may run twice (a worker killed mid-job runs it again after its timeout): each starts by
reading the run's status and does nothing unless it is still its own. The check writes only to
its staging file and the run's progress, so it simply starts again; a write stopped half-way left
its slices on the run, which the next try takes back before it starts again (and so does a try
that finds the run cancelled).

A cancel during the write takes it back entirely, unless the last slice had already been written
(the run is then done, and the page says so): each slice checks, in its transaction, that the run
is still "writing", and is rolled back when it is not."""

import logging
import secrets
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crm.jobs.engine import enqueue
from crm.lib.reading import ImportFileError, StreamedFile
from stakeholders.imports import mapping, prepared, staging, undo, writing
from stakeholders.imports.columns import looks_like_header
from stakeholders.imports.preview import classify, name_columns, parse_table
from stakeholders.models import ImportRun

logger = logging.getLogger("crm.imports")

BATCH = 2000  # rows checked (and prepared) between two looks at the run's status
MAX_PROBLEMS = 1000  # problems and left-out rows kept on the run; the counts are complete
CHANGE_MARGIN = timedelta(minutes=2)  # longer than any transaction that may commit during prepare()
WRITE_TRIES = 3  # the registry changed under the prepared rows that many times: the run fails
SLICE_PAUSE = 0.15  # between two slices of a write on SQLite: longer than a waiting writer's retries (100 ms)


class _Changed(Exception):
    pass


class _Cancelled(Exception):
    pass


def folder() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def upload_path(token: str) -> Path:
    return folder() / f"{token}.data"


def rows_path(token: str) -> Path:
    return folder() / f"{token}.rows"


def discard(token: str) -> None:
    for path in (upload_path(token), rows_path(token), folder() / f"{token}.json"):
        path.unlink(missing_ok=True)


# The services the page calls -----------------------------------------------------------------


@transaction.atomic
def start_check(*, owner, token: str, kind: str, filename: str, fields: list[str], rows_total: int) -> ImportRun:
    """The columns are chosen: the check starts again from nothing (a run of the same upload, its
    columns chosen before, is replaced)."""
    from stakeholders import tasks

    ImportRun.objects.filter(token=token, owner=owner).delete()
    rows_path(token).unlink(missing_ok=True)
    run = ImportRun.objects.create(
        owner=owner,
        token=token,
        kind=kind,
        filename=filename,
        fields=fields,
        rows_total=rows_total,
        language=translation.get_language() or "",
    )
    enqueue(tasks.import_check, run.pk)  # written with the run: it exists if and only if the run does
    return run


@transaction.atomic
def confirm(run: ImportRun) -> bool:
    """The user confirms a run checked without problems: its write is queued. False otherwise."""
    from stakeholders import tasks

    if not run.is_valid or run.status != ImportRun.CHECKED:
        return False
    if not ImportRun.objects.filter(pk=run.pk, status=ImportRun.CHECKED).update(
        status=ImportRun.WRITING, rows_done=0, updated_at=timezone.now()
    ):
        return False
    enqueue(tasks.import_write, run.pk)
    return True


def cancel(run: ImportRun) -> bool:
    """Stops the run, unless it has finished; the jobs see it at their next batch, the write at its
    transaction's end. Its files go at once (a job still reading one keeps it open until it stops)."""
    cancelled = ImportRun.objects.filter(pk=run.pk, status__in=ImportRun.CANCELLABLE).update(
        status=ImportRun.CANCELLED, finished_at=timezone.now(), updated_at=timezone.now()
    )
    if cancelled:
        discard(run.token)
    return bool(cancelled)


# The check -----------------------------------------------------------------------------------


def check_run(run_id: int) -> None:
    run = ImportRun.objects.filter(pk=run_id, status=ImportRun.CHECKING).first()
    if run is None:
        return  # cancelled, or checked already by an earlier try
    with translation.override(run.language or settings.LANGUAGE_CODE):
        _check(run)


def _check(run: ImportRun) -> None:
    path = rows_path(run.token)
    staging.start(path)
    try:
        source = StreamedFile(upload_path(run.token), batch=BATCH, is_header=looks_like_header)
    except (ImportFileError, OSError) as error:
        _fail(run, str(error), ImportRun.CHECKING)
        return
    found = {
        "counts": Counter(),
        "problems": [],
        "problem_count": 0,
        "left_out": [],
        "left_out_count": 0,
        "file_errors": [],
        "new_regions": {},
        "new_tags": {},
        "notices": source.notices,
    }
    columns = mapping.used_columns(run.fields)
    seen: dict = {}
    done = 0
    for table in source.batches():
        preview = parse_table(table, run.kind, seen=seen, mapping=columns)
        found["columns"], found["ignored"] = list(preview.columns.items()), preview.ignored
        if preview.file_errors:
            found["file_errors"] = preview.file_errors
            break
        classify(preview)
        name_columns(preview)
        staging.add(path, preview.rows, preview.columns)
        _tally(found, preview)
        done += len(table.rows)
        if not _progress(run, ImportRun.CHECKING, done):
            return
    staging.finish(path)
    found["counts"] = dict(found["counts"])
    found["new_regions"] = sorted(found["new_regions"].values())
    found["new_tags"] = sorted(found["new_tags"].values())
    ImportRun.objects.filter(pk=run.pk, status=ImportRun.CHECKING).update(
        status=ImportRun.CHECKED, rows_done=done, updated_at=timezone.now(), **found
    )


def _tally(found: dict, preview) -> None:
    found["counts"].update(preview.counts)
    problems = preview.problems
    found["problem_count"] += len(problems)
    room = MAX_PROBLEMS - len(found["problems"])
    found["problems"] += [[p.row, p.header or p.column, str(p.message)] for p in problems[:room]]
    found["left_out_count"] += len(preview.left_out)
    room = MAX_PROBLEMS - len(found["left_out"])
    found["left_out"] += [[row.row, str(row.reason), row.text[:200]] for row in preview.left_out[:room]]
    for name in preview.new_regions:
        found["new_regions"].setdefault(name.casefold(), name)
    for name in preview.new_tags:
        found["new_tags"].setdefault(name.casefold(), name)


def _progress(run: ImportRun, status: str, done: int) -> bool:
    """Records how far the job is; False when the run is no longer in `status` (cancelled)."""
    return bool(ImportRun.objects.filter(pk=run.pk, status=status).update(rows_done=done, updated_at=timezone.now()))


def _fail(run: ImportRun, error: str, status: str, **fields) -> None:
    ImportRun.objects.filter(pk=run.pk, status=status).update(
        status=ImportRun.FAILED, error=error, finished_at=timezone.now(), updated_at=timezone.now(), **fields
    )


# The write -----------------------------------------------------------------------------------


def write_run(run_id: int) -> None:
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None:
        return
    with translation.override(run.language or settings.LANGUAGE_CODE):
        if run.written and run.status != ImportRun.DONE:
            _take_back(run)  # slices of a try that stopped (a worker killed, a cancel the job did not see)
        if run.status != ImportRun.WRITING:
            return  # done, failed or cancelled: a job run again has nothing left to do
        try:
            for _try in range(WRITE_TRIES):
                if _write_once(run):
                    return
            _fail(
                run,
                _("The registry kept changing while the import was written: nothing was written. Try again later."),
                ImportRun.WRITING,
            )
        except Exception:
            _take_back(run)
            _fail(run, _("The import stopped on an unexpected error: nothing was written."), ImportRun.WRITING)
            raise


def slice_seconds() -> float | None:
    """How long one transaction of the write may last, or None for the whole write in one: on
    SQLite a write transaction holds the whole database, so a large import goes in slices."""
    if connection.vendor != "sqlite" or not settings.IMPORT_WRITE_SLICE_MS:
        return None
    return settings.IMPORT_WRITE_SLICE_MS / 1000


def _write_once(run: ImportRun) -> bool:
    """One try: prepared, then written. False when the registry changed under the prepared rows
    (to be prepared again, what was written undone); True when the run is settled (done, failed or
    cancelled)."""
    since = timezone.now() - CHANGE_MARGIN
    seen = prepared.seen_changes(since)
    with tempfile.TemporaryFile(prefix="crm-import-", dir=folder()) as file:
        batches = _counted(run, staging.batches(rows_path(run.token), BATCH))
        try:
            plan = prepared.prepare(batches, run.kind, file, owner=run.owner, source=run.filename)
        except _Cancelled:
            return True
        if plan.problems:
            problems = [[p.row, _header(run, p.column), str(p.message)] for p in plan.problems[:MAX_PROBLEMS]]
            message = _("The data changed since the check and some rows are no longer valid: nothing was written.")
            _fail(run, message, ImportRun.WRITING, problems=problems, problem_count=len(plan.problems))
            return True
        file.seek(0)
        writer = prepared.Writer(plan, file, actor=run.owner, source=run.filename)
        try:
            held = _write_slices(run, writer, since, seen)
        except (_Changed, IntegrityError) as reason:
            logger.info("Import %s: the registry changed meanwhile (%r); preparing again", run.pk, reason)
            _take_back(run)
            return False
        except _Cancelled:
            _take_back(run)
            return True
    # How long the write held a transaction (on SQLite, the whole database), at most: the bench reads it.
    logger.info("Import %s written: transaction held %.3f s", run.pk, held)
    discard(run.token)
    return True


def _write_slices(run: ImportRun, writer: prepared.Writer, since, seen: set) -> float:
    """Write in one transaction, or slice by slice (slice_seconds()), each slice's entry kept on the
    run in its own transaction; the last marks the run done and forgets the entries. Returns the
    longest a transaction lasted."""
    limit, own, held, rows = slice_seconds(), [], 0.0, 0
    written = list(run.written)
    while True:  # once at least: the last transaction marks the run done
        started = time.monotonic()
        with transaction.atomic():
            if prepared.changed_since(writer.plan, since, seen, own):
                raise _Changed
            entry = writer.send(until=None if limit is None else started + limit)
            written.append(entry)
            rows += len(entry["updated"]) + sum(last - first + 1 for first, last in entry["created"])
            fields = {"written": written, "rows_written": rows} if not writer.finished else _done(writer)
            if not ImportRun.objects.filter(pk=run.pk, status=ImportRun.WRITING).update(
                updated_at=timezone.now(), **fields
            ):
                raise _Cancelled  # cancelled meanwhile: this slice is rolled back, the others undone
        held = max(held, time.monotonic() - started)
        if writer.finished:
            return held
        own.append(entry["history"])
        _between_slices()


# The import command's write ---------------------------------------------------------------------

COMMAND = "command-"  # the token of a run the import command writes (no page follows it, no job runs it)
COMMAND_STOPPED = timedelta(minutes=10)  # a command's run not written to for that long has stopped


def start_command(*, kind: str, filename: str, actor=None) -> ImportRun:
    """A run for the import command's write, which keeps its slices as the page's do. The slices a
    command left behind (killed, the machine restarted, or its own taking back failed) are taken
    back first, once its run has been silent for COMMAND_STOPPED."""
    stopped = ImportRun.objects.filter(token__startswith=COMMAND, updated_at__lt=timezone.now() - COMMAND_STOPPED)
    for run in stopped.exclude(status=ImportRun.DONE):
        if run.written:
            logger.warning("Import %s (the command's, %s) stopped half-way: taken back", run.pk, run.filename)
            _take_back(run)
        if run.status == ImportRun.WRITING:
            ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.FAILED, finished_at=timezone.now())
    return ImportRun.objects.create(
        owner=actor, token=f"{COMMAND}{secrets.token_hex(16)}", kind=kind, filename=filename, status=ImportRun.WRITING
    )


def write_batches(run: ImportRun, batches: Iterable[list]) -> writing.ImportSummary:
    """The import command's write: each batch classified against the registry as it stands when it
    is written (rows written by earlier batches included, as the command always did), built and
    sent in the same transaction; on SQLite a transaction ends after about a second of them (a
    slice, kept on the run as the page's are). All or nothing: on any error the slices written
    are taken back, and the error raised again."""
    limit, seen, written, summary = slice_seconds(), {}, [], writing.ImportSummary()
    batches = iter(batches)
    batch = next(batches, None)
    try:
        while True:
            started = time.monotonic()
            with transaction.atomic():
                sent = 0
                while batch is not None and (limit is None or time.monotonic() < started + limit or not sent):
                    written.append(_write_batch(run, batch, seen, summary))
                    batch, sent = next(batches, None), sent + 1
                done = {"status": ImportRun.DONE, "summary": vars(summary), "finished_at": timezone.now()}
                ImportRun.objects.filter(pk=run.pk).update(
                    written=written if batch is not None else [],
                    updated_at=timezone.now(),
                    **(done if batch is None else {}),
                )
            if batch is None:
                return summary
            _between_slices()
    except BaseException:  # an error, or stopped by hand (Ctrl-C): nothing stays
        _take_back(run)
        ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.FAILED, finished_at=timezone.now())
        raise


def _write_batch(run: ImportRun, batch: list, seen: dict, summary: writing.ImportSummary) -> dict:
    """One batch prepared and sent inside the caller's transaction; its counts added to `summary`."""
    with tempfile.TemporaryFile(prefix="crm-import-", dir=folder()) as file:
        plan = prepared.prepare([batch], run.kind, file, source=run.filename, seen=seen)
        if plan.problems:
            raise writing.ImportNotValid(plan.problems)
        file.seek(0)
        writer = prepared.Writer(plan, file, actor=run.owner, source=run.filename)
        entry = writer.send()
    done = writer.summary()
    summary.created += done.created
    summary.updated += done.updated
    summary.duplicates += done.duplicates
    summary.new_regions = sorted({*summary.new_regions, *done.new_regions})
    summary.new_tags = sorted({*summary.new_tags, *done.new_tags})
    return entry


def _between_slices() -> None:
    """The write lock let go a moment: a writer waiting for it retries every 100 ms at most."""
    time.sleep(SLICE_PAUSE)


def _done(writer: prepared.Writer) -> dict:
    return {
        "status": ImportRun.DONE,
        "summary": vars(writer.summary()),
        "finished_at": timezone.now(),
        "written": [],
    }


def _take_back(run: ImportRun) -> None:
    """Take back the slices written, the last first, each in its own transaction (undo.py). Records
    kept because a colleague changed or used them meanwhile are named in a notice on the run."""
    kept, held = 0, 0.0
    while True:
        started = time.monotonic()
        with transaction.atomic():
            current = ImportRun.objects.filter(pk=run.pk).values_list("written", flat=True).first()
            if not current:
                break
            kept += undo.undo_slice(run.kind, current[-1], actor=run.owner)
            ImportRun.objects.filter(pk=run.pk).update(written=current[:-1], updated_at=timezone.now())
        held = max(held, time.monotonic() - started)
        time.sleep(SLICE_PAUSE)
    if held:
        logger.info("Import %s undone: transaction held %.3f s", run.pk, held)
    ImportRun.objects.filter(pk=run.pk).update(rows_written=0)
    run.written, run.rows_written = [], 0
    if kept:
        logger.warning("Import %s undone: %d created records kept, changed or used since", run.pk, kept)
        notice = ngettext(
            "%(count)d record this import had created was kept: a colleague changed or used it while the "
            "import was being written.",
            "%(count)d records this import had created were kept: colleagues changed or used them while the "
            "import was being written.",
            kept,
        ) % {"count": kept}
        notices = ImportRun.objects.values_list("notices", flat=True).get(pk=run.pk)
        ImportRun.objects.filter(pk=run.pk).update(notices=[*notices, notice])


def _counted(run: ImportRun, batches):
    """The staged batches, the run's progress recorded after each; stops when it is cancelled."""
    done = 0
    for rows in batches:
        yield rows
        done += len(rows)
        if not _progress(run, ImportRun.WRITING, done):
            raise _Cancelled


def _header(run: ImportRun, fieldname: str) -> str:
    return dict(run.columns).get(fieldname, fieldname)
