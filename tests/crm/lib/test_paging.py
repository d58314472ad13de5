"""The paginator of every list (crm/lib/paging.py) against django-tables2's own slicing.

The paginator reads the queryset behind django-tables2's rows (not public API) to read deep pages
by their ids first; pyproject.toml pins django-tables2 to the minor release these tests ran on.
Every list page, in pages of one and of two rows, with every page past the first found by its ids
(DEEP lowered), below the count's cap and past it, shows the rows django-tables2's stock slicing of
the same table gives, in the same order (each list's default sort ends with the primary key, or
with names that differ in these rows, so that slicing has one answer)."""

import re

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.lib.paging import CappedPaginator, table_queryset
from tests.crm.lib.test_table_rows import PAGES, every_state  # noqa: F401  (a fixture: rows in every state)
from tests.crm.test_hostile_input import LISTS  # every list page, named once

# The page's rows read by their ids: WHERE "table"."id" IN (SELECT U0."id" AS "pk" FROM "table" U0 … LIMIT …)
BY_IDS = re.compile(r'"(\w+)"\."id" IN \(SELECT (\w+)\."id"(?: AS "pk")? FROM "\1" \2 .* LIMIT')


def _records(rows) -> list[int]:
    return [row.record.pk for row in rows]


@pytest.mark.usefixtures("every_state")
@pytest.mark.parametrize("cap", [1000, 1], ids=["below the cap", "past the cap"])
@pytest.mark.parametrize("per_page", [1, 2])
@pytest.mark.parametrize("path", LISTS)
def test_deep_pages_show_the_rows_of_django_tables2s_slicing(
    manager_client, settings, monkeypatch, path, per_page, cap
):
    settings.LIST_COUNT_CAP = cap
    monkeypatch.setattr(
        "crm.lib.listing.ListPage.table_pagination", {"per_page": per_page, "paginator_class": CappedPaginator}
    )
    monkeypatch.setattr("crm.lib.paging.DEEP", per_page)  # every page but the first found by its ids
    url = path + (PAGES[path] or "?")
    table = manager_client.get(url).context["table"]
    assert table_queryset(table.rows) is not None, "the paginator no longer finds the table's queryset"
    stock = Paginator(table.rows, per_page)
    assert stock.num_pages >= 2
    for number in stock.page_range:
        with CaptureQueriesContext(connection) as queries:
            shown = manager_client.get(f"{url}&page={number}").context["table"].page.object_list
            records = _records(shown)
        assert records == _records(stock.page(number).object_list), f"page {number}"
        found_by_ids = any(BY_IDS.search(query["sql"]) for query in queries)
        assert found_by_ids == (number > 1), f"page {number}: found by its ids first"
