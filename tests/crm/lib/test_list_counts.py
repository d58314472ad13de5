"""Every list says how many rows match: exactly up to a cap (LIST_COUNT_CAP, 10 000), "more than"
past it, so that a million rows are never all counted. Plurals and numbers follow the language."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communications.models import Campaign, Commitment
from crm.lib.paging import CappedPaginator
from tests.factories import (
    ConcernFactory,
    ContactFactory,
    EngagementFactory,
    FollowUpFactory,
    OrganizationFactory,
)

TODAY = timezone.localdate()


def _make(kind, n, user):
    for i in range(n):
        if kind == "organizations":
            OrganizationFactory()
        elif kind == "contacts":
            ContactFactory()
        elif kind == "engagements":
            EngagementFactory(occurred_on=TODAY - timedelta(days=i))
        elif kind == "follow-ups":
            FollowUpFactory(engagement=EngagementFactory(author=user), owner=user)
        elif kind == "commitments":
            Commitment.objects.create(type="mou", title=f"MoU {i}", status="signed", author=user)
        elif kind == "concerns":
            ConcernFactory()
        elif kind == "campaigns":
            Campaign.objects.create(name=f"Campaign {i}")


LISTS = {
    "organizations": ("/stakeholders/organizations/", "organization", "organizations", "organisation", "organisations"),
    "contacts": ("/stakeholders/contacts/", "contact", "contacts", "contact", "contacts"),
    "engagements": ("/communications/engagements/", "engagement", "engagements", "échange", "échanges"),
    "follow-ups": ("/communications/follow-ups/", "follow-up", "follow-ups", "suivi", "suivis"),
    "commitments": ("/communications/commitments/", "commitment", "commitments", "engagement pris", "engagements pris"),
    "concerns": ("/communications/concerns/", "concern", "concerns", "préoccupation", "préoccupations"),
    "campaigns": ("/communications/campaigns/", "campaign", "campaigns", "campagne", "campagnes"),
}


@pytest.mark.parametrize("kind", LISTS)
def test_every_list_counts_its_rows_up_to_the_cap_then_says_more_than(manager_client, manager, settings, kind):
    path, one, many, un, des = LISTS[kind]
    settings.LIST_COUNT_CAP = 3
    _make(kind, 1, manager)
    assert f">1 {one}<" in manager_client.get(path).content.decode()
    assert f">1 {un}<" in manager_client.get(path, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    _make(kind, 2, manager)
    assert f">3 {many}<" in manager_client.get(path).content.decode()
    _make(kind, 1, manager)
    assert f">More than 3 {many}<" in manager_client.get(path).content.decode()
    assert f">Plus de 3 {des}<" in manager_client.get(path, HTTP_ACCEPT_LANGUAGE="fr").content.decode()


def test_past_the_cap_every_page_can_still_be_reached(manager_client, settings, monkeypatch):
    settings.LIST_COUNT_CAP = 3
    monkeypatch.setattr(
        "crm.lib.listing.ListPage.table_pagination", {"per_page": 2, "paginator_class": CappedPaginator}
    )
    OrganizationFactory.create_batch(9)
    seen = []
    for page in range(1, 6):
        response = manager_client.get(f"/stakeholders/organizations/?sort=name&page={page}")
        seen += [row.record.pk for row in response.context["table"].page.object_list]
        assert ('class="next page-item"' in response.content.decode()) == (page < 5), page
    assert len(seen) == len(set(seen)) == 9


def test_the_count_stops_reading_at_the_cap(db):
    from crm.lib.paging import capped_count
    from stakeholders.models import Organization

    OrganizationFactory.create_batch(7)
    with CaptureQueriesContext(connection) as queries:
        assert capped_count(Organization.objects.all(), cap=4) == 5
    assert len(queries) == 1
    assert "LIMIT 5" in queries[0]["sql"]


def test_numbers_are_grouped_in_the_users_language(manager_client, settings):
    from stakeholders.models import Organization

    settings.LIST_COUNT_CAP = 1000
    Organization.objects.bulk_create(
        Organization(name=f"Transit {i:04d}", name_key=f"transit {i:04d}", type="customs_broker") for i in range(1001)
    )
    french = manager_client.get("/stakeholders/organizations/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    english = manager_client.get("/stakeholders/organizations/").content.decode()
    assert "Plus de 1\xa0000 organisations" in french
    assert "More than 1,000 organizations" in english
