"""/exports/: the export log, in words (managers); each user's own exports, and the page of a large
export while a job writes it, then its file to download (crm/exporting/files.py). An export's page
and file are its owner's alone: another user gets 404."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.exporting import files
from crm.exporting.log import ExportDescriber
from crm.jobs import workers
from crm.jobs.progress import progress_fragment
from crm.lib.exports import FORMATS
from crm.models import ExportLog


def _described(page) -> list[dict]:
    describer = ExportDescriber()
    return [
        {
            "entry": entry,
            "what": describer.describe(entry),
            "list": describer.list_name(entry),
            "format": describer.format_name(entry),
        }
        for entry in page
    ]


@permission_required("crm.view_exportlog", raise_exception=True)
def export_log(request):
    """Who exported which list, with which filters, how many rows, when."""
    page = Paginator(ExportLog.objects.select_related("user"), 50).get_page(request.GET.get("page"))
    return render(request, "crm/export_log.html", {"page_obj": page, "entries": _described(page)})


def my_exports(request):
    """The user's own exports, the large ones' files offered while they are kept."""
    page = Paginator(ExportLog.objects.filter(user=request.user), 50).get_page(request.GET.get("page"))
    context = {"page_obj": page, "entries": _described(page), "settings_keep_hours": settings.EXPORT_KEEP_HOURS}
    return render(request, "crm/my_exports.html", context)


def _entry(request, pk: int) -> ExportLog:
    return get_object_or_404(ExportLog, pk=pk, user=request.user)


def _page_context(entry: ExportLog) -> dict:
    describer = ExportDescriber()
    return {
        "entry": entry,
        "what": describer.describe(entry),
        "format": describer.format_name(entry),
        "waiting": entry.is_running and workers.silent(),
        "offered": files.file_path(entry) is not None,
    }


def export_file_page(request, pk):
    return render(request, "crm/export_file.html", _page_context(_entry(request, pk)))


def export_file_progress(request, pk):
    """The progress fragment; once the job has finished, htmx reloads the whole page."""
    entry = _entry(request, pk)
    return progress_fragment(
        request, "crm/partials/export_progress.html", _page_context(entry), running=entry.is_running
    )


@require_POST
def export_file_cancel(request, pk):
    entry = _entry(request, pk)
    if files.cancel(entry):
        messages.success(request, _("Export cancelled."))
    else:
        messages.info(request, _("The export had already finished; it was not cancelled."))
    return redirect("export_file_page", pk=entry.pk)


def export_file_download(request, pk):
    entry = _entry(request, pk)
    path = files.file_path(entry)
    if path is None:
        messages.error(request, _("This file is no longer kept. Export the list again."))
        return redirect("export_file_page", pk=entry.pk)
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=files.download_name(entry),
        content_type=FORMATS[entry.format].content_type,
    )
