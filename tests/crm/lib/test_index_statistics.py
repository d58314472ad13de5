"""An index a migration adds gets SQLite's planner statistics at the end of `migrate`: without them
SQLite weighs it blind and may read a list through another index, then sort every row."""

import pytest
from django.db import connection

from crm.lib import statistics
from tests.factories import FollowUpFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL keeps its statistics itself"),
]


def test_an_index_without_statistics_on_an_analysed_table_is_analysed():
    FollowUpFactory()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("DELETE FROM sqlite_stat1 WHERE idx = 'followup_open_list'")
    assert "followup_open_list" in statistics.analyze_indexes_without_statistics()
    # Once analysed it has its line; only indexes holding no row (empty partial ones) come again.
    again = statistics.analyze_indexes_without_statistics()
    assert "followup_open_list" not in again
    with connection.cursor() as cursor:
        for name in again:
            cursor.execute(f"SELECT stat FROM sqlite_stat1 WHERE idx = '{name}'")
            assert cursor.fetchone() is None


def test_a_database_never_analysed_is_left_as_it_is():
    FollowUpFactory()
    assert statistics.analyze_indexes_without_statistics() == []
