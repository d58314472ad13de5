"""Large imports as jobs (ImportRun): the check, then, once the user confirms, the write.

    start_check()  the columns are chosen: a run "checking" and its job (check_run)
    check_run()    every row checked batch by batch into the run's staging file; progress and
                   cancellation between batches; ends "checked" (with or without problems)
    confirm()      "writing" and its job (write_run), only for a run checked without problems
    write_run()    classified again and built outside any transaction, then written in one short
                   transaction (prepared.py) that also marks the run "done": all or nothing
    cancel()       while checking, checked or writing

A job may run twice (a worker killed mid-job runs it again after its timeout): each starts by
reading the run's status and does nothing unless it is still its own. The check writes only to
its staging file and the run's progress, so it simply starts again; the write marks the run done
in its own transaction, so it either happened entirely or not at all.

A cancel during the write rolls it back entirely, unless the transaction had already reached its
end (the run is then done, and the page says so): the write's last statement marks the run done
only if it is still "writing", and the transaction is rolled back when it is not."""

import logging
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crm.jobs.engine import enqueue
from crm.lib.reading import ImportFileError, StreamedFile
from stakeholders.imports import mapping, prepared, staging
from stakeholders.imports.columns import looks_like_header
from stakeholders.imports.preview import classify, name_columns, parse_table
from stakeholders.models import ImportRun

logger = logging.getLogger("crm.imports")

BATCH = 2000  # rows checked (and prepared) between two looks at the run's status
MAX_PROBLEMS = 1000  # problems and left-out rows kept on the run; the counts are complete
CHANGE_MARGIN = timedelta(minutes=2)  # longer than any transaction that may commit during prepare()
WRITE_TRIES = 3  # the registry changed under the prepared rows that many times: the run fails


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
    run = ImportRun.objects.filter(pk=run_id, status=ImportRun.WRITING).first()
    if run is None:
        return  # done, failed or cancelled: a job run again has nothing left to do
    with translation.override(run.language or settings.LANGUAGE_CODE):
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
            _fail(run, _("The import stopped on an unexpected error: nothing was written."), ImportRun.WRITING)
            raise


def _write_once(run: ImportRun) -> bool:
    """One try: prepared, then written. False when the registry changed under the prepared rows
    (to be prepared again); True when the run is settled (done, failed or cancelled)."""
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
        started = time.monotonic()
        try:
            with transaction.atomic():
                if prepared.changed_since(plan, since, seen):
                    raise _Changed
                summary = prepared.write(plan, file, actor=run.owner, source=run.filename)
                if not ImportRun.objects.filter(pk=run.pk, status=ImportRun.WRITING).update(
                    status=ImportRun.DONE,
                    summary=vars(summary),
                    finished_at=timezone.now(),
                    updated_at=timezone.now(),
                ):
                    raise _Cancelled  # cancelled during the write: rolled back entirely
        except (_Changed, IntegrityError) as reason:
            logger.info("Import %s: the registry changed meanwhile (%r); preparing again", run.pk, reason)
            return False
        except _Cancelled:
            return True
    # How long the write held its transaction (on SQLite, the whole database): the bench reads it.
    logger.info("Import %s written: transaction held %.3f s", run.pk, time.monotonic() - started)
    discard(run.token)
    return True


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
