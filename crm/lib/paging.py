"""The paginator of every list (organizations, contacts, engagements, follow-ups…).

A list says how many rows match, but never counts a million: it counts up to a cap
(settings.LIST_COUNT_CAP, 10 000; a search, SEARCH_COUNT_CAP, 1 000) and says "more than" past it. The count reads a sliced subquery,
so the database stops at cap + 1 rows. Past the cap, pages are found as LazyPaginator finds them:
each page reads one row more than it shows, to know whether a next page exists.

Every page is read in a total order: the list's sort, then the primary key (in the sort's
direction, so an index on the sort column still gives the rows in order). Rows that tie on the sort
(same name, same type) then never move between pages, whichever way a page is read.

Far into a sorted list, a database reads every row it skips: page 500 of the organizations sorted
by name read 25 000 whole rows (28 ms on SQLite). Past the first pages, the page's ids are read
first, from the sort's index alone, and only those rows are fetched whole (a "deferred join").

To do so the paginator reads the queryset behind django-tables2's rows (`table_queryset`) and
hands django-tables2 BoundRows of its own; neither is public API. pyproject.toml pins
django-tables2 to one minor release, and tests/crm/lib/test_paging.py checks, for every list,
that each page shows the rows django-tables2's own slicing gives and that deep pages are found by
their ids.
"""

from typing import Any

from django.conf import settings
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django_tables2.rows import BoundRows

DEEP = 1000  # rows skipped from which a page is found by its ids first


def total_order(queryset: QuerySet) -> QuerySet:
    """The queryset's order with the primary key last, unless it is there already (or the order is
    made of expressions, left as they are)."""
    ordering = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
    if not ordering or not all(isinstance(name, str) for name in ordering):
        return queryset
    if any(name.lstrip("-") in ("pk", queryset.model._meta.pk.name) for name in ordering):  # type: ignore[union-attr]
        return queryset
    return queryset.order_by(*ordering, "-pk" if ordering[0].startswith("-") else "pk")  # type: ignore[union-attr]


def table_queryset(rows: BoundRows) -> QuerySet | None:
    """The queryset behind a table's rows, sorted as the table is; None for a table of a list.

    django-tables2 keeps it at rows.data.data (BoundRows → TableQuerysetData → QuerySet), which is
    not public API: read here only, in the release pyproject.toml pins (tests/crm/lib/test_paging.py
    fails if a release moves it, rather than every page silently read the slow way)."""
    queryset = getattr(rows.data, "data", None)
    return queryset if isinstance(queryset, QuerySet) else None


def page_rows(rows: BoundRows, bottom: int, top: int) -> BoundRows:
    """rows[bottom:top], for django-tables2's rows of a queryset: the rows django-tables2's own
    slicing gives, in the total order, and past DEEP found by their ids first."""
    queryset = table_queryset(rows)
    if queryset is None:
        return rows[bottom:top]
    queryset = total_order(queryset)
    if bottom < DEEP or queryset.query.distinct:
        page = queryset[bottom:top]
    else:
        page = queryset.filter(pk__in=queryset.values("pk")[bottom:top])
    return BoundRows(data=page, table=rows.table, pinned_data=rows.pinned_data)


class DeepPaginator(Paginator):
    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(page_rows(self.object_list, bottom, top), number, self)  # type: ignore[attr-defined]


def capped_count(queryset: QuerySet, *, cap: int) -> int:
    """The number of rows, or cap + 1 when there are more than cap (read over a sliced subquery:
    the database stops at cap + 1 rows)."""
    return queryset.order_by().values("pk")[: cap + 1].count()


class CappedPaginator(DeepPaginator):
    """Exact count up to the cap; past it, `count` is cap + 1 (`more_than_cap`), the number of
    pages is known only up to the page shown (and the next one, when there is one)."""

    def __init__(self, object_list: Any, per_page: int, *, cap: int | None = None, **kwargs: Any) -> None:
        self.cap = cap or settings.LIST_COUNT_CAP
        super().__init__(object_list, per_page, **kwargs)

    @cached_property
    def count(self) -> int:
        queryset = table_queryset(self.object_list)
        if queryset is not None:
            return capped_count(queryset, cap=self.cap)
        return min(len(self.object_list), self.cap + 1)

    @property
    def more_than_cap(self) -> bool:
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        if not self.more_than_cap:
            return super().num_pages
        return -(-self.cap // self.per_page)  # until a page is read

    def validate_number(self, number: Any) -> int:
        if not self.more_than_cap:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(_("That page number is not an integer")) from None
        if number < 1:
            raise EmptyPage(_("That page number is less than 1"))
        return number

    def page(self, number: Any) -> Page:
        if not self.more_than_cap:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = page_rows(self.object_list, bottom, bottom + self.per_page + 1)
        records = list(rows.data)  # one row more than shown: is there a next page?
        if not records and number > 1:
            raise EmptyPage(_("That page contains no results"))
        more = len(records) > self.per_page
        self.__dict__["num_pages"] = number + 1 if more else number
        shown = BoundRows(data=records[: self.per_page], table=rows.table, pinned_data=rows.pinned_data)
        return Page(shown, number, self)
