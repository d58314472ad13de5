"""Defects found in review of the engagement log, each kept fixed by a test."""

from datetime import timedelta

from django.utils import timezone

from communications.models import Concern
from tests.factories import (
    ConcernFactory,
    ContactFactory,
    EngagementFactory,
    FollowUpFactory,
    OrganizationFactory,
    UserFactory,
)

TODAY = timezone.localdate()


def test_a_referral_cannot_be_undone(officer_client, officer):
    concern = ConcernFactory(
        author=officer, referred_to_internal_affairs=True, referral_reference="IA-SECRET", summary=""
    )
    response = officer_client.post(
        f"/communications/concerns/{concern.pk}/edit/",
        {
            "organization": concern.organization.name,
            "raised_on": TODAY.isoformat(),
            "summary": "now public",
            "status": "open",
        },
    )
    assert "A referral to Internal Affairs stays one." in response.content.decode()
    concern.refresh_from_db()
    assert concern.referred_to_internal_affairs
    assert concern.summary == ""


def test_an_account_without_a_role_sees_only_its_home(client, db):
    client.force_login(UserFactory())
    assert client.get("/").status_code == 200
    for path in [
        "/communications/engagements/?_export=csv",
        "/communications/concerns/",
        "/stakeholders/contacts/",
        "/communications/follow-ups/?owner=all",
        "/dashboard/",
    ]:
        assert client.get(path).status_code == 403, path


def test_administrators_cannot_give_themselves_a_role_in_the_back_office(client, administrator):
    client.force_login(administrator)
    page = client.get(f"/admin/crm/user/{administrator.pk}/change/").content.decode()
    assert 'name="groups"' not in page
    assert 'name="is_superuser"' not in page


def test_editing_keeps_archived_people_and_staff_who_left(officer_client, officer):
    organization = OrganizationFactory(name="Union Aïr", registration_number="RC-A")
    person = ContactFactory(organization=organization, is_archived=True)
    gone = UserFactory(is_active=False)
    engagement = EngagementFactory(author=officer, organizations=[organization], occurred_on=TODAY)
    engagement.contacts.add(person)
    engagement.staff.add(gone, officer)
    page = officer_client.get(f"/communications/engagements/{engagement.pk}/edit/")
    form = page.context["form"]
    data = {
        "occurred_on": TODAY.isoformat(),
        "kind": "meeting",
        "title": engagement.title,
        "organizations": "RC-A",
        "mode": "in_person",
        "contacts": [person.pk],
        "staff": [gone.pk, officer.pk],
        "follow_ups-TOTAL_FORMS": "0",
        "follow_ups-INITIAL_FORMS": "0",
    }
    assert form.contact_options()[0][0] == person
    response = officer_client.post(f"/communications/engagements/{engagement.pk}/edit/", data)
    assert response.status_code == 302
    assert list(engagement.contacts.all()) == [person]
    assert set(engagement.staff.all()) == {gone, officer}


def test_an_archived_organization_on_an_engagement_still_resolves(officer_client, officer):
    organization = OrganizationFactory(name="Union Baobab SARL", registration_number="", is_archived=True)
    engagement = EngagementFactory(author=officer, organizations=[organization], occurred_on=TODAY)
    response = officer_client.post(
        f"/communications/engagements/{engagement.pk}/edit/",
        {
            "occurred_on": TODAY.isoformat(),
            "kind": "meeting",
            "title": "x",
            "organizations": "Union Baobab SARL",
            "mode": "in_person",
            "follow_ups-TOTAL_FORMS": "0",
            "follow_ups-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302


def test_the_region_follows_the_organizations_on_edit(officer_client, officer):
    first = OrganizationFactory(registration_number="RC-1")
    second = OrganizationFactory(registration_number="RC-2")
    engagement = EngagementFactory(author=officer, organizations=[first], occurred_on=TODAY, region=first.region)
    officer_client.post(
        f"/communications/engagements/{engagement.pk}/edit/",
        {
            "occurred_on": TODAY.isoformat(),
            "kind": "meeting",
            "title": "x",
            "organizations": "RC-2",
            "mode": "in_person",
            "follow_ups-TOTAL_FORMS": "0",
            "follow_ups-INITIAL_FORMS": "0",
        },
    )
    engagement.refresh_from_db()
    assert engagement.region == second.region


def test_deleting_an_organization_others_refer_to_says_so(client, administrator):
    concern = ConcernFactory(referred_to_internal_affairs=True, referral_reference="IA-9", summary="")
    client.force_login(administrator)
    response = client.post(f"/stakeholders/organizations/{concern.organization_id}/delete/", follow=True)
    body = response.content.decode()
    assert "Other records refer to this organization" in body
    assert "IA-9" not in body
    assert Concern.objects.filter(pk=concern.pk).exists()


def test_an_absurd_due_within_is_an_error_not_a_crash(officer_client):
    assert officer_client.get("/communications/commitments/?due_within=99999999999").status_code == 200


def test_officers_see_no_buttons_for_follow_ups_they_cannot_change(officer_client, manager):
    follow_up = FollowUpFactory(owner=manager, engagement=EngagementFactory(author=manager))
    body = officer_client.get("/communications/follow-ups/?owner=all").content.decode()
    assert follow_up.description in body
    assert f"/communications/follow-ups/{follow_up.pk}/done/" not in body


def test_a_removed_engagement_has_no_history_page(manager_client):
    engagement = EngagementFactory(is_removed=True)
    assert manager_client.get(f"/communications/engagements/{engagement.pk}/history/").status_code == 404


def test_the_organizations_field_takes_a_bounded_number_of_names(officer_client):
    names = "; ".join(f"Org {i}" for i in range(40))
    body = officer_client.get(f"/communications/engagements/contact-options/?organizations={names}").content.decode()
    assert "contact-options" in body
    response = officer_client.post(
        "/communications/engagements/new/",
        {
            "occurred_on": (TODAY - timedelta(days=1)).isoformat(),
            "kind": "meeting",
            "title": "x",
            "organizations": names,
            "mode": "in_person",
            "follow_ups-TOTAL_FORMS": "0",
            "follow_ups-INITIAL_FORMS": "0",
        },
    )
    assert "At most 30 organizations." in response.content.decode()
