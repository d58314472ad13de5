"""Colleagues are active accounts holding a role: the only people the pages, the API and the imports
offer or accept as staff present, follow-up owners and relationship owners. An account without a
role (waiting for one, or whose role was taken away) or a deactivated one is neither offered nor
accepted, and the pickers stay the size of the team however many such accounts there are."""

import json
import re

import pytest
from django.test import Client

from communications.models import Campaign, Engagement, FollowUp
from crm.accounts.roles import Role
from stakeholders.models import Organization
from tests.api.conftest import bearer
from tests.factories import EngagementFactory, FollowUpFactory, OrganizationFactory, UserFactory
from tests.form_pages import form_data


@pytest.fixture
def team(db):
    return {
        "manager": UserFactory(role=Role.MANAGER, email="awa.manager@example.test"),
        "waiting": UserFactory(email="no.role@example.test"),
        "gone": UserFactory(role=Role.OFFICER, email="left@example.test", is_active=False),
    }


def options(page: str, name: str) -> set[str]:
    """The values of a <select>'s options."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, name
    return set(re.findall(r'<option value="(\d+)"', select.group(1)))


def test_the_engagement_form_offers_colleagues_only(officer_client, officer, team):
    page = officer_client.get("/communications/engagements/new/").content.decode()
    offered = {str(officer.pk), str(team["manager"].pk)}
    assert options(page, "staff") == offered
    assert options(page, "follow_ups-0-owner") == offered


def test_an_account_without_a_role_is_refused_as_staff_present(officer_client, officer, team):
    organization = OrganizationFactory(name="Transit Sahel", registration_number="RC-TS")
    response = officer_client.post(
        "/communications/engagements/new/",
        {
            "occurred_on": "2026-01-10",
            "kind": "meeting",
            "title": "Release times",
            "organizations": "RC-TS",
            "mode": "in_person",
            "staff": [officer.pk, team["waiting"].pk],
            "follow_ups-TOTAL_FORMS": "0",
            "follow_ups-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "staff" in response.context["form"].errors
    assert not Engagement.objects.filter(organizations=organization).exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "No active user with a role has this e-mail address."),
        ("fr", "Aucun utilisateur actif doté d’un rôle n’a cette adresse e-mail."),
    ],
)
def test_an_organization_cannot_be_given_to_an_account_without_a_role(officer_client, team, language, message):
    response = officer_client.post(
        "/stakeholders/organizations/new/",
        {"name": "Ets Diallo", "type": "importer", "sector": "trade", "owner": "no.role@example.test"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'value="no.role@example.test"' in response.content.decode()  # what was typed is shown again
    assert not Organization.objects.filter(name="Ets Diallo").exists()


def test_owner_suggestions_name_colleagues_only(officer_client, team):
    page = officer_client.get("/stakeholders/suggest/owners/", {"q": "example"}).content.decode()
    assert "awa.manager@example.test" in page
    assert "no.role@example.test" not in page
    assert "left@example.test" not in page


def api_call_logged(user, *, staff: list, owner):
    """A call logged through the API by `user`, with `staff` present and a follow-up for `owner`."""
    return bearer(user).post(
        "/api/v1/engagements/",
        json.dumps(
            {
                "occurred_on": "2026-01-10",
                "kind": "phone_call",
                "title": "T",
                "organizations": [OrganizationFactory().pk],
                "staff": [person.email for person in staff],
                "follow_ups": [{"description": "Send it", "owner": owner.email, "due_on": "2026-01-20"}],
            }
        ),
        content_type="application/json",
    )


def test_the_api_refuses_an_account_without_a_role_naming_the_field(officer, team):
    response = api_call_logged(officer, staff=[team["manager"], team["waiting"]], owner=team["waiting"])
    assert response.status_code == 400
    assert {"staff", "follow_ups.0.owner"} <= set(response.json()["errors"])
    assert not Engagement.objects.exists()


def test_the_api_takes_colleagues(officer, team):
    response = api_call_logged(officer, staff=[team["manager"]], owner=team["manager"])
    assert response.status_code == 201, response.content
    assert [user.email for user in Engagement.objects.get().staff.all()] == [team["manager"].email]


def test_a_superuser_without_a_role_is_a_colleague(db):
    root = UserFactory(email="root@example.test", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(root)
    page = client.get("/communications/engagements/new/").content.decode()
    assert str(root.pk) in options(page, "staff")
    OrganizationFactory(registration_number="RC-ROOT")
    response = client.post(
        "/communications/engagements/new/",
        {
            "occurred_on": "2026-01-10",
            "kind": "meeting",
            "title": "With the director",
            "organizations": "RC-ROOT",
            "mode": "in_person",
            "staff": [root.pk],
            "follow_ups-TOTAL_FORMS": "0",
            "follow_ups-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert list(Engagement.objects.get().staff.all()) == [root]


@pytest.fixture
def former(db):
    """Someone who did the work, then lost their role (still active)."""
    return UserFactory(role=Role.OFFICER, email="former@example.test")


def _lose_role(user):
    user.groups.clear()


def test_what_someone_who_lost_their_role_holds_can_be_saved_as_it_is(manager_client, manager, former):
    organization = OrganizationFactory(name="Transit Sahel", owner=former)
    campaign = Campaign.objects.create(name="Integrity day", owner=former)
    follow_up = FollowUpFactory(owner=former, engagement=EngagementFactory(author=manager))
    _lose_role(former)
    for url in (
        f"/stakeholders/organizations/{organization.pk}/edit/",
        f"/communications/campaigns/{campaign.pk}/edit/",
        f"/communications/follow-ups/{follow_up.pk}/edit/",
    ):
        page = manager_client.get(url)
        data = form_data(page)
        if "due_on" in data:
            data["due_on"] = "2027-01-31"
        response = manager_client.post(url, data)
        assert response.status_code == 302, (url, response.context["form"].errors)
    assert Organization.objects.get(pk=organization.pk).owner == former
    assert Campaign.objects.get(pk=campaign.pk).owner == former
    assert FollowUp.objects.get(pk=follow_up.pk).owner == former
    # ...but nothing new is given to them.
    page = manager_client.get("/communications/engagements/new/").content.decode()
    assert str(former.pk) not in options(page, "staff")


def test_the_api_sends_back_as_read_what_someone_who_lost_their_role_holds(manager, former):
    engagement = EngagementFactory(author=manager)
    engagement.staff.add(former, manager)
    follow_up = FollowUpFactory(owner=former, engagement=engagement)
    organization = OrganizationFactory(owner=former)
    _lose_role(former)
    api = bearer(manager)
    for url, field in (
        (f"/api/v1/engagements/{engagement.pk}/", "staff"),
        (f"/api/v1/follow-ups/{follow_up.pk}/", "owner"),
        (f"/api/v1/organizations/{organization.pk}/", "owner"),
    ):
        read = api.get(url).json()[field]
        response = api.patch(url, json.dumps({field: read}), content_type="application/json")
        assert response.status_code == 200, (url, response.content)
        assert response.json()[field] == read
    refused = api.patch(
        f"/api/v1/organizations/{OrganizationFactory(owner=manager).pk}/",
        json.dumps({"owner": former.email}),
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert "owner" in refused.json()["errors"]
