"""The engagements list's tabs read partial indexes in their own order: "Planned" (is_held=False,
soonest first) without scanning the held engagements, "Held" (the default, newest first) without
stepping over the planned ones; neither sorts, and the held count reads its index alone."""

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
    plan = _main_plan(_planned_tab_query(manager_client))
    assert INDEX in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # no sort: the index holds the rows in the shown order


def _main_plan(sql: str) -> str:
    """SQLite's plan of the query itself (its top-level steps), not of its column subqueries."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return " ".join(str(row[-1]) for row in cursor.fetchall() if row[1] == 0)


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="reads SQLite's query plan; PostgreSQL's planner picks by statistics"
)
@pytest.mark.parametrize(("query", "index"), [("", "engagement_held_date"), ("?kind=workshop", "engagement_held_kind")])
def test_the_held_tab_and_its_count_read_their_partial_index(manager_client, query, index):
    for days in range(1, 6):
        EngagementFactory(occurred_on=timezone.localdate() + timedelta(days=days), is_held=False, kind="workshop")
        EngagementFactory(occurred_on=timezone.localdate() - timedelta(days=days), is_held=True, kind="workshop")
    with CaptureQueriesContext(connection) as queries:
        assert manager_client.get(f"/communications/engagements/{query}").status_code == 200
    engagement_queries = [q["sql"] for q in queries.captured_queries if 'FROM "communications_engagement"' in q["sql"]]
    (page,) = [sql for sql in engagement_queries if "ORDER BY" in sql]
    (count,) = [sql for sql in engagement_queries if sql.startswith("SELECT COUNT(*)")]
    plan = _main_plan(page)
    assert index in plan, plan
    assert "TEMP B-TREE" not in plan, plan
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + count)
        count_plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert f"COVERING INDEX {index}" in count_plan, count_plan


def test_the_held_tab_asks_for_its_index_order_which_changes_nothing_shown(manager_client):
    """The held tab orders by the held indexes' own columns (date, id, is_held): PostgreSQL's planner
    then reads engagement_held_date, not the smaller index of every live engagement, where it steps
    over each planned one dated after today. The last key never changes the order: ids are unique."""
    today = timezone.localdate()
    older, newer = (EngagementFactory(occurred_on=today - timedelta(days=3), is_held=True) for _ in range(2))
    newest = EngagementFactory(occurred_on=today, is_held=True)
    EngagementFactory(occurred_on=today + timedelta(days=2), is_held=False)
    with CaptureQueriesContext(connection) as queries:
        response = manager_client.get("/communications/engagements/")
    assert [e.pk for e in response.context["table"].page.object_list.data] == [newest.pk, newer.pk, older.pk]
    (page,) = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "communications_engagement"' in q["sql"] and "ORDER BY" in q["sql"] and "LIMIT" in q["sql"]
    ]
    (index,) = [index for index in Engagement._meta.indexes if index.name == "engagement_held_date"]
    table = '"communications_engagement"'
    wanted = [f'{table}."occurred_on" DESC', f'{table}."id" DESC', f'{table}."is_held" ASC']
    assert index.fields[:3] == ["-occurred_on", "-id", "is_held"]
    assert f"ORDER BY {', '.join(wanted)}" in page, page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's plan")
def test_postgresql_can_read_the_held_tab_from_its_index_without_sorting(manager_client):
    for days in range(1, 6):
        EngagementFactory(occurred_on=timezone.localdate() + timedelta(days=days), is_held=False)
        EngagementFactory(occurred_on=timezone.localdate() - timedelta(days=days), is_held=True)
    with CaptureQueriesContext(connection) as queries:
        assert manager_client.get("/communications/engagements/").status_code == 200
    (page,) = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "communications_engagement"' in q["sql"] and "LIMIT" in q["sql"] and "ORDER BY" in q["sql"]
    ]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_incremental_sort = off")
        cursor.execute("EXPLAIN " + page)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    main = plan.split("SubPlan")[0]
    assert "engagement_held_date" in main, plan
    assert "Sort" not in main, plan


def test_the_links_are_indexed_by_organization_then_engagement(db):
    """Migration 0020's index, written in SQL on a table Django makes (the organizations an
    engagement met): a later migration that rebuilds the table must make it again."""
    table = Engagement.organizations.through._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    assert constraints["engagement_link_by_organization"]["columns"] == ["organization_id", "engagement_id"]
