"""An organization found by its registration number (the quick log's organizations, a contact's
organization, the clash checks of the organization form and of the API) is read through the unique
index of registration keys, which skips blank keys: SQLite reads a partial index only for a query
that states its condition, else every organization (20 ms a look-up at 100,000)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stakeholders.selectors import organizations_registered_as
from tests.api.conftest import bearer
from tests.api.test_writes import post
from tests.factories import OrganizationFactory

INDEX = "organization_registration_key_unique"


def test_the_number_is_compared_once_normalized_and_a_blank_one_finds_nothing(db):
    baobab = OrganizationFactory(name="Transit Baobab", registration_number="RC-BKO 2024 B 1")
    OrganizationFactory(name="No number", registration_number="")
    assert list(organizations_registered_as(" rc-bko  2024 b 1 ")) == [baobab]
    assert list(organizations_registered_as("RC-BKO-2024-B-2")) == []
    assert list(organizations_registered_as("")) == []
    assert list(organizations_registered_as("   ")) == []


def _lookups(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if '"registration_key" =' in q["sql"] and "SELECT" in q["sql"]]


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return " | ".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plan")
def test_every_look_up_by_registration_number_reads_the_index(officer, officer_client):
    OrganizationFactory(name="Transit Baobab", registration_number="RC-1")
    sent = [
        (
            "/communications/engagements/new/",
            {
                "occurred_on": "2026-12-01",
                "kind": "phone_call",
                "title": "Call",
                "organizations": "Transit Baobab · RC-1",
                "mode": "phone",
                "follow_ups-TOTAL_FORMS": "0",
                "follow_ups-INITIAL_FORMS": "0",
            },
        ),
        ("/stakeholders/contacts/new/", {"last_name": "Diallo", "organization": "Transit Baobab · RC-1"}),
        ("/stakeholders/organizations/new/", {"name": "Other", "type": "importer", "registration_number": "rc-1"}),
    ]
    for url, data in sent:
        with CaptureQueriesContext(connection) as queries:
            officer_client.post(url, data)
        lookups = _lookups(queries)
        assert lookups, url
        for sql in lookups:
            assert INDEX in _plan(sql), (url, _plan(sql))
    with CaptureQueriesContext(connection) as queries:
        assert (
            post(
                bearer(officer), "/api/v1/organizations/", {"name": "Other", "registration_number": "rc-1"}
            ).status_code
            == 400
        )
    assert _lookups(queries)
    for sql in _lookups(queries):
        assert INDEX in _plan(sql)
