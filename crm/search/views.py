"""The header search: the full results on a page of their own (a plain form, no JavaScript needed),
and the suggestions shown under the header's box as one types (htmx asks for the same, shorter)."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from crm.search.selectors import find

PAGE_LIMIT = 20  # per group on the page; the list pages hold the rest
SUGGESTION_LIMIT = 5
MAX_QUERY = 200


def _results(request, template: str, limit: int):
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    groups = find(request.user, query, limit) if query else []
    found = sum(len(group.hits) for group in groups)
    return render(request, template, {"query": query, "groups": groups, "found": found})


@require_safe
def search_page(request):
    return _results(request, "crm/search.html", PAGE_LIMIT)


@require_safe
def suggestions(request):
    return _results(request, "crm/partials/search_suggestions.html", SUGGESTION_LIMIT)
