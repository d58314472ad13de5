"""Large exports written by a job, their files kept for a while.

A list export of more than EXPORT_JOB_ROWS rows is not streamed: its export-log entry is made
`queued` and a job writes the file (`write`), in the language of the one who asked, with the rows
that person may see and the filters they chose. The entry's page follows it (rows written, a
cancel button) and offers the file to that person until EXPORT_KEEP_HOURS have passed; then the
file is deleted (`clear_expired`, an hourly job) and the entry stays in the log.

While the job reads, its connection holds the rows it started with (SQLite keeps one snapshot for
a statement still reading). Its progress, and whether it is still wanted, go through a connection
of its own, so that a cancel is seen at the next chunk and nobody waits on the export's locks.

A person erased on request (stakeholders/personal_data.py calls `erase_people`): every file not
yet deleted, or being written, is withdrawn (deleted: any of them may hold that person), and the
export log's filters lose the words that named them."""

import logging
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from crm.exporting.datasets import export_datasets
from crm.exporting.log import ERASED
from crm.jobs.engine import enqueue
from crm.lib.exports import FORMATS, Dataset, ExportFormat, csv_chunks, write_xlsx
from crm.models import ExportLog

logger = logging.getLogger("crm.exporting")
Status = ExportLog.Status


class _Stopped(Exception):
    """The entry is no longer being written (cancelled, or withdrawn by an erasure)."""


def folder() -> Path:
    path = Path(settings.VAR_DIR) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def download_name(entry: ExportLog) -> str:
    return f"{entry.dataset}-{timezone.localdate(entry.created_at).isoformat()}.{FORMATS[entry.format].extension}"


# The services the pages call -------------------------------------------------------------------


@transaction.atomic
def queue(*, user, name: str, fmt: str, filters: str, rows: int) -> str:
    """A large export asked for: its entry in the log, its job queued with it. The address of its page."""
    from crm.exporting import tasks

    entry = ExportLog.objects.create(
        user=user,
        dataset=name,
        format=fmt,
        filters=filters[:2000],
        rows=rows,
        status=Status.QUEUED,
        language=translation.get_language() or "",
    )
    enqueue(tasks.export_write, entry.pk)  # written with the entry: it exists if and only if the entry does
    return reverse("export_file_page", args=[entry.pk])


def cancel(entry: ExportLog) -> bool:
    """Stops an export still waiting or being written (its job sees it at its next chunk)."""
    return bool(
        ExportLog.objects.filter(pk=entry.pk, status__in=ExportLog.RUNNING).update(
            status=Status.CANCELLED, finished_at=timezone.now()
        )
    )


def file_path(entry: ExportLog) -> Path | None:
    """The entry's file, while it is offered and still on disk."""
    if not entry.offered or (entry.expires_at is not None and entry.expires_at <= timezone.now()):
        return None
    path = folder() / Path(entry.file).name
    return path if path.is_file() else None


# The job ---------------------------------------------------------------------------------------


def write(entry_id: int) -> None:
    """Writes the export's file (a job; run again after a crash, it starts over)."""
    claimed = ExportLog.objects.filter(pk=entry_id, status__in=ExportLog.RUNNING).update(
        status=Status.WRITING, rows_done=0
    )
    if not claimed:
        return  # cancelled, withdrawn, or written by an earlier try
    entry = ExportLog.objects.select_related("user").get(pk=entry_id)
    with translation.override(entry.language or settings.LANGUAGE_CODE):
        asked = _rows_asked(entry)
        if asked is None:
            return
        dataset, rows = asked
        export_format = FORMATS[entry.format]
        name = f"{entry.pk}-{get_random_string(24)}.{export_format.extension}"
        path = folder() / name
        try:
            with _Progress(entry) as progress:
                _write_file(dataset, rows, export_format, path, progress)
        except _Stopped:
            return
        except Exception:
            _settle(entry, Status.FAILED, error=_("The export stopped on an unexpected error. Export the list again."))
            raise
    now = timezone.now()
    finished = ExportLog.objects.filter(pk=entry.pk, status=Status.WRITING).update(
        status=Status.READY,
        file=name,
        size=path.stat().st_size,
        rows=progress.rows,
        rows_done=progress.rows,
        finished_at=now,
        expires_at=now + timedelta(hours=settings.EXPORT_KEEP_HOURS),
    )
    if not finished:  # cancelled or withdrawn as the last rows were written
        path.unlink(missing_ok=True)


def _rows_asked(entry: ExportLog) -> tuple[Dataset, QuerySet] | None:
    """The dataset and the rows its owner asked for, as the list page gave them (their scope, their
    filters); None, the entry failed, when they can no longer be read."""
    spec = export_datasets().get(entry.dataset)
    if spec is None or entry.format not in FORMATS or entry.user is None or not entry.user.is_active:
        _settle(entry, Status.FAILED, error=_("This export can no longer be written. Export the list again."))
        return None
    filterset = spec.filterset_class(
        QueryDict(entry.filters), queryset=spec.queryset(user=entry.user), request=SimpleNamespace(user=entry.user)
    )
    if not filterset.is_valid():
        _settle(entry, Status.FAILED, error=_("The filters of this export are no longer valid. Export the list again."))
        return None
    return spec.dataset, filterset.qs


