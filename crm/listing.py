"""What every list page shares: filters in the URL, a sortable table, htmx partial updates, and
`?_export=csv|csv-excel|xlsx` downloading exactly the filtered rows."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from crm.exports import FORMATS, export_response, log_export
from crm.paging import DeepPaginator

EXPORT_FORMATS = tuple(FORMATS)  # csv (codes, for machines), csv-excel and xlsx (labels, for people)


class ListPage(SingleTableMixin, FilterView):
    """Subclasses set table_class, filterset_class, dataset (crm.exports.Dataset), template_name,
    partial_template_name, and get_queryset() from a selector."""

    # Paged by the table only (a second paginator would count the rows a second time).
    table_pagination = {"per_page": 50, "paginator_class": DeepPaginator}
    dataset = None
    partial_template_name = None
    exact_count = True  # lists of a million rows set False: no COUNT, pages shown without a total

    def get(self, request, *args, **kwargs):
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
            log_export(
                user=request.user, dataset=self.dataset, fmt=fmt, filters=query.urlencode(), queryset=filterset.qs
            )
            return export_response(self.dataset, filterset.qs, fmt)
        return super().get(request, *args, **kwargs)

    def get_filterset_kwargs(self, filterset_class):
        # Always bound, even without parameters, so defaults apply (archived rows stay hidden).
        return super().get_filterset_kwargs(filterset_class) | {"data": self.request.GET}

    def get_template_names(self):
        # htmx asks for the results only (filters, sorting and paging swap that part alone).
        if self.partial_template_name and self.request.htmx and self.request.htmx.target == "results":
            return [self.partial_template_name]
        return super().get_template_names()

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if self.request.htmx:
            # The address bar shows only the filters in use (a GET form sends the empty ones too).
            used = [(key, value) for key, values in self.request.GET.lists() for value in values if value != ""]
            response["HX-Push-Url"] = f"{self.request.path}?{urlencode(used)}" if used else self.request.path
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        for key in ("page", "_export"):
            query.pop(key, None)
        for key in [key for key, values in query.lists() if not any(values)]:
            query.pop(key)
        context["filter_query"] = query.urlencode()
        context["exact_count"] = self.exact_count
        context["filters_active"] = any(k != "sort" for k in query)
        return context
