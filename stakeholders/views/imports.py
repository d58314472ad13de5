"""The import page: upload → columns (which field each column goes to) → preview (every row: new,
update, duplicate or error) → confirm → summary.

The uploaded file waits under var/imports/ between the steps, under a random name known only to
the session that uploaded it, beside what the user chose (its kind, its columns); it is checked
again on confirmation. A file of more than IMPORT_JOB_ROWS rows is checked and written by jobs
once its columns are chosen (import_runs.py); below that, within the requests, as here.
"""

import json
import secrets
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from crm.lib.reading import XLSX_MAGIC, ImportFileError, StreamedFile, Table
from stakeholders.choices import AeoStatus, OrganizationType, Sector
from stakeholders.forms import ImportColumnsForm
from stakeholders.imports import mapping, runs
from stakeholders.imports.columns import (
    CONTACT_COLUMNS,
    FRENCH_HEADERS,
    ORGANIZATION_COLUMNS,
    guess_kind,
    looks_like_header,
)
from stakeholders.imports.mapping import ROWS_LOOKED_AT
from stakeholders.imports.service import import_file, preview_file

MAX_BYTES = 100 * 1024 * 1024  # a register of 200 000 organizations is about 40 MB of CSV
MAX_COLUMNS = 100
SHOWN_ROWS = 500
KEEP_SECONDS = 24 * 3600
KINDS = [
    ("", gettext_lazy("Recognise from the columns")),
    ("organizations", gettext_lazy("Organizations")),
    ("contacts", gettext_lazy("Contacts")),
]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (.csv or .xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    kind = forms.ChoiceField(label=gettext_lazy("What it holds"), choices=KINDS, required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB. Split it, or ask an administrator to use the import command.")
                % {"mb": MAX_BYTES // 1024 // 1024}
            )
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload


def _folder() -> Path:
    folder = Path(settings.VAR_DIR) / "imports"
    folder.mkdir(exist_ok=True)
    now = time.time()
    for stale in folder.iterdir():  # forgotten uploads go after a day
        if now - stale.stat().st_mtime > KEEP_SECONDS:
            stale.unlink(missing_ok=True)
    return folder


def _load_meta(request, token: str) -> dict:
    if not token.isalnum():
        raise Http404
    meta_path = _folder() / f"{token}.json"
    if not meta_path.exists():
        raise Http404
    meta = json.loads(meta_path.read_text())
    if meta["user"] != request.user.pk:
        raise PermissionDenied
    return meta


def _load(request, token: str) -> tuple[bytes, dict]:
    meta = _load_meta(request, token)
    return (_folder() / f"{token}.data").read_bytes(), meta


def _is_large(meta: dict) -> bool:
    """Checked and written by jobs (import_runs.py) rather than within the request."""
    return meta.get("rows", 0) > settings.IMPORT_JOB_ROWS


def _save(token: str, meta: dict) -> None:
    (_folder() / f"{token}.json").write_text(json.dumps(meta))


def _discard(token: str) -> None:
    runs.discard(token)


def _can_import(user, kind: str) -> bool:
    return user.has_perm("stakeholders.add_organization" if kind == "organizations" else "stakeholders.add_contact")


def import_start(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        token = secrets.token_hex(16)
        path = _folder() / f"{token}.data"
        with path.open("wb") as file:  # in chunks: a large upload is never held in memory
            for chunk in upload.chunks():
                file.write(chunk)
        try:
            if upload.name.lower().endswith((".xlsx", ".xlsm")) and not _starts_with(path, XLSX_MAGIC):
                raise ImportFileError(_("This file is not an Excel workbook (.xlsx). Save it again as .xlsx or .csv."))
            source, rows = _count(path)
        except ImportFileError as error:
            path.unlink(missing_ok=True)
            form.add_error("file", str(error))
        else:
            kind = form.cleaned_data["kind"] or mapping.remembered_kind(request.user, source.header)
            kind = kind or guess_kind(source.header)
            if too_large := _too_large(source.header, rows):
                path.unlink(missing_ok=True)
                form.add_error("file", too_large)
            elif not _can_import(request.user, kind):
                path.unlink(missing_ok=True)
                raise PermissionDenied
            else:
                _save(token, {"user": request.user.pk, "filename": upload.name, "kind": kind, "rows": rows})
                return redirect("stakeholders:import_columns", token=token)
    return render(
        request,
        "stakeholders/import_start.html",
        {
            "form": form,
            "max_mb": MAX_BYTES // 1024 // 1024,
            "max_rows": settings.IMPORT_MAX_ROWS,
            "job_rows": settings.IMPORT_JOB_ROWS,
            **_reference(),
        },
    )


def _count(path: Path) -> tuple[StreamedFile, int]:
    """The file's reader and its rows below the header, counted no further than one past the limit
    (a file of millions of short rows costs no more than the limit). Raises ImportFileError."""
    source = StreamedFile(path, batch=ROWS_LOOKED_AT, is_header=looks_like_header)
    rows = 0
    for table in source.batches():
        rows += len(table.rows)
        if rows > settings.IMPORT_MAX_ROWS + ROWS_LOOKED_AT:
            return source, -1  # more than the limit, not counted further
    return source, rows


def _starts_with(path: Path, magic: bytes) -> bool:
    with path.open("rb") as file:
        return file.read(len(magic)) == magic


def _head(path: Path) -> Table:
    """The header and first rows of a stored file: what the columns page shows and guesses from."""
    source = StreamedFile(path, batch=ROWS_LOOKED_AT, is_header=looks_like_header)
    return next(source.batches())


def _too_large(header: list[str], rows: int) -> str:
    """Why the page will not take this file ("" when it will; `rows` -1: more than the limit).
    Checked before the rows are: a huge file costs no validation."""
    limit = settings.IMPORT_MAX_ROWS
    if rows < 0:
        return ngettext(
            "The file has more than %(max)s row; the web page takes up to %(max)s. Split it, or use the import command.",
            "The file has more than %(max)s rows; the web page takes up to %(max)s. Split it, or use the import command.",
            limit,
        ) % {"max": limit}
    if rows > limit:
        return ngettext(
            "The file has %(n)s row; the web page takes up to %(max)s. Split it, or use the import command.",
            "The file has %(n)s rows; the web page takes up to %(max)s. Split it, or use the import command.",
            rows,
        ) % {"n": rows, "max": limit}
    if len(header) > MAX_COLUMNS:
        return ngettext(
            "The file has %(n)s column; the web page takes up to %(max)s. Remove the columns you do not need.",
            "The file has %(n)s columns; the web page takes up to %(max)s. Remove the columns you do not need.",
            len(header),
        ) % {"n": len(header), "max": MAX_COLUMNS}
    return ""


def _head_or_restart(request, token: str, meta: dict) -> Table | None:
    """The stored file's first rows, or None (with a message) if it can no longer be read."""
    try:
        return _head(_folder() / f"{token}.data")
    except (ImportFileError, OSError, StopIteration):  # cannot happen for a file read at upload, but stay safe
        _discard(token)
        messages.error(request, _("The file can no longer be read. Upload it again."))
        return None


def import_columns(request, token):
    """Which field each column goes to: the guesses filled in, the user's choice kept for the
    preview and remembered for their next file with the same headers."""
    meta = _load_meta(request, token)
    if request.method == "POST" and "kind" in request.POST:
        return _switch_kind(request, token, meta)
    if not _can_import(request.user, meta["kind"]):
        raise PermissionDenied
    table = _head_or_restart(request, token, meta)
    if table is None:
        return redirect("stakeholders:import")
    guesses = mapping.guess_columns(table, meta["kind"], request.user)
    form = ImportColumnsForm(
        request.POST if request.method == "POST" else None, header=table.header, guesses=guesses, kind=meta["kind"]
    )
    if form.is_bound and form.is_valid():
        meta["fields"] = form.chosen()
        mapping.remember(user=request.user, kind=meta["kind"], header=table.header, fields=meta["fields"])
        _save(token, meta)
        if _is_large(meta):
            runs.start_check(
                owner=request.user,
                token=token,
                kind=meta["kind"],
                filename=meta["filename"],
                fields=meta["fields"],
                rows_total=meta["rows"],
            )
            return redirect("stakeholders:import_run", token=token)
        return redirect("stakeholders:import_preview", token=token)
    columns = [(guess, form[form.column_name(guess.position)]) for guess in guesses]
    other_kind = "contacts" if meta["kind"] == "organizations" else "organizations"
    return render(
        request,
        "stakeholders/import_columns.html",
        {
            "token": token,
            "meta": meta,
            "form": form,
            "columns": columns,
            "rows": meta.get("rows", len(table.rows)),
            "other_kind": other_kind,
        },
    )


def _switch_kind(request, token: str, meta: dict):
    """The file holds the other kind of records than guessed: its columns are guessed again."""
    kind = request.POST["kind"]
    if kind not in ("organizations", "contacts"):
        messages.error(request, _("Choose organizations or contacts."))
    elif not _can_import(request.user, kind):
        raise PermissionDenied
    else:
        meta["kind"] = kind
        meta.pop("fields", None)
        _save(token, meta)
    return redirect("stakeholders:import_columns", token=token)


def _reference() -> dict:
    """What the page lists for people preparing a file: columns and codes."""
    return {
        "organization_columns": [(name, FRENCH_HEADERS[name]) for name in ORGANIZATION_COLUMNS],
        "contact_columns": [(name, FRENCH_HEADERS[name]) for name in CONTACT_COLUMNS],
        "code_lists": [
            (_("Type"), OrganizationType.choices),
            (_("Sector"), Sector.choices),
            (_("AEO status"), AeoStatus.choices),
        ],
    }


def import_preview(request, token):
    meta = _load_meta(request, token)
    if "fields" not in meta:  # no column is read before the user has said where it goes
        return redirect("stakeholders:import_columns", token=token)
    if _is_large(meta):
        return redirect("stakeholders:import_run", token=token)
    data, meta = _load(request, token)
    try:
        preview = preview_file(data, meta["filename"], meta["kind"], mapping.used_columns(meta["fields"]))
    except ImportFileError as error:  # cannot happen for a file that was read at upload, but stay safe
        _discard(token)
        messages.error(request, str(error))
        return redirect("stakeholders:import")
    status = request.GET.get("status", "")
    rows = [row for row in preview.rows if not status or row.status == status]
    return render(
        request,
        "stakeholders/import_preview.html",
        {
            "token": token,
            "meta": meta,
            "preview": preview,
            "rows": rows[:SHOWN_ROWS],
            "hidden_rows": max(0, len(rows) - SHOWN_ROWS),
            "status": status,
            "counts": preview.counts,
            "fields": list(preview.columns.items()),
        },
    )


@require_POST
def import_confirm(request, token):
    data, meta = _load(request, token)
    if not _can_import(request.user, meta["kind"]):
        raise PermissionDenied
    if "fields" not in meta:
        return redirect("stakeholders:import_columns", token=token)
    if _is_large(meta):
        return redirect("stakeholders:import_run", token=token)
    preview, summary = import_file(
        data,
        meta["filename"],
        kind=meta["kind"],
        actor=request.user,
        owner=request.user,
        mapping=mapping.used_columns(meta["fields"]),
    )
    if summary is None:
        messages.error(
            request,
            _(
                "The data changed since the preview and some rows are no longer valid: nothing was written. Check the preview again."
            ),
        )
        return redirect("stakeholders:import_preview", token=token)
    _discard(token)
    # Each count with its noun, in the plural it takes (French: "1 organisation créée", "2 contacts créés").
    if meta["kind"] == "organizations":
        created = ngettext("%(n)s organization created", "%(n)s organizations created", summary.created)
        updated = ngettext("%(n)s organization updated", "%(n)s organizations updated", summary.updated)
    else:
        created = ngettext("%(n)s contact created", "%(n)s contacts created", summary.created)
        updated = ngettext("%(n)s contact updated", "%(n)s contacts updated", summary.updated)
    duplicates = ngettext("%(n)s duplicate skipped", "%(n)s duplicates skipped", summary.duplicates)
    messages.success(
        request,
        _("Import done: %(created)s, %(updated)s, %(duplicates)s.")
        % {
            "created": created % {"n": summary.created},
            "updated": updated % {"n": summary.updated},
            "duplicates": duplicates % {"n": summary.duplicates},
        },
    )
    target = "stakeholders:organization_list" if meta["kind"] == "organizations" else "stakeholders:contact_list"
    return render(request, "stakeholders/import_done.html", {"summary": summary, "meta": meta, "list_url_name": target})
