"""Every list page, with its usual filters, costs the same queries for a few rows or many, and at
most six with the session and the user (issue 21): no query per row, whatever the row shows (a
follow-up's buttons, a concern's topic, a campaign's audience and reach)."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communications.models import Campaign, Commitment, Topic
from tests.factories import (
    ConcernFactory,
    ContactFactory,
    EngagementFactory,
    FollowUpFactory,
    OrganizationFactory,
)

TODAY = timezone.localdate()
MOST = 6

# (list, its usual filters): what make bench measures (bench/probe.py, list_pages).
PAGES = [
    ("/stakeholders/organizations/", ""),
    ("/stakeholders/organizations/", "?type=customs_broker&region=Kayes"),
    ("/stakeholders/organizations/", "?q=fictive"),
    ("/stakeholders/contacts/", ""),
    ("/stakeholders/contacts/", "?q=awa"),
    ("/communications/engagements/", ""),
    ("/communications/engagements/", f"?region=Kayes&date_from={TODAY - timedelta(days=90)}&date_to={TODAY}"),
    ("/communications/follow-ups/", ""),
    ("/communications/follow-ups/", "?overdue=on"),
    ("/communications/follow-ups/", "?owner=all"),
    ("/communications/follow-ups/", "?owner=all&status=done&sort=-due_on"),
    ("/communications/follow-ups/", "?q=minutes"),
    ("/communications/commitments/", ""),
    ("/communications/commitments/", "?status=signed&due_within=90"),
    ("/communications/commitments/", "?q=charter"),
    ("/communications/concerns/", ""),
    ("/communications/concerns/", "?status=open"),
    ("/communications/concerns/", "?q=delays"),
    ("/communications/campaigns/", ""),
    ("/communications/campaigns/", "?q=day"),
]


def _rows(n, officer, manager, kayes):
    """n rows of every list, owned and logged by both users, half of them overdue or done."""
    topic = Topic.objects.first()
    for i in range(n):
        author = officer if i % 2 else manager
        organization = OrganizationFactory(region=kayes)
        ContactFactory(organization=organization)
        engagement = EngagementFactory(
            author=author, occurred_on=TODAY - timedelta(days=i), organizations=[organization], region=kayes
        )
        FollowUpFactory(engagement=engagement, owner=officer, due_on=TODAY + timedelta(days=i - n // 2))
        FollowUpFactory(engagement=engagement, owner=manager, status="done", completed_on=TODAY)
        commitment = Commitment.objects.create(
            type="integrity_charter",
            title=f"Integrity charter {i}",
            status="signed",
            signed_on=TODAY - timedelta(days=i),
            review_on=TODAY + timedelta(days=i),
            author=author,
            engagement=engagement,
        )
        commitment.parties.add(organization)
        ConcernFactory(organization=organization, author=author, topic=topic, raised_on=TODAY - timedelta(days=i))
        ConcernFactory(organization=organization, author=manager, referred_to_internal_affairs=True, summary="")
        campaign = Campaign.objects.create(
            name=f"Integrity day {i}",
            audience_query="type=customs_broker",
            starts_on=TODAY - timedelta(days=30),
            ends_on=TODAY + timedelta(days=30) if i % 2 else TODAY - timedelta(days=1),  # running, or ended (kept)
        )
        engagement.campaign = campaign
        engagement.save()


def _queries(client, url) -> tuple[int, int]:
    """Queries and rows of the page as counted afresh: what it keeps (a campaign's figures) is
    forgotten first, so the measure is of counting them, the cost after a write."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), len(response.context["table"].page.object_list)


@pytest.mark.parametrize("who", ["officer", "manager"])
def test_every_list_costs_the_same_few_queries_for_few_rows_or_many(request, officer, manager, who):
    from tests.factories import RegionFactory

    kayes = RegionFactory(name="Kayes")
    client = request.getfixturevalue(f"{who}_client")
    client.get("/")  # the permissions of the roles, read once per process (crm.accounts.backends)
    _rows(2, officer, manager, kayes)
    for path, query in PAGES:  # campaigns read once after their end keep their audience (once)
        client.get(path + query)
    few = {path + query: _queries(client, path + query) for path, query in PAGES}
    _rows(30, officer, manager, kayes)
    for path, query in PAGES:
        client.get(path + query)
    for path, query in PAGES:
        url = path + query
        (few_queries, few_rows), (many_queries, many_rows) = few[url], _queries(client, url)
        assert many_rows > few_rows or many_rows == 0 == few_rows, url
        assert few_queries == many_queries <= MOST, f"{url}: {few_queries} then {many_queries} queries"
