"""Safe retries (Idempotency-Key) and the engagement create that adds organizations and people by
name: what the offline quick log sends, again and again if it must, without making anything twice."""

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from communications.models import Engagement
from crm.api import idempotency
from crm.models import IdempotencyKey
from stakeholders.models import Contact, Organization
from tests.api.conftest import bearer
from tests.factories import ContactFactory, OrganizationFactory

URL = "/api/v1/engagements/"


def post(client, data, key=None, **extra):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(URL, json.dumps(data), content_type="application/json", **headers, **extra)


@pytest.fixture
def meeting(db):
    organization = OrganizationFactory(name="Transit Baobab")
    return {
        "occurred_on": "2026-11-10",
        "kind": "meeting",
        "title": "Release times",
        "organizations": [organization.pk],
    }


def test_the_same_key_makes_the_record_once_and_answers_it_as_it_is_now(officer, meeting):
    client = bearer(officer)
    first = post(client, meeting, key="outbox-1")
    assert first.status_code == 201, first.content
    Engagement.objects.filter(pk=first.json()["id"]).update(title="Release times (edited since)")
    again = post(client, meeting, key="outbox-1")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["title"] == "Release times (edited since)"
    assert Engagement.objects.count() == 1
    entry = IdempotencyKey.objects.get()
    assert (entry.user, entry.status_code, entry.record_id) == (officer, 201, first.json()["id"])


def test_the_same_body_written_differently_is_the_same_request(officer, meeting):
    client = bearer(officer)
    assert post(client, meeting, key="k").status_code == 201
    reordered = dict(reversed(list(meeting.items())))
    assert post(client, reordered, key="k").status_code == 201
    assert Engagement.objects.count() == 1


def test_the_same_key_with_another_body_is_a_422(officer, meeting):
    client = bearer(officer)
    assert post(client, meeting, key="k").status_code == 201
    response = post(client, {**meeting, "title": "Another meeting"}, key="k")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert "another request" in response.json()["detail"]
    assert Engagement.objects.count() == 1


