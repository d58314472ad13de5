"""The import page: upload → columns (which field each column goes to) → preview (every row: new,
update, duplicate or error) → confirm → summary.

The uploaded file waits under var/imports/ between the steps, under a random name known only to
the session that uploaded it, beside what the user chose (its kind, its columns); it is checked
again on confirmation.
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

from crm.lib.reading import ImportFileError
from stakeholders.choices import AeoStatus, OrganizationType, Sector
from stakeholders.forms import ImportColumnsForm
from stakeholders.imports import mapping
from stakeholders.imports.columns import CONTACT_COLUMNS, FRENCH_HEADERS, ORGANIZATION_COLUMNS, guess_kind
from stakeholders.imports.service import import_file, preview_file, read_file

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
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


def _load(request, token: str) -> tuple[bytes, dict]:
    if not token.isalnum():
        raise Http404
    meta_path = _folder() / f"{token}.json"
    if not meta_path.exists():
        raise Http404
    meta = json.loads(meta_path.read_text())
    if meta["user"] != request.user.pk:
        raise PermissionDenied
    return (_folder() / f"{token}.data").read_bytes(), meta


def _save(token: str, meta: dict) -> None:
    (_folder() / f"{token}.json").write_text(json.dumps(meta))


def _discard(token: str) -> None:
    for suffix in (".json", ".data"):
        (_folder() / f"{token}{suffix}").unlink(missing_ok=True)


def _can_import(user, kind: str) -> bool:
    return user.has_perm("stakeholders.add_organization" if kind == "organizations" else "stakeholders.add_contact")


def import_start(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            table = read_file(data, upload.name)
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            kind = form.cleaned_data["kind"] or mapping.remembered_kind(request.user, table.header)
            kind = kind or guess_kind(table.header)
            if too_large := _too_large(table):
                form.add_error("file", too_large)
            elif not _can_import(request.user, kind):
                raise PermissionDenied
            else:
                token = secrets.token_hex(16)
                (_folder() / f"{token}.data").write_bytes(data)
                _save(token, {"user": request.user.pk, "filename": upload.name, "kind": kind})
                return redirect("stakeholders:import_columns", token=token)
    return render(
        request,
        "stakeholders/import_start.html",
        {"form": form, "max_mb": MAX_BYTES // 1024 // 1024, "max_rows": MAX_ROWS, **_reference()},
    )


def _too_large(table) -> str:
    """Why the page will not take this table ("" when it will). Checked before the rows are: a
    huge file costs no validation."""
    if len(table.rows) > MAX_ROWS:
        return ngettext(
            "The file has %(n)s row; the web page takes up to %(max)s. Split it, or use the import command.",
            "The file has %(n)s rows; the web page takes up to %(max)s. Split it, or use the import command.",
            len(table.rows),
        ) % {"n": len(table.rows), "max": MAX_ROWS}
    if len(table.header) > MAX_COLUMNS:
        return ngettext(
            "The file has %(n)s column; the web page takes up to %(max)s. Remove the columns you do not need.",
            "The file has %(n)s columns; the web page takes up to %(max)s. Remove the columns you do not need.",
            len(table.header),
        ) % {"n": len(table.header), "max": MAX_COLUMNS}
    return ""


def _read_or_restart(request, token: str, data: bytes, meta: dict):
    """The stored file as a table, or None (with a message) if it can no longer be read."""
    try:
        return read_file(data, meta["filename"])
    except ImportFileError as error:  # cannot happen for a file that was read at upload, but stay safe
        _discard(token)
        messages.error(request, str(error))
        return None


def import_columns(request, token):
    """Which field each column goes to: the guesses filled in, the user's choice kept for the
    preview and remembered for their next file with the same headers."""
    data, meta = _load(request, token)
    if request.method == "POST" and "kind" in request.POST:
        return _switch_kind(request, token, meta)
    if not _can_import(request.user, meta["kind"]):
        raise PermissionDenied
    table = _read_or_restart(request, token, data, meta)
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
            "rows": len(table.rows),
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
    data, meta = _load(request, token)
    if "fields" not in meta:  # no column is read before the user has said where it goes
        return redirect("stakeholders:import_columns", token=token)
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
