"""The engagements list's "Planned" tab (is_held=False, soonest first) reads a partial index in
its own order, so it neither scans the held engagements nor sorts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communications.models import Engagement
from tests.factories import EngagementFactory

INDEX = "engagement_planned_date"


def test_the_model_declares_a_partial_index_for_the_planned_tab():
    (index,) = [index for index in Engagement._meta.indexes if index.name == INDEX]
    assert index.fields == ["occurred_on", "id"]
    assert dict(index.condition.children) == {"is_held": False, "is_removed": False}


def _planned_tab_query(client) -> str:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/communications/engagements/?held=no").status_code == 200
    (sql,) = [
        q["sql"]
        for q in queries.captured_queries
        if "ORDER BY" in q["sql"] and '"communications_engagement"."occurred_on" ASC' in q["sql"]
    ]
    return sql


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="reads SQLite's query plan; PostgreSQL's planner picks by statistics"
)
def test_the_planned_tab_reads_the_partial_index(manager_client):
    for days in range(1, 6):
        EngagementFactory(occurred_on=timezone.localdate() + timedelta(days=days), is_held=False)
        EngagementFactory(occurred_on=timezone.localdate() - timedelta(days=days), is_held=True)
    sql = _planned_tab_query(manager_client)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert INDEX in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # no sort: the index holds the rows in the shown order
