"""Lists: the list pages' filters (same names, same values, same rows), cursor pages that walk every
row once even where the ordering ties, ?ordering=, and one export-log entry per walk."""

from datetime import date, timedelta

import pytest

from crm.models import ExportLog
from tests.api.conftest import bearer
from tests.factories import EngagementFactory, OrganizationFactory, RegionFactory


def walk(client, url):
    ids, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        ids += [row["id"] for row in response.json()["results"]]
        url, pages = response.json()["next"], pages + 1
    return ids, pages


def page_ids(client, url):
    return [row.pk for row in client.get(url).context["table"].page.object_list.data]


@pytest.fixture
def registry(db):
    kayes, sikasso = RegionFactory(name="Kayes"), RegionFactory(name="Sikasso")
    return [
        OrganizationFactory(name="Transit Saloum", type="customs_broker", region=kayes),
        OrganizationFactory(name="Saloum Freight", type="freight_forwarder", region=kayes),
        OrganizationFactory(name="Baobab Import", type="importer", region=sikasso, aeo_status="certified"),
        OrganizationFactory(name="Transit Niger", type="customs_broker", region=sikasso),
    ]


@pytest.mark.parametrize(
    "query",
    ["", "q=saloum", "type=customs_broker", "region=kayes", "region=Kayes&type=customs_broker", "aeo_status=certified"],
)
def test_organization_filters_are_the_pages(officer, officer_client, registry, query):
    api = sorted(walk(bearer(officer), f"/api/v1/organizations/?{query}")[0])
    assert api == sorted(page_ids(officer_client, f"/stakeholders/organizations/?{query}"))


@pytest.mark.parametrize(
    "query", ["held=all", "held=all&kind=workshop", "held=all&date_from=2026-01-05", "held=all&q=customs"]
)
def test_engagement_filters_are_the_pages(officer, officer_client, query):
    for day in range(10):
        EngagementFactory(
            author=officer,
            occurred_on=date(2026, 1, 1) + timedelta(days=day),
            kind=["meeting", "workshop"][day % 2],
            title=["Customs talk", "Release delays"][day % 3 == 0],
        )
    api = sorted(walk(bearer(officer), f"/api/v1/engagements/?{query}")[0])
    assert api
    assert api == sorted(page_ids(officer_client, f"/communications/engagements/?{query}"))


def test_an_unknown_filter_value_is_refused_by_name(officer_api, db):
    response = officer_api.get("/api/v1/organizations/?type=spaceship")
    assert response.status_code == 400
    assert "type" in response.json()["errors"]


def test_the_cursor_walks_every_row_once_through_ties(officer):
    for _i in range(23):  # one date for all: the id alone tells them apart
        EngagementFactory(author=officer, occurred_on=date(2026, 2, 1))
    for day in range(7):
        EngagementFactory(author=officer, occurred_on=date(2026, 1, 1) + timedelta(days=day))
    ids, pages = walk(bearer(officer), "/api/v1/engagements/?page_size=4")
    assert len(ids) == len(set(ids)) == 30
    assert pages == 8


@pytest.mark.parametrize("ordering", ["occurred_on", "-occurred_on", "title", "-title,occurred_on", "-id"])
def test_each_ordering_walks_in_its_order(officer, ordering):
    for n in range(12):
        EngagementFactory(author=officer, occurred_on=date(2026, 1, 1 + n % 3), title=f"T{n % 4}")
    ids, _pages = walk(bearer(officer), f"/api/v1/engagements/?page_size=5&ordering={ordering}")
    from communications.models import Engagement

    expected = list(Engagement.objects.order_by(*ordering.split(","), "-id" if ordering.startswith("-") else "id"))
    assert ids == [e.pk for e in expected]


def test_empty_values_come_last_and_are_walked_once(manager):
    from communications.models import Commitment

    organization = OrganizationFactory()
    for n in range(9):
        commitment = Commitment.objects.create(
            type="mou", title=f"C{n}", author=manager, signed_on=None if n % 2 else date(2026, 1, 1 + n % 3)
        )
        commitment.parties.set([organization])
    ids, _pages = walk(bearer(manager), "/api/v1/commitments/?page_size=2&ordering=signed_on")
    signed = [Commitment.objects.get(pk=pk).signed_on for pk in ids]
    assert len(set(ids)) == 9
    assert signed[-4:] == [None] * 4


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("ordering=secret_field", "ordering"),
        ("ordering=--title", "ordering"),
        ("page_size=100000", "page_size"),
        ("page_size=0", "page_size"),
        ("page_size=abc", "page_size"),
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=eyJvIjoiLW9jY3VycmVkX29uIiwidiI6WyJub3QgYSBkYXRlIiwxXX0", "cursor"),
    ],
)
def test_bad_list_parameters_are_refused_by_name(officer_api, db, query, field):
    response = officer_api.get(f"/api/v1/engagements/?{query}")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


def test_a_cursor_of_another_ordering_is_refused(officer):
    client = bearer(officer)
    for _i in range(3):
        EngagementFactory(author=officer)
    next_url = client.get("/api/v1/engagements/?page_size=1").json()["next"]
    response = client.get(next_url.replace("page_size=1", "page_size=1&ordering=title"))
    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]


def test_a_walk_is_logged_once_with_its_filters(officer):
    for _i in range(7):
        EngagementFactory(author=officer, kind="workshop")
    EngagementFactory(author=officer, kind="meeting")
    ids, pages = walk(bearer(officer), "/api/v1/engagements/?kind=workshop&page_size=2")
    assert pages == 4
    assert len(ids) == 7
    [entry] = ExportLog.objects.all()
    assert (entry.dataset, entry.format, entry.filters, entry.rows, entry.user) == (
        "engagements",
        "api",
        "kind=workshop",
        7,
        officer,
    )


def test_follow_ups_default_to_the_users_own_open_ones_as_the_page(officer, officer_client):
    from tests.factories import FollowUpFactory

    mine = FollowUpFactory(owner=officer, engagement=EngagementFactory(author=officer))
    FollowUpFactory()  # a colleague's
    client = bearer(officer)
    assert (
        walk(client, "/api/v1/follow-ups/")[0] == [mine.pk] == page_ids(officer_client, "/communications/follow-ups/")
    )
    assert len(walk(client, "/api/v1/follow-ups/?owner=all")[0]) == 2
