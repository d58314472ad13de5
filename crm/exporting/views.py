"""/exports/: the export log, in words."""

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import render

from crm.exporting.log import ExportDescriber
from crm.models import ExportLog


@permission_required("crm.view_exportlog", raise_exception=True)
def export_log(request):
    """Who exported which list, with which filters, how many rows, when."""
    page = Paginator(ExportLog.objects.select_related("user"), 50).get_page(request.GET.get("page"))
    describer = ExportDescriber()
    entries = [
        {
            "entry": entry,
            "what": describer.describe(entry),
            "list": describer.list_name(entry),
            "format": describer.format_name(entry),
        }
        for entry in page
    ]
    return render(request, "crm/export_log.html", {"page_obj": page, "entries": entries})
