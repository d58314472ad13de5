"""Logging engagements: the quick log, its rules, planned engagements, who may edit or remove."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communications.models import Engagement, FollowUp
from stakeholders.models import Organization
from tests.factories import ContactFactory, EngagementFactory, OrganizationFactory

TODAY = timezone.localdate()


def log(client, **overrides):
    data = {
        "occurred_on": TODAY.isoformat(),
        "kind": "meeting",
        "title": "Consultative committee in Kayes",
        "organizations": "",
        "mode": "in_person",
        "participants": "",
        "women_participants": "",
        "follow_ups-TOTAL_FORMS": "2",
        "follow_ups-INITIAL_FORMS": "0",
        "follow_ups-0-description": "",
        "follow_ups-0-owner": "",
        "follow_ups-0-due_on": "",
        "follow_ups-1-description": "",
        "follow_ups-1-owner": "",
        "follow_ups-1-due_on": "",
    } | overrides
    return client.post("/communications/engagements/new/", data)


def test_an_officer_logs_a_meeting_with_two_organizations_and_a_follow_up(officer_client, officer):
    one = OrganizationFactory(name="Transit Saloum", registration_number="RC-1")
    two = OrganizationFactory(name="Union Néré", registration_number="RC-2")
    person = ContactFactory(organization=one)
    response = log(
        officer_client,
        organizations="Transit Saloum · RC-1; union néré",
        contacts=[person.pk],
        participants="12",
        women_participants="5",
        staff=[officer.pk],
        **{
            "follow_ups-0-description": "Send the minutes",
            "follow_ups-0-owner": officer.pk,
            "follow_ups-0-due_on": (TODAY + timedelta(days=7)).isoformat(),
        },
    )
    engagement = Engagement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/communications/engagements/{engagement.pk}/"
    assert set(engagement.organizations.all()) == {one, two}
    assert list(engagement.contacts.all()) == [person]
    assert engagement.author == officer
    assert engagement.is_held
    assert engagement.region == one.region
    follow_up = FollowUp.objects.get()
    assert (follow_up.description, follow_up.owner, follow_up.status) == ("Send the minutes", officer, "open")
    for organization in (one, two):
        assert Organization.objects.get(pk=organization.pk).last_engaged_on == TODAY
        page = officer_client.get(f"/stakeholders/organizations/{organization.pk}/").content.decode()
        assert "Consultative committee in Kayes" in page
    home = officer_client.get("/").content.decode()
    assert "Send the minutes" in home
    assert "Consultative committee in Kayes" in home


def test_the_rules_are_shown_beside_the_fields_and_nothing_typed_is_lost(officer_client, officer):
    mine = OrganizationFactory(name="Transit Saloum", registration_number="RC-1")
    stranger = ContactFactory(first_name="Issa", last_name="Maïga")  # from another organization
    response = log(
        officer_client,
        organizations="Transit Saloum",
        contacts=[stranger.pk],
        participants="3",
        women_participants="5",
        title="Kept title",
        **{
            "follow_ups-0-description": "Too early",
            "follow_ups-0-owner": officer.pk,
            "follow_ups-0-due_on": (TODAY - timedelta(days=3)).isoformat(),
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert Engagement.objects.count() == 0
    assert "Issa Maïga: not from the organizations of this engagement." in body
    assert "Cannot be more than the 3 participants." in body
    assert "Due before the engagement itself" in body
    assert 'value="Kept title"' in body
    assert 'value="Too early"' in body
    assert mine.name in body


def test_an_engagement_needs_an_organization(officer_client):
    body = log(officer_client).content.decode()
    assert "This field is required." in body or "Name at least one organization met." in body
    body = log(officer_client, organizations="Nobody SARL").content.decode()
    assert "Not found: Nobody SARL." in body
    assert Engagement.objects.count() == 0


def test_a_future_date_is_a_planned_engagement_counted_once_held(officer_client):
    organization = OrganizationFactory(name="Groupe Karité", registration_number="RC-K")
    log(
        officer_client,
        organizations="Groupe Karité",
        occurred_on=(TODAY + timedelta(days=10)).isoformat(),
        title="Workshop next week",
    )
    engagement = Engagement.objects.get()
    assert not engagement.is_held
    assert Organization.objects.get(pk=organization.pk).last_engaged_on is None  # not counted yet
    home = officer_client.get("/").content.decode()
    assert "Upcoming" in home
    assert "Workshop next week" in home
    officer_client.post(f"/communications/engagements/{engagement.pk}/held/")
    engagement.refresh_from_db()
    assert engagement.is_held
    assert engagement.occurred_on == TODAY
    assert Organization.objects.get(pk=organization.pk).last_engaged_on == TODAY


def test_officers_edit_their_own_engagements_only(client, officer, manager):
    own = EngagementFactory(author=officer)
    other = EngagementFactory(author=manager)
    client.force_login(officer)
    assert client.get(f"/communications/engagements/{own.pk}/edit/").status_code == 200
    assert client.get(f"/communications/engagements/{other.pk}/edit/").status_code == 403
    assert client.post(f"/communications/engagements/{other.pk}/remove/").status_code == 403
    client.force_login(manager)
    assert client.get(f"/communications/engagements/{own.pk}/edit/").status_code == 200


def test_a_manager_removes_an_engagement_and_the_history_keeps_it(manager_client):
    organization = OrganizationFactory()
    older = EngagementFactory(organizations=[organization], occurred_on=TODAY - timedelta(days=30))
    newer = EngagementFactory(organizations=[organization], occurred_on=TODAY)
    from communications.services import refresh_last_engaged

    refresh_last_engaged([organization.pk])
    manager_client.post(f"/communications/engagements/{newer.pk}/remove/")
    newer.refresh_from_db()
    assert newer.is_removed
    assert newer.history.first().history_change_reason == "Removed"
    assert manager_client.get(f"/communications/engagements/{newer.pk}/").status_code == 404
    assert Organization.objects.get(pk=organization.pk).last_engaged_on == older.occurred_on
    listed = manager_client.get("/communications/engagements/").context["filter"].qs.count()
    assert listed == 1


def test_the_list_filters_by_kind_dates_and_organization(officer_client):
    organization = OrganizationFactory(name="Comptoir Kapok")
    EngagementFactory(kind="workshop", occurred_on=TODAY - timedelta(days=400), organizations=[organization])
    EngagementFactory(kind="workshop", occurred_on=TODAY - timedelta(days=10))
    EngagementFactory(kind="phone_call", occurred_on=TODAY - timedelta(days=5))

    def count(query):
        return officer_client.get(f"/communications/engagements/?{query}").context["filter"].qs.count()

    assert count("kind=workshop") == 2
    assert count(f"kind=workshop&date_from={(TODAY - timedelta(days=30)).isoformat()}") == 1
    assert count(f"date_to={(TODAY - timedelta(days=30)).isoformat()}") == 1
    assert count("organization=comptoir kapok") == 1
    assert count("q=kapok") == 1


def _list_queries(client, n):
    for _ in range(n):
        EngagementFactory(organizations=[OrganizationFactory(), OrganizationFactory()])
    with CaptureQueriesContext(connection) as context:
        client.get("/communications/engagements/")
    return len(context)


def test_the_engagement_list_costs_the_same_queries_for_5_or_40_rows(officer_client):
    assert _list_queries(officer_client, 5) == _list_queries(officer_client, 35)


@pytest.mark.parametrize("path", ["", "new/", "1/", "1/edit/", "1/history/"])
def test_pages_answer(officer_client, officer, path):
    EngagementFactory(pk=1, author=officer)
    assert officer_client.get(f"/communications/engagements/{path}").status_code == 200


def test_merging_organizations_moves_their_engagements(manager_client):
    survivor, duplicate = OrganizationFactory(), OrganizationFactory()
    shared = EngagementFactory(organizations=[survivor, duplicate])
    only_duplicate = EngagementFactory(organizations=[duplicate])
    manager_client.post(f"/stakeholders/organizations/{survivor.pk}/merge/", {"other": duplicate.pk, "keep": "this"})
    assert list(shared.organizations.all()) == [survivor]
    assert list(only_duplicate.organizations.all()) == [survivor]
