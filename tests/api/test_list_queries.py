"""List pages: a fixed number of queries whatever the page's size (the token's look-up, the rate's
count, the page, the export log's entry; other lists may read related records in one more), and
engagements written by the database answering exactly what the serializer answers for the record."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communications.models import Campaign, KeyFactor, Topic
from crm.models import ExportLog
from stakeholders.models import CustomsOffice
from tests.api.conftest import bearer
from tests.factories import ContactFactory, EngagementFactory, FollowUpFactory, RegionFactory, UserFactory

# token look-up, rate count, page (follow-ups and related keys included), export-log entry (made, or counted in)
ENGAGEMENT_PAGE_QUERIES = 4
LIST_PAGE_QUERIES = 5


def queries_of(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(context), response.json()


def engagements(n, author):
    region = RegionFactory()
    office = CustomsOffice.objects.create(name=f"Office {n}", kind="border", region=region)
    campaign = Campaign.objects.create(name="Integrity week")
    topic = Topic.objects.create(code="release-times", name="Release times", name_fr="Délais")
    colleague = UserFactory(email="colleague@example.test")
    for i in range(n):
        engagement = EngagementFactory(
            author=author,
            occurred_on=date(2026, 1, 1) + timedelta(days=i % 9),
            customs_office=office if i % 2 else None,
            region=region if i % 3 else None,
            campaign=campaign if i % 4 == 0 else None,
            participants=i if i % 2 else None,
            depth="working" if i % 5 else "",
            is_held=i % 7 != 0,
        )
        contact = ContactFactory(organization=engagement.organizations.first())
        engagement.contacts.set([contact] if i % 2 else [])
        engagement.staff.set([author, colleague] if i % 3 == 0 else [colleague])
        engagement.topics.set([topic] if i % 2 == 0 else [])
        engagement.key_factors.set(KeyFactor.objects.order_by("id")[: i % 3])
        for day in range(i % 3):
            FollowUpFactory(engagement=engagement, owner=colleague, due_on=date(2026, 2, 1 + day))


@pytest.fixture
def warm(officer):
    """A token already used once (its first use writes "last used"; the roles' permissions are then
    read once for the process)."""
    client = bearer(officer)
    client.get("/api/v1/campaigns/")
    return client


@pytest.mark.parametrize("size", [5, 50])
def test_an_engagements_page_costs_the_same_queries_for_5_and_50_rows(officer, warm, size):
    engagements(60, officer)
    count, body = queries_of(warm, f"/api/v1/engagements/?held=all&page_size={size}")
    assert len(body["results"]) == size
    assert count == ENGAGEMENT_PAGE_QUERIES
    count, body = queries_of(warm, body["next"])  # a page reached by cursor
    assert len(body["results"]) == min(size, 60 - size)
    assert count == ENGAGEMENT_PAGE_QUERIES


def test_a_walk_by_cursor_costs_the_same_queries_on_every_page(officer, warm):
    engagements(12, officer)
    url, counts = "/api/v1/engagements/?held=all&page_size=5", []
    while url:
        count, body = queries_of(warm, url)
        counts.append(count)
        url = body["next"]
    assert counts == [ENGAGEMENT_PAGE_QUERIES] * 3


@pytest.mark.parametrize("resource", ["organizations", "contacts", "follow-ups", "commitments", "concerns"])
def test_other_lists_cost_a_fixed_number_of_queries(officer, warm, resource):
    count, _body = queries_of(warm, f"/api/v1/{resource}/")
    assert count <= LIST_PAGE_QUERIES


def test_each_listed_engagement_is_what_its_own_page_answers(officer, warm):
    engagements(30, officer)
    listed = warm.get("/api/v1/engagements/?held=all&page_size=1000").json()["results"]
    assert len(listed) == 30
    for row in listed:
        assert row == warm.get(f"/api/v1/engagements/{row['id']}/").json()
    assert any(row["follow_ups"] for row in listed)
    assert any(row["staff"] for row in listed)


def test_awkward_text_and_staff_read_the_same_listed_as_alone(officer, warm):
    engagement = EngagementFactory(
        author=officer, title='He said "no" \\ then\nleft · é 😀', summary="\x07 bell </script>", depth=""
    )
    engagement.staff.set([UserFactory(email=email) for email in ["ab@example.test", "a.c@example.test"]])
    [listed] = warm.get("/api/v1/engagements/?held=all").json()["results"]
    assert listed == warm.get(f"/api/v1/engagements/{engagement.pk}/").json()
    assert (listed["title"], listed["staff"]) == (engagement.title, ["a.c@example.test", "ab@example.test"])


def test_a_listed_engagement_in_french_is_the_same_too(officer, warm):
    engagements(3, officer)
    listed = warm.get("/api/v1/engagements/?held=all", HTTP_ACCEPT_LANGUAGE="fr").json()["results"]
    for row in listed:
        assert row == warm.get(f"/api/v1/engagements/{row['id']}/", HTTP_ACCEPT_LANGUAGE="fr").json()


def test_a_walk_given_up_half_way_is_logged_with_the_rows_it_read(officer, warm):
    engagements(12, officer)
    first = warm.get("/api/v1/engagements/?held=all&page_size=5").json()
    warm.get(first["next"])
    [entry] = ExportLog.objects.filter(dataset="engagements")
    assert (entry.rows, entry.filters) == (10, "held=all")


def test_a_cursor_of_another_users_walk_is_logged_as_their_own(officer, manager, warm):
    engagements(12, officer)
    next_url = warm.get("/api/v1/engagements/?held=all&page_size=5").json()["next"]
    bearer(manager).get(next_url)
    walks = ExportLog.objects.filter(dataset="engagements")
    mine, theirs = walks.get(user=officer), walks.get(user=manager)
    assert (mine.rows, theirs.rows) == (5, 5)


@pytest.mark.parametrize("zone", ["UTC", "Africa/Bamako", "Africa/Lagos", "America/New_York"])
def test_listed_date_times_are_the_records_own_in_any_zone(officer, warm, settings, zone):
    """UTC and zones that are UTC all year: the database writes the date-times; others: Python. A
    time with no microseconds is written without them, as the serializer does."""
    settings.TIME_ZONE = zone
    engagements(4, officer)
    first = EngagementFactory(author=officer)
    type(first).objects.filter(pk=first.pk).update(updated_at=first.updated_at.replace(microsecond=0))
    listed = warm.get("/api/v1/engagements/?held=all").json()["results"]
    for row in listed:
        assert row == warm.get(f"/api/v1/engagements/{row['id']}/").json()
    [whole] = [row for row in listed if row["id"] == first.pk]
    assert "." not in whole["updated_at"]
    assert whole["updated_at"].endswith("Z" if zone in ("UTC", "Africa/Bamako") else ("+01:00", "-05:00"))


@pytest.mark.parametrize("zone", ["UTC", "Africa/Lagos"])
def test_a_walk_ordered_by_a_date_time_reads_every_row_once(officer, warm, settings, zone):
    settings.TIME_ZONE = zone
    engagements(11, officer)
    url, seen = "/api/v1/engagements/?held=all&ordering=-updated_at&page_size=3", []
    while url:
        body = warm.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert sorted(seen) == sorted(set(seen))
    assert len(seen) == 11


def test_the_database_writes_date_times_only_in_a_zone_that_is_utc_all_year(settings):
    from crm.api.views import ENGAGEMENT_ROWS

    for zone, by_the_database in [
        ("UTC", True),
        ("Africa/Dakar", True),
        ("Africa/Lagos", False),
        ("Europe/Paris", False),
    ]:
        settings.TIME_ZONE = zone
        assert ENGAGEMENT_ROWS.sql_times() is by_the_database, zone
