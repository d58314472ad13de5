"""Two people edit the same record: the second save is refused with what changed, not lost."""

import re

from communications.models import Engagement
from tests.factories import EngagementFactory, OrganizationFactory
from tests.form_pages import form_data

NAME_CHANGE = "Name “Transit Saloum” → “Transit Saloum SA”"


def test_the_second_save_of_an_organization_is_refused_with_what_changed(client, officer, manager, django_user_model):
    organization = OrganizationFactory(name="Transit Saloum", city="Kaolack")
    url = f"/stakeholders/organizations/{organization.pk}/edit/"
    client.force_login(officer)
    first = form_data(client.get(url))
    second = dict(first)  # a colleague opened the same page at the same time

    first["name"] = "Transit Saloum SA"
    assert client.post(url, first).status_code == 302

    second["city"] = "Kaolack-Est"
    response = client.post(url, second)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this record after you opened it" in body
    assert NAME_CHANGE in body
    assert 'value="Kaolack-Est"' in body  # what was typed is still there
    organization.refresh_from_db()
    assert (organization.name, organization.city) == ("Transit Saloum SA", "Kaolack")

    # The page now shows the colleague's new name (this user left the name alone) with their city;
    # saving again, knowing what changed, keeps both changes.
    assert 'value="Transit Saloum SA"' in body
    again = form_data(response)
    assert client.post(url, again).status_code == 302
    organization.refresh_from_db()
    assert (organization.name, organization.city) == ("Transit Saloum SA", "Kaolack-Est")


def test_a_field_both_changed_keeps_what_this_user_typed(officer_client):
    organization = OrganizationFactory(name="Transit Saloum", city="Kaolack")
    url = f"/stakeholders/organizations/{organization.pk}/edit/"
    first = form_data(officer_client.get(url))
    second = dict(first)
    first["city"] = "Fatick"
    officer_client.post(url, first)
    second["city"] = "Kaffrine"
    body = officer_client.post(url, second).content.decode()
    assert 'value="Kaffrine"' in body
    assert "City “Kaolack” → “Fatick”" in body


def test_a_save_without_a_collision_is_not_bothered(officer_client):
    organization = OrganizationFactory(name="Union Néré")
    url = f"/stakeholders/organizations/{organization.pk}/edit/"
    for city in ("Tambacounda", "Kédougou"):  # two saves in a row from fresh pages
        data = form_data(officer_client.get(url))
        data["city"] = city
        assert officer_client.post(url, data).status_code == 302
    organization.refresh_from_db()
    assert organization.city == "Kédougou"


def test_the_second_save_of_an_engagement_is_refused_in_french(client, officer):
    engagement = EngagementFactory(author=officer, title="Atelier intégrité")
    engagement.save()  # a first history entry, as the logging service makes
    url = f"/communications/engagements/{engagement.pk}/edit/"
    client.force_login(officer)
    headers = {"Accept-Language": "fr"}
    first = form_data(client.get(url, headers=headers))
    second = dict(first)
    first["title"] = "Atelier intégrité, Dakar"
    assert client.post(url, first, headers=headers).status_code == 302

    second["summary"] = "Engagements pris par les transitaires"
    response = client.post(url, second, headers=headers)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Quelqu’un d’autre a enregistré" in body
    assert re.search(r"“Atelier intégrité” → “Atelier intégrité, Dakar”", body)
    assert Engagement.objects.get().title == "Atelier intégrité, Dakar"
