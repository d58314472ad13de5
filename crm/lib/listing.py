"""What every list page shares: filters in the URL, a sortable table, htmx partial updates, how
many rows match (in words, up to a cap), and `?_export=csv|csv-excel|xlsx` downloading exactly the
filtered rows (a large export as a job: crm.lib.exports.export_or_queue)."""

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponseBase, QueryDict
from django.shortcuts import redirect
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from crm.lib.exports import FORMATS, Dataset, export_or_queue
from crm.lib.paging import CappedPaginator

EXPORT_FORMATS = tuple(FORMATS)  # csv (codes, for machines), csv-excel and xlsx (labels, for people)

# How each list says its count: exactly, and past the cap. "n" chooses the plural form, "count" is
# the number as the language writes it (1,234 or 1 234).
COUNT_WORDS = {
    "organizations": (
        ngettext_lazy("%(count)s organization", "%(count)s organizations", "n"),
        ngettext_lazy("More than %(count)s organization", "More than %(count)s organizations", "n"),
    ),
    "contacts": (
        ngettext_lazy("%(count)s contact", "%(count)s contacts", "n"),
        ngettext_lazy("More than %(count)s contact", "More than %(count)s contacts", "n"),
    ),
    "engagements": (
        ngettext_lazy("%(count)s engagement", "%(count)s engagements", "n"),
        ngettext_lazy("More than %(count)s engagement", "More than %(count)s engagements", "n"),
    ),
    "follow-ups": (
        ngettext_lazy("%(count)s follow-up", "%(count)s follow-ups", "n"),
        ngettext_lazy("More than %(count)s follow-up", "More than %(count)s follow-ups", "n"),
    ),
    "commitments": (
        ngettext_lazy("%(count)s commitment", "%(count)s commitments", "n"),
        ngettext_lazy("More than %(count)s commitment", "More than %(count)s commitments", "n"),
    ),
    "concerns": (
        ngettext_lazy("%(count)s concern", "%(count)s concerns", "n"),
        ngettext_lazy("More than %(count)s concern", "More than %(count)s concerns", "n"),
    ),
    "campaigns": (
        ngettext_lazy("%(count)s campaign", "%(count)s campaigns", "n"),
        ngettext_lazy("More than %(count)s campaign", "More than %(count)s campaigns", "n"),
    ),
}
ROWS_WORDS = (
    ngettext_lazy("%(count)s row", "%(count)s rows", "n"),
    ngettext_lazy("More than %(count)s row", "More than %(count)s rows", "n"),
)


def list_rows(filterset_class: type, query: dict[str, Any], queryset: QuerySet, request: Any) -> QuerySet:
    """What the list page would show for these filters (the same FilterSet, the same rows): the
    dashboard's figures and the digest's count exactly what their links show. `request` needs only
    a `user` (for "me")."""
    data = QueryDict(mutable=True)
    for key, value in query.items():
        data.setlist(key, [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)])
    filterset = filterset_class(data, queryset=queryset, request=request)
    return filterset.qs if filterset.is_valid() else queryset.none()


def count_words(dataset_name: str | None, paginator: Paginator) -> str:
    """How many rows the list holds: "12 engagements", "More than 10,000 engagements"."""
    exact, more = COUNT_WORDS.get(dataset_name or "", ROWS_WORDS)
    if isinstance(paginator, CappedPaginator) and paginator.more_than_cap:
        words, n = more, paginator.cap
    else:
        words, n = exact, paginator.count
    return words % {"n": n, "count": number_format(n, force_grouping=True)}


class ListPage(SingleTableMixin, FilterView):
    """Subclasses set table_class, filterset_class, dataset (crm.lib.exports.Dataset), template_name,
    partial_template_name, and get_queryset() from a selector."""

    # Paged by the table only (a second paginator would count the rows a second time).
    table_pagination = {"per_page": 50, "paginator_class": CappedPaginator}
    dataset: Dataset | None = None
    partial_template_name: str | None = None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        fmt = request.GET.get("_export")
        if fmt:
            if fmt not in EXPORT_FORMATS or self.dataset is None:
                raise Http404("Unknown export format")
            filterset = self.get_filterset(self.get_filterset_class())
            if not filterset.is_valid():
                messages.error(request, _("Nothing was exported: correct the filters first."))
                query = request.GET.copy()
                query.pop("_export", None)
                return redirect(f"{request.path}?{query.urlencode()}")
            query = request.GET.copy()
            query.pop("_export", None)
            return export_or_queue(
                user=request.user, dataset=self.dataset, fmt=fmt, filters=query.urlencode(), queryset=filterset.qs
            )
        return super().get(request, *args, **kwargs)

    def get_table_pagination(self, table: Any) -> dict[str, Any]:
        """A search counts its matches up to a lower cap: past a thousand, a person narrows the
        search rather than reads on, and a common word's matches are then never all counted."""
        pagination = super().get_table_pagination(table)
        if pagination and self.request.GET.get("q", "").strip():
            pagination = pagination | {"cap": settings.SEARCH_COUNT_CAP}
        return pagination

    def get_filterset_kwargs(self, filterset_class: type) -> dict[str, Any]:
        # Always bound, even without parameters, so defaults apply (archived rows stay hidden).
        return super().get_filterset_kwargs(filterset_class) | {"data": self.request.GET}

    def get_template_names(self) -> list[str]:
        # htmx asks for the results only (filters, sorting and paging swap that part alone).
        if self.partial_template_name and self.request.htmx and self.request.htmx.target == "results":
            return [self.partial_template_name]
        return super().get_template_names()

    def render_to_response(self, context: dict[str, Any], **response_kwargs: Any) -> HttpResponseBase:
        response = super().render_to_response(context, **response_kwargs)
        if self.request.htmx:
            # The address bar shows only the filters in use (a GET form sends the empty ones too).
            used = [(key, value) for key, values in self.request.GET.lists() for value in values if value != ""]
            response["HX-Push-Url"] = f"{self.request.path}?{urlencode(used)}" if used else self.request.path
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        for key in ("page", "_export"):
            query.pop(key, None)
        for key in [key for key, values in query.lists() if not any(values)]:
            query.pop(key)
        context["filter_query"] = query.urlencode()
        context["filters_active"] = any(k not in ("sort", "q") for k in query)  # the search box is always in sight
        table = context.get("table")
        if table is not None and getattr(table, "paginator", None) is not None:
            context["count_words"] = count_words(self.dataset.name if self.dataset else None, table.paginator)
        return context
