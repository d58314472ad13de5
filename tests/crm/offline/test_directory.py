"""The pickers' records for offline use: whole, then what changed since, removals included."""

from datetime import timedelta

import pytest
from django.utils import timezone

from stakeholders.personal_data import erase_contacts
from tests.factories import ContactFactory, OrganizationFactory

URL = "/api/v1/offline/directory/"


def test_it_needs_a_signed_in_user(client, db):
    assert client.get(URL).status_code == 401
    assert client.get("/api/v1/offline/session/").status_code == 401


def test_the_session_names_its_user_and_gives_a_csrf_token(officer_client):
    body = officer_client.get("/api/v1/offline/session/").json()
    page = officer_client.get("/").content.decode()
    assert f'data-offline-user="{body["user"]}"' in page
    assert len(body["csrf"]) >= 32


def test_the_first_copy_holds_the_active_organizations_and_their_active_people(officer_client):
    acacia = OrganizationFactory(name="Transit Acacia", registration_number="RC-1")
    gone = OrganizationFactory(name="Old Trading", is_archived=True)
    awa = ContactFactory(organization=acacia, first_name="Awa", last_name="Diallo", job_title="Director")
    ContactFactory(organization=acacia, is_archived=True)
    ContactFactory(organization=gone)
    body = officer_client.get(URL).json()
    assert body["full"] is True
    assert body["organizations"] == [[acacia.pk, "Transit Acacia", "RC-1"]]
    assert body["contacts"] == [[awa.pk, acacia.pk, "Awa", "Diallo", "Director"]]
    assert body["counts"] == {"organizations": 1, "contacts": 1}


def test_changes_since_bring_new_records_and_removals(officer_client):
    acacia = OrganizationFactory(name="Transit Acacia")
    baobab = OrganizationFactory(name="Baobab Freight")
    awa = ContactFactory(organization=acacia)
    moussa = ContactFactory(organization=baobab)
    first = officer_client.get(URL).json()
    later = timezone.now() + timedelta(seconds=1)
    assert officer_client.get(URL, {"since": later.isoformat()}).json()["organizations"] == []
    new = OrganizationFactory(name="Cola Logistics")
    baobab.is_archived = True
    baobab.save()
    erase_contacts([awa])
    body = officer_client.get(URL, {"since": first["as_of"]}).json()
    assert body["full"] is False
    assert [row[0] for row in body["organizations"]] == [new.pk]
    assert body["removed"]["organizations"] == [baobab.pk]
    assert set(body["removed"]["contacts"]) == {awa.pk, moussa.pk}
    assert body["counts"] == {"organizations": 2, "contacts": 0}


def test_a_malformed_since_is_refused_with_its_field(officer_client):
    response = officer_client.get(URL, {"since": "yesterday"})
    assert response.status_code == 400
    assert "since" in response.json()["errors"]


@pytest.mark.django_db
def test_5000_organizations_with_their_people_fit_in_2_mb(officer_client):
    from stakeholders.models import Contact, Organization

    organizations = Organization.objects.bulk_create(
        Organization(name=f"Transit et logistique du Sahel {n:04d} SARL", registration_number=f"ML-BKO-2019-B-{n:05d}")
        for n in range(5000)
    )
    Contact.objects.bulk_create(
        Contact(
            organization=organization,
            first_name="Fatoumata",
            last_name=f"Diallo-Traoré {n}",
            job_title="Directrice des opérations",
        )
        for organization in organizations
        for n in range(4)
    )
    response = officer_client.get(URL)
    assert len(response.content) < 2_000_000, len(response.content)