def _write_file(dataset: Dataset, rows: QuerySet, export_format: ExportFormat, path: Path, progress) -> None:
    """The file written under a temporary name, then given its own; nothing left if it stops."""
    partial = path.with_suffix(".part")
    try:
        if export_format.extension == "xlsx":
            write_xlsx(dataset, rows, str(partial), labels=export_format.labels, progress=progress)
        else:
            pieces = csv_chunks(
                dataset, rows, labels=export_format.labels, delimiter=export_format.delimiter, progress=progress
            )
            with partial.open("w", encoding="utf-8", newline="") as file:
                file.writelines(pieces)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


class _Progress:
    """Called with the rows written so far: tells the entry, and raises _Stopped once the entry is no
    longer being written. Through a connection of its own (see the module's docstring), unless the
    job runs inside a transaction, whose entry another connection could not see."""

    def __init__(self, entry: ExportLog):
        self.entry, self.rows, self.side = entry, 0, None

    def __enter__(self) -> "_Progress":
        if not connection.in_atomic_block:
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)
        return self

    def __exit__(self, *error) -> None:
        if self.side is not None:
            self.side.close()

    def __call__(self, rows: int) -> None:
        self.rows = rows
        with (self.side or connection).cursor() as cursor:
            cursor.execute(
                f"UPDATE {ExportLog._meta.db_table} SET rows_done = %s WHERE id = %s AND status = %s",  # noqa: S608 (our table's name)
                [rows, self.entry.pk, Status.WRITING.value],
            )
            if cursor.rowcount == 0:
                raise _Stopped


def _settle(entry: ExportLog, status: str, *, error: str = "") -> None:
    ExportLog.objects.filter(pk=entry.pk, status__in=ExportLog.RUNNING).update(
        status=status, error=error, finished_at=timezone.now()
    )


# What is kept for a while only -----------------------------------------------------------------


def clear_expired(now=None) -> int:
    """Deletes the files whose time is up (and any file no entry offers). How many entries expired."""
    now = now or timezone.now()
    expired = list(ExportLog.objects.filter(status=Status.READY, expires_at__lte=now).values_list("pk", "file"))
    for _pk, name in expired:
        if name:
            (folder() / name).unlink(missing_ok=True)
    ExportLog.objects.filter(pk__in=[pk for pk, _name in expired]).update(status=Status.EXPIRED, file="")
    ExportLog.objects.filter(
        status__in=ExportLog.RUNNING, created_at__lt=now - timedelta(hours=settings.EXPORT_KEEP_HOURS)
    ).update(status=Status.FAILED, finished_at=now, error=_("The export was never finished. Export the list again."))
    _clear_strays(now)
    return len(expired)


def _clear_strays(now) -> None:
    """Files left by a job killed mid-write, or by an entry gone: none is kept past its time."""
    offered = set(ExportLog.objects.filter(status=Status.READY).values_list("file", flat=True))
    limit = (now - timedelta(hours=settings.EXPORT_KEEP_HOURS)).timestamp()
    for path in folder().iterdir():
        if path.name not in offered and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


# A person erased on request --------------------------------------------------------------------


def erase_people(contact_ids: Iterable[int], words: Iterable[str] = (), **_more: object) -> int:
    """Withdraws every export file kept or being written, and takes `words` (the names, address and
    phone that named the erased people) out of the export log's filters. How many files went."""
    with transaction.atomic():
        entries = ExportLog.objects.select_for_update().filter(status__in=[*ExportLog.RUNNING, Status.READY])
        for name in [name for name in entries.values_list("file", flat=True) if name]:
            (folder() / name).unlink(missing_ok=True)
        withdrawn = entries.update(
            status=Status.WITHDRAWN,
            file="",
            finished_at=timezone.now(),
            error=_("Withdrawn: personal data in this list was erased on request. Export the list again."),
        )
    _scrub_filters([word.casefold() for word in words if word and len(word) >= 3])
    return withdrawn


def _scrub_filters(words: list[str]) -> None:
    if not words:
        return
    for entry in ExportLog.objects.exclude(filters="").only("filters").iterator():
        pairs = parse_qsl(entry.filters.removeprefix("command: "), keep_blank_values=True)
        kept = [(key, ERASED if _names(value, words) else value) for key, value in pairs]
        if kept != pairs:
            prefix = "command: " if entry.filters.startswith("command: ") else ""
            ExportLog.objects.filter(pk=entry.pk).update(filters=(prefix + urlencode(kept))[:2000])


def _names(value: str, words: list[str]) -> bool:
    folded = value.casefold()
    return any(word in folded for word in words)
