"""Words and dates as users read them: English dates day first (as the administrations using the CRM
write them), one date format per page, plurals from the catalogue, and labels that say what they mean."""

from datetime import date

from django.utils import formats, translation

from communications.models import Campaign, Engagement
from tests.factories import EngagementFactory, FollowUpFactory, OrganizationFactory


def test_english_dates_are_written_day_first(officer_client):
    EngagementFactory(title="Atelier de Kidira", occurred_on=date(2026, 3, 9))
    body = officer_client.get("/communications/engagements/?held=all").content.decode()
    assert "09/03/2026" in body
    assert "03/09/2026" not in body
    with translation.override("en"):
        assert formats.date_format(date(2026, 3, 9)) == "9 March 2026"


def test_english_forms_read_a_day_first_date(officer_client, officer):
    organization = OrganizationFactory(name="Comptoir Kapok")
    response = officer_client.post(
        "/communications/engagements/new/",
        {
            "occurred_on": "09/03/2026",
            "kind": "meeting",
            "title": "Meeting in Kayes",
            "mode": "in_person",
            "organizations": organization.name,
            "follow_ups-TOTAL_FORMS": "0",
            "follow_ups-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert Engagement.objects.get(title="Meeting in Kayes").occurred_on == date(2026, 3, 9)


def test_the_follow_ups_list_writes_every_date_the_same_way(officer_client, officer):
    engagement = EngagementFactory(title="Visit of Diboli", occurred_on=date(2023, 12, 14), author=officer)
    FollowUpFactory(engagement=engagement, owner=officer, due_on=date(2023, 12, 24))
    body = officer_client.get("/communications/follow-ups/").content.decode()
    assert "24/12/2023" in body
    assert "14/12/2023" in body
    assert "2023-12-14" not in body.replace('datetime="2023-12-14"', "")


def test_the_campaign_owner_is_not_called_the_relationship_owner_in_french(manager_client, manager):
    Campaign.objects.create(name="Journée anticorruption", owner=manager)
    body = manager_client.get("/communications/campaigns/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert ">Responsable<" in body
    assert "Responsable de la relation" not in body


def test_women_among_participants_take_the_plural_of_their_number(officer_client):
    one = EngagementFactory(participants=4, women_participants=1)
    two = EngagementFactory(participants=4, women_participants=2)
    french = officer_client.get(f"/communications/engagements/{one.pk}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "dont 1 femme<" in french.content.decode()
    assert "1 woman<" in officer_client.get(f"/communications/engagements/{one.pk}/").content.decode()
    assert "2 women<" in officer_client.get(f"/communications/engagements/{two.pk}/").content.decode()


def test_one_participant_is_singular_and_a_due_date_is_written_as_dates_are(officer_client, officer):
    organization = OrganizationFactory()
    response = officer_client.post(
        "/communications/engagements/new/",
        {
            "occurred_on": "2026-03-09",
            "kind": "meeting",
            "title": "Call",
            "mode": "phone",
            "organizations": organization.name,
            "participants": "1",
            "women_participants": "2",
            "follow_ups-TOTAL_FORMS": "1",
            "follow_ups-INITIAL_FORMS": "0",
            "follow_ups-0-description": "Send the minutes",
            "follow_ups-0-owner": str(officer.pk),
            "follow_ups-0-due_on": "2026-03-01",
        },
    )
    body = response.content.decode()
    assert "Cannot be more than the 1 participant." in body
    assert "(09/03/2026)" in body
    assert "2026-03-09)" not in body


def test_a_survey_group_of_one_respondent_is_singular(manager_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "cips.csv", b"wave,year,respondent_group,key_factor,score,respondents\nCIPS,2024,brokers,leadership,50,1\n"
    )
    body = manager_client.post("/dashboard/survey/", {"file": upload}).content.decode()
    assert "1 respondent:" in body
