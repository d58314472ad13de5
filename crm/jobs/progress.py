"""A job's progress on its page: a fragment that htmx polls while the job runs. Once the job has
finished, the fragment tells htmx to reload the whole page, whose result (the file, the preview,
the summary) then replaces the bar. Without JavaScript, the fragment's Refresh link does the same."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def progress_fragment(request: HttpRequest, template: str, context: dict, *, running: bool) -> HttpResponse:
    response = render(request, template, context)
    if getattr(request, "htmx", False) and not running:
        response["HX-Refresh"] = "true"
    return response