def test_the_same_key_while_the_first_runs_is_a_409_until_it_is_abandoned(officer, meeting):
    client = bearer(officer)
    body_hash = idempotency.fingerprint(_request_like(meeting))
    running = IdempotencyKey.objects.create(user=officer, key="k", request_hash=body_hash)
    assert post(client, meeting, key="k").status_code == 409
    IdempotencyKey.objects.filter(pk=running.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    assert post(client, meeting, key="k").status_code == 201  # the first one died: this one goes on
    assert Engagement.objects.count() == 1


def _request_like(data):
    class Request:
        path = URL

    request = Request()
    request.data = data
    return request


def test_a_refused_request_is_not_remembered_and_may_be_corrected(officer, meeting):
    client = bearer(officer)
    refused = post(client, {**meeting, "kind": "nonsense"}, key="k")
    assert refused.status_code == 400
    assert not IdempotencyKey.objects.exists()
    assert post(client, meeting, key="k").status_code == 201  # corrected, under the same key


def test_keys_belong_to_their_user(officer, manager, meeting):
    assert post(bearer(officer), meeting, key="one-key-two-users").status_code == 201
    assert post(bearer(manager), meeting, key="one-key-two-users").status_code == 201
    assert Engagement.objects.count() == 2


def test_keys_are_kept_thirty_days(officer, meeting):
    client = bearer(officer)
    assert post(client, meeting, key="old").status_code == 201
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(days=31))
    assert post(client, meeting, key="new").status_code == 201
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.parametrize("key", ["", "x" * 256, "clé-accentuée", "tab\there"])
def test_a_malformed_key_is_a_400_naming_the_header(officer, meeting, key):
    response = post(bearer(officer), meeting, key=key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert not Engagement.objects.exists()


def test_other_resources_honour_keys_too(officer):
    client = bearer(officer)
    body = {"name": "Groupe Néré", "type": "importer"}
    for _ in range(2):
        response = client.post(
            "/api/v1/organizations/", json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY="org-1"
        )
        assert response.status_code == 201
    assert Organization.objects.filter(name="Groupe Néré").count() == 1


def test_a_replay_of_a_record_since_removed_is_a_404(manager, meeting):
    client = bearer(manager)
    made = post(client, meeting, key="k").json()["id"]
    Engagement.objects.filter(pk=made).update(is_removed=True)
    assert post(client, meeting, key="k").status_code == 404


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's in-memory test database takes one writer")
@pytest.mark.django_db(transaction=True)
def test_two_sends_at_once_make_one_record(officer, meeting):
    client_a, client_b = bearer(officer), bearer(officer)
    answers = []

    def send(client):
        try:
            answers.append(post(client, meeting, key="race").status_code)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=send, args=(client,)) for client in (client_a, client_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Engagement.objects.count() == 1
    assert sorted(answers) in ([201, 201], [201, 409])


# Organizations and people met, added by name ---------------------------------------------------


def test_new_organizations_and_people_are_made_with_the_engagement(officer):
    known = OrganizationFactory(name="Transit Baobab")
    response = post(
        bearer(officer),
        {
            "occurred_on": "2026-11-10",
            "kind": "meeting",
            "title": "At the border post",
            "organizations": [known.pk],
            "new_organizations": [{"name": "Coopérative des Femmes de Diboli", "type": "trade_association"}],
            "new_contacts": [
                {"last_name": "Traoré", "first_name": "Mariam", "organization": "Coopérative des Femmes de Diboli"},
                {"last_name": "Keïta", "organization": str(known.pk), "email": "keita@baobab.example"},
            ],
        },
        key="field-1",
    )
    assert response.status_code == 201, response.content
    engagement = Engagement.objects.get(pk=response.json()["id"])
    cooperative = Organization.objects.get(name="Coopérative des Femmes de Diboli")
    assert set(engagement.organizations.all()) == {known, cooperative}
    assert {c.last_name for c in engagement.contacts.all()} == {"Traoré", "Keïta"}
    assert Contact.objects.get(last_name="Traoré").organization == cooperative
    assert cooperative.history.first().history_user == officer


def test_names_the_registry_knows_are_the_records_it_holds(officer):
    known = OrganizationFactory(name="Transit Baobab")
    person = ContactFactory(organization=known, email="awa@baobab.example")
    response = post(
        bearer(officer),
        {
            "occurred_on": "2026-11-10",
            "kind": "phone_call",
            "title": "Follow-up call",
            "new_organizations": [{"name": "transit baobab"}],
            "new_contacts": [{"last_name": "Diop", "email": "AWA@baobab.example", "organization": "Transit Baobab"}],
        },
    )
    assert response.status_code == 201, response.content
    assert Organization.objects.count() == 1
    assert Contact.objects.count() == 1
    engagement = Engagement.objects.get()
    assert list(engagement.organizations.all()) == [known]
    assert list(engagement.contacts.all()) == [person]


def test_a_refused_addition_writes_nothing_and_names_its_place(officer):
    response = post(
        bearer(officer),
        {
            "occurred_on": "2026-11-10",
            "kind": "meeting",
            "title": "At the border post",
            "new_organizations": [{"name": "Coopérative de Diboli", "type": "no-such-type"}],
        },
    )
    assert response.status_code == 400
    assert "new_organizations.0.type" in response.json()["errors"]
    assert not Organization.objects.exists()
    assert not Engagement.objects.exists()

    response = post(
        bearer(officer),
        {
            "occurred_on": "2026-11-10",
            "kind": "meeting",
            "title": "At the border post",
            "new_organizations": [{"name": "Coopérative de Diboli"}],
            "new_contacts": [{"last_name": "Traoré", "organization": "Somewhere Else"}],
        },
    )
    assert response.status_code == 400
    assert "new_contacts.0.organization" in response.json()["errors"]
    assert not Organization.objects.exists()  # the organization made first went back too


def test_an_engagement_needs_an_organization_met_known_or_new(officer):
    response = post(bearer(officer), {"occurred_on": "2026-11-10", "kind": "meeting", "title": "Alone"})
    assert response.status_code == 400
    assert "organizations" in response.json()["errors"]


def test_additions_only_when_the_engagement_is_logged(officer, meeting):
    client = bearer(officer)
    made = post(client, meeting).json()["id"]
    response = client.patch(
        f"{URL}{made}/", json.dumps({"new_organizations": [{"name": "Later"}]}), content_type="application/json"
    )
    assert response.status_code == 400
    assert not Organization.objects.filter(name="Later").exists()


def test_a_change_answers_with_the_organizations_saved(officer, meeting):
    client = bearer(officer)
    made = post(client, meeting).json()
    other = OrganizationFactory(name="Groupe Néré")
    response = client.patch(
        f"{URL}{made['id']}/", json.dumps({"organizations": [other.pk]}), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["organizations"] == [other.pk]
