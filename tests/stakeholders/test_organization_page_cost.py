"""An organization's page costs the same six queries however long its record; its open follow-ups,
commitments and concerns come in a panel loaded just after (and are a page of their own without
JavaScript)."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communications.models import Commitment
from stakeholders.services import tags_from_names
from tests.factories import ConcernFactory, ContactFactory, EngagementFactory, FollowUpFactory, OrganizationFactory

TODAY = timezone.localdate()


def _record(organization, officer, n):
    organization.tags.set(tags_from_names([f"Tag {i}" for i in range(n)]))
    ContactFactory.create_batch(n, organization=organization)
    ContactFactory(organization=organization, is_archived=True)  # not counted
    for i in range(n):
        engagement = EngagementFactory(
            author=officer, occurred_on=TODAY - timedelta(days=i), organizations=[organization]
        )
        FollowUpFactory(engagement=engagement, description=f"Follow-up {i}", due_on=TODAY + timedelta(days=i))
        commitment = Commitment.objects.create(type="mou", title=f"Commitment {i}", status="signed", author=officer)
        commitment.parties.add(organization)
        ConcernFactory(organization=organization, summary=f"Concern {i}")


def _get(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return response, len(queries)


def test_the_page_costs_six_queries_for_a_short_or_a_long_record(officer_client, officer):
    short, long = OrganizationFactory(name="Short record"), OrganizationFactory(name="Long record")
    _record(short, officer, 1)
    _record(long, officer, 30)
    officer_client.get("/")  # the permissions of the roles, read once per process (crm.accounts.backends)
    short_page, short_queries = _get(officer_client, f"/stakeholders/organizations/{short.pk}/")
    long_page, long_queries = _get(officer_client, f"/stakeholders/organizations/{long.pk}/")
    assert short_queries == long_queries <= 6
    body = long_page.content.decode()
    assert "30 contacts" in body
    assert "Tag 0" in body
    assert "Tag 29" in body  # tags and count from the one query
    assert body.count('class="list-group-item"') == 10
    assert "?timeline=2#timeline" in body  # paged, not counted
    assert short_page.context["tags"] == ["Tag 0"]


def test_the_outcomes_panel_lists_what_is_open_with_the_organization(officer_client, officer):
    organization, other = OrganizationFactory(), OrganizationFactory()
    _record(organization, officer, 2)
    _record(other, officer, 1)
    page = officer_client.get(f"/stakeholders/organizations/{organization.pk}/").content.decode()
    url = f"/communications/organizations/{organization.pk}/outcomes/"
    assert f'hx-get="{url}" hx-trigger="load"' in page
    assert f'href="{url}"' in page  # a link without JavaScript

    panel, queries = _get(officer_client, url, HTTP_HX_REQUEST="true")
    body = panel.content.decode()
    assert "<html" not in body
    assert queries <= 5
    for i in range(2):
        assert f"Follow-up {i}" in body
        assert f"Commitment {i}" in body
    # the other organization's are not there
    assert body.count("Follow-up ") == body.count("Commitment ") == body.count('href="/communications/concerns/') == 2

    whole = officer_client.get(url).content.decode()  # without JavaScript: a page of its own
    assert "<html" in whole
    assert organization.name in whole
    assert "Commitment 1" in whole
    assert officer_client.get("/communications/organizations/999999/outcomes/").status_code == 404


def test_a_timeline_page_past_the_end_shows_the_first_page(officer_client, officer):
    organization = OrganizationFactory()
    _record(organization, officer, 3)
    for page in ("999", "0", "-1", "abc"):
        response = officer_client.get(f"/stakeholders/organizations/{organization.pk}/?timeline={page}")
        assert response.status_code == 200
        assert response.context["timeline"].number == 1
