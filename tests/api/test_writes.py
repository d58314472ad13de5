"""Creates and updates go through the services the forms use: the same rules and messages (in the
user's language), history under the acting user; bad input is a 400 naming the field, nothing written."""

import json
from datetime import date

import pytest

from communications.models import Concern, Engagement, FollowUp
from stakeholders.models import Organization
from tests.api.conftest import bearer
from tests.factories import ConcernFactory, ContactFactory, EngagementFactory, FollowUpFactory, OrganizationFactory


def post(client, url, data, **extra):
    return client.post(
        url, json.dumps(data) if not isinstance(data, str) else data, content_type="application/json", **extra
    )


def test_an_engagement_is_logged_with_its_follow_ups_and_history(officer):
    organization = OrganizationFactory()
    contact = ContactFactory(organization=organization)
    response = post(
        bearer(officer),
        "/api/v1/engagements/",
        {
            "occurred_on": "2026-01-10",
            "kind": "workshop",
            "title": "Release times",
            "organizations": [organization.pk],
            "contacts": [contact.pk],
            "staff": [officer.email.upper()],
            "key_factors": ["transparency"],
            "follow_ups": [{"description": "Send the minutes", "owner": officer.email, "due_on": "2026-01-20"}],
        },
    )
    assert response.status_code == 201, response.content
    engagement = Engagement.objects.get(pk=response.json()["id"])
    assert engagement.author == officer
    assert {h.history_user for h in engagement.history.all()} == {officer}
    assert [f.description for f in engagement.follow_ups.all()] == ["Send the minutes"]
    assert response.json()["follow_ups"][0]["owner"] == officer.email
    assert Organization.objects.get(pk=organization.pk).last_engaged_on == date(2026, 1, 10)


