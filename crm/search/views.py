"""The header search: the full results on a page of their own (a plain form, no JavaScript needed),
and the suggestions shown under the header's box as one types (htmx asks for the same, shorter)."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from crm.search.selectors import find

PAGE_LIMIT = 20  # per group on the page; the list pages hold the rest
SUGGESTION_LIMIT = 5
MAX_QUERY = 200


def _query(request) -> str:
    return request.GET.get("q", "").strip()[:MAX_QUERY]


@require_safe
def search_page(request):
    query = _query(request)
    groups = find(request.user, query, PAGE_LIMIT) if query else []
    return render(
        request,
        "crm/search.html",
        {"query": query, "groups": groups, "found": sum(len(group.hits) for group in groups)},
    )


@require_safe
def suggestions(request):
    query = _query(request)
    groups = find(request.user, query, SUGGESTION_LIMIT) if query else []
    return render(
        request,
        "crm/partials/search_suggestions.html",
        {"query": query, "groups": groups, "found": sum(len(group.hits) for group in groups)},
    )
