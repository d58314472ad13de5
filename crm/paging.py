"""The paginator of lists that count their rows (organizations, contacts, follow-ups…).

Every page is read in a total order: the list's sort, then the primary key (in the sort's
direction, so an index on the sort column still gives the rows in order). Rows that tie on the sort
(same name, same type) then never move between pages, whichever way a page is read.

Far into a sorted list, a database reads every row it skips: page 500 of the organizations sorted
by name read 25 000 whole rows (28 ms on SQLite). Past the first pages, the page's ids are read
first, from the sort's index alone, and only those rows are fetched whole (a "deferred join").
"""

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django_tables2.rows import BoundRows

DEEP = 1000  # rows skipped from which a page is found by its ids first


def total_order(queryset: QuerySet) -> QuerySet:
    """The queryset's order with the primary key last, unless it is there already (or the order is
    made of expressions, left as they are)."""
    ordering = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
    if not ordering or not all(isinstance(name, str) for name in ordering):
        return queryset
    if any(name.lstrip("-") in ("pk", queryset.model._meta.pk.name) for name in ordering):
        return queryset
    return queryset.order_by(*ordering, "-pk" if ordering[0].startswith("-") else "pk")


def page_rows(rows: BoundRows, bottom: int, top: int) -> BoundRows:
    """rows[bottom:top], for django-tables2's rows of a queryset."""
    queryset = getattr(rows.data, "data", None)
    if not isinstance(queryset, QuerySet):
        return rows[bottom:top]
    queryset = total_order(queryset)
    if bottom < DEEP or queryset.query.distinct:
        page = queryset[bottom:top]
    else:
        page = queryset.filter(pk__in=queryset.values("pk")[bottom:top])
    return BoundRows(data=page, table=rows.table, pinned_data=rows.pinned_data)


class DeepPaginator(Paginator):
    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(page_rows(self.object_list, bottom, top), number, self)