def test_the_services_rules_answer_in_the_users_language(officer):
    organization = OrganizationFactory()
    stranger = ContactFactory()
    response = post(
        bearer(officer),
        "/api/v1/engagements/",
        {
            "occurred_on": "2026-01-10",
            "kind": "meeting",
            "title": "T",
            "organizations": [organization.pk],
            "contacts": [stranger.pk],
            "follow_ups": [{"description": "Late", "owner": officer.email, "due_on": "2026-01-01"}],
        },
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"contacts", "follow_ups.0.due_on"}
    assert errors["follow_ups.0.due_on"][0].startswith("Échéance")
    assert not Engagement.objects.exists()
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("{not json", "body"),
        ({"title": "T", "kind": "meeting", "organizations": [1], "colour": "red"}, "colour"),
        ({"title": "T", "kind": "spaceship", "organizations": [1]}, "kind"),
        ({"title": "T", "kind": "meeting", "organizations": "1"}, "organizations"),
        ({"title": "T", "kind": "meeting", "organizations": [99999999999999999999999]}, "organizations"),
        ({"title": "T", "kind": "meeting", "organizations": [2**62]}, "organizations"),
        ({"title": "T", "kind": "meeting", "organizations": [True]}, "organizations"),
        ({"title": "T" * 201, "kind": "meeting", "organizations": [1]}, "title"),
        ({"title": "T", "kind": "meeting", "organizations": [1], "occurred_on": "2026-02-30"}, "occurred_on"),
        ({"title": "T", "kind": "meeting", "organizations": [1], "participants": -1}, "participants"),
        ({"title": "T", "kind": "meeting", "organizations": [1], "follow_ups": [{"x": 1}]}, "follow_ups.0.x"),
        ({"title": "T", "kind": "meeting", "organizations": list(range(1, 40))}, "organizations"),
        ([1, 2, 3], "non_field_errors"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(officer, body, field):
    OrganizationFactory()
    response = post(bearer(officer), "/api/v1/engagements/", body)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"], response.json()
    assert not Engagement.objects.exists()


def test_a_huge_id_in_the_path_is_a_404(officer_api, db):
    assert officer_api.get("/api/v1/engagements/99999999999999999999999/").status_code == 404
    assert officer_api.get("/api/v1/engagements/abc/")["Content-Type"] == "application/problem+json"


def test_an_organization_with_a_used_registration_number_or_a_similar_name(officer):
    existing = OrganizationFactory(name="Transit Baobab SARL", registration_number="RC-1")
    client = bearer(officer)
    clash = post(client, "/api/v1/organizations/", {"name": "Other", "registration_number": " rc-1 "})
    assert clash.status_code == 400
    assert "registration_number" in clash.json()["errors"]
    similar = post(client, "/api/v1/organizations/", {"name": "TRANSIT BAOBAB SARL"})
    assert similar.status_code == 400
    assert f"#{existing.pk}" in similar.json()["errors"]["name"][0]
    made = post(
        client, "/api/v1/organizations/", {"name": "TRANSIT BAOBAB SARL", "confirm_similar": True, "tags": ["Sahel"]}
    )
    assert made.status_code == 201
    assert made.json()["tags"] == ["Sahel"]
    assert made.json()["owner"] == officer.email
    assert {h.history_user for h in Organization.objects.get(pk=made.json()["id"]).history.all()} == {officer}


def test_a_contacts_consent_is_dated_and_sourced_as_on_the_form(officer):
    organization = OrganizationFactory()
    response = post(
        bearer(officer), "/api/v1/contacts/", {"last_name": "Diallo", "organization": organization.pk, "consent": True}
    )
    assert response.status_code == 201, response.content
    assert (
        response.json()["consent_date"]
        and officer.email in response.json()["consent_source"]
        or str(officer) in response.json()["consent_source"]
    )


def test_a_follow_up_is_updated_by_its_owner_and_the_change_recorded(officer, manager):
    follow_up = FollowUpFactory(
        owner=officer, engagement=EngagementFactory(author=officer, occurred_on=date(2026, 1, 1))
    )
    response = bearer(manager).patch(
        f"/api/v1/follow-ups/{follow_up.pk}/", {"status": "done"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    follow_up.refresh_from_db()
    assert follow_up.status == "done"
    assert follow_up.completed_on
    assert follow_up.history.first().history_user == manager


def test_a_concern_needs_a_summary_unless_referred_and_a_referral_keeps_no_narrative(officer):
    organization = OrganizationFactory()
    client = bearer(officer)
    missing = post(client, "/api/v1/concerns/", {"organization": organization.pk})
    assert missing.status_code == 400
    assert "summary" in missing.json()["errors"]
    referral = post(
        client,
        "/api/v1/concerns/",
        {
            "organization": organization.pk,
            "referred_to_internal_affairs": True,
            "summary": "names",
            "referral_reference": "IA-7",
        },
    )
    assert referral.status_code == 201, referral.content
    assert referral.json()["summary"] == ""
    assert Concern.objects.get().summary == ""


def test_campaigns_are_planned_by_managers_only(officer, manager):
    body = {
        "name": "Integrity week",
        "audience": "type=customs_broker",
        "channels": ["radio"],
        "key_factors": ["transparency"],
    }
    assert post(bearer(officer), "/api/v1/campaigns/", body).status_code == 403
    response = post(bearer(manager), "/api/v1/campaigns/", body)
    assert response.status_code == 201, response.content
    assert response.json()["channels"] == ["radio"]
    assert response.json()["owner"] == manager.email
    bad = post(bearer(manager), "/api/v1/campaigns/", body | {"audience": "type=spaceship"})
    assert bad.status_code == 400
    assert "audience" in bad.json()["errors"]


def test_deleting_an_organization_others_refer_to_is_a_409(administrator, officer):
    organization = OrganizationFactory()
    ConcernFactory(organization=organization, author=officer)
    assert bearer(officer).delete(f"/api/v1/organizations/{organization.pk}/").status_code == 403
    refused = bearer(administrator).delete(f"/api/v1/organizations/{organization.pk}/")
    assert refused.status_code == 409
    assert Organization.objects.filter(pk=organization.pk).exists()
    alone = OrganizationFactory()
    assert bearer(administrator).delete(f"/api/v1/organizations/{alone.pk}/").status_code == 204
