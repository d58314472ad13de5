"""The follow-ups, commitments and concerns lists read an index in the order they show, so that a
page stops after its rows (no sort of every follow-up or concern), and count up to the cap from
that index alone (no visit of the table): the plans SQLite chooses for the queries the pages send.
PostgreSQL's planner chooses by its statistics; bench/probe.py measures both (docs/performance.md)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from communications.models import Commitment
from tests.factories import ConcernFactory, EngagementFactory, FollowUpFactory, UserFactory

TODAY = timezone.localdate()
LIST_INDEXES = ["followup_open_list", "followup_status_list"]

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="reads SQLite's query plan; PostgreSQL's planner picks by statistics"
)


def _plans(client, url, table) -> tuple[str, str]:
    """SQLite's plans of the page's rows and of its count, for the list of `table`."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    # The signed-in user's own query counts their due follow-ups for the header: not the list's.
    ours = [
        q["sql"]
        for q in queries.captured_queries
        if f'FROM "{table}"' in q["sql"] and not q["sql"].startswith('SELECT "crm_user".')
    ]
    (page,) = [sql for sql in ours if "ORDER BY" in sql and not sql.startswith("SELECT COUNT(*)")]
    (count,) = [sql for sql in ours if sql.startswith("SELECT COUNT(*)")]
    return _plan(page), _plan(count)


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return " | ".join(str(row[-1]) for row in cursor.fetchall())


@pytest.fixture
def registers(officer, manager):
    for i in range(6):
        engagement = EngagementFactory(author=officer, occurred_on=TODAY - timedelta(days=i))
        FollowUpFactory(engagement=engagement, owner=officer, due_on=TODAY + timedelta(days=i - 3))
        FollowUpFactory(engagement=engagement, owner=manager, due_on=TODAY + timedelta(days=i))
        FollowUpFactory(engagement=engagement, owner=officer, status="done", completed_on=TODAY)
        Commitment.objects.create(
            type="mou", title=f"MoU {i}", status="signed", signed_on=TODAY - timedelta(days=i), author=officer
        )
        ConcernFactory(author=officer, raised_on=TODAY - timedelta(days=i), status="open")
        ConcernFactory(author=manager, raised_on=TODAY - timedelta(days=i), referred_to_internal_affairs=True)
    EngagementFactory(author=officer, is_removed=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as a live database has (crm/lib/statistics.py keeps them after migrations)


@pytest.mark.usefixtures("registers")
@pytest.mark.parametrize(
    ("who", "query", "indexes"),
    [
        ("officer", "", ["followup_open_owner_list", "followup_open_owner_due"]),
        ("officer", "?overdue=on", ["followup_open_owner_list", "followup_open_owner_due"]),
        ("manager", "?owner=all", ["followup_open_list"]),
        ("manager", "?owner=all&status=done&sort=-due_on", ["followup_status_list"]),
    ],
)
def test_the_follow_ups_list_and_its_count_read_indexes_alone(request, who, query, indexes):
    client = request.getfixturevalue(f"{who}_client")
    page, count = _plans(client, f"/communications/follow-ups/{query}", "communications_followup")
    assert any(f"INDEX {index} " in page for index in indexes), page  # in the order shown
    assert "TEMP B-TREE" not in page, page
    # Counted from one of the list's indexes, each holding what the count reads: no row visited.
    assert any(f"COVERING INDEX {name}" in count for name in ["followup_open_owner_list", *LIST_INDEXES]), count
    # Removed engagements are left out by their ids, read from an index, not by a join per row.
    assert "SEARCH U0 USING COVERING INDEX engagement_date (is_removed=?)" in count, count


@pytest.mark.usefixtures("registers")
@pytest.mark.parametrize(
    ("who", "path", "table", "index"),
    [
        ("officer", "/communications/commitments/", "communications_commitment", "commitment_signed_list"),
        (
            "officer",
            "/communications/commitments/?status=signed",
            "communications_commitment",
            "commitment_status_list",
        ),
        ("officer", "/communications/concerns/", "communications_concern", "concern_raised_list"),
        ("manager", "/communications/concerns/", "communications_concern", "concern_raised_list"),
        ("officer", "/communications/concerns/?status=open", "communications_concern", "concern_status_list"),
    ],
)
def test_the_registers_read_their_index_newest_first(request, who, path, table, index):
    client = request.getfixturevalue(f"{who}_client")
    page, count = _plans(client, path, table)
    assert f"INDEX {index}" in page, page
    assert "TEMP B-TREE" not in page, page
    assert "COVERING INDEX" in count, count  # an officer's scope (referral, author) read from the index too


@pytest.mark.usefixtures("registers")
def test_everyones_follow_ups_walk_their_index_however_many_users_own_them(manager_client):
    """With many users owning a few follow-ups each, SQLite's planner started from the users when the
    list joined them, and sorted every open follow-up: the page's owners are read by id instead."""
    for i in range(40):
        FollowUpFactory(owner=UserFactory(email=f"owner{i}@example.test"), due_on=TODAY + timedelta(days=i % 7))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    page, _count = _plans(manager_client, "/communications/follow-ups/?owner=all", "communications_followup")
    assert "INDEX followup_open_list" in page, page
    assert "TEMP B-TREE" not in page, page
    assert "crm_user" not in page, page
    with CaptureQueriesContext(connection) as queries:
        response = manager_client.get("/communications/follow-ups/?owner=all")
    rows = response.context["table"].paginated_rows
    html = response.content.decode()
    assert len(rows) == 50
    assert all(escape(str(row.record.owner)) in html for row in rows)
    assert len(queries) <= 6
