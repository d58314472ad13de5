"""Campaigns: audience as a saved filter, progress against targets counted by hand, exports."""

import csv
import io
from datetime import timedelta

from django.utils import timezone

from communications.campaigns import campaign_progress
from communications.models import Campaign, Commitment
from tests.factories import ContactFactory, EngagementFactory, OrganizationFactory, RegionFactory

TODAY = timezone.localdate()


def _campaign(**extra):
    return Campaign.objects.create(
        **{
            "name": "Anti-Corruption Day",
            "status": "active",
            "starts_on": TODAY - timedelta(days=30),
            "ends_on": TODAY + timedelta(days=10),
            "audience_query": "type=customs_broker&region=Kayes",
            "target_reached": 4,
            "target_events": 2,
            "target_commitments": 1,
        }
        | extra
    )


def test_progress_is_counted_from_the_linked_engagements(db):
    kayes = RegionFactory(name="Kayes")
    brokers = [OrganizationFactory(type="customs_broker", region=kayes) for _ in range(3)]
    outsider = OrganizationFactory(type="bank", region=kayes)
    campaign = _campaign()
    event = EngagementFactory(
        campaign=campaign, occurred_on=TODAY - timedelta(days=5), organizations=[brokers[0], outsider]
    )
    EngagementFactory(
        campaign=campaign, occurred_on=TODAY - timedelta(days=60), organizations=[brokers[1]]
    )  # before the campaign
    EngagementFactory(
        campaign=campaign, occurred_on=TODAY + timedelta(days=3), is_held=False, organizations=[brokers[2]]
    )  # planned
    EngagementFactory(occurred_on=TODAY, organizations=[brokers[2]])  # not linked to the campaign
    signed = Commitment.objects.create(type="mou", title="MoU", status="signed", engagement=event, author=event.author)
    signed.parties.add(brokers[0])
    progress = campaign_progress(campaign)
    assert progress.audience == 3  # brokers in Kayes; the bank is not in the audience
    assert (progress.reached.done, progress.reached.target, progress.reached.percent) == (1, 4, 25)
    assert progress.events.done == 2  # two held engagements linked (the planned one does not count)
    assert progress.commitments.done == 1
    assert progress.commitments.percent == 100


def test_a_manager_creates_a_campaign_with_its_audience(manager_client, manager):
    RegionFactory(name="Kayes")
    response = manager_client.post(
        "/communications/campaigns/new/",
        {
            "name": "Integrity week",
            "status": "planned",
            "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY + timedelta(days=7)).isoformat(),
            "owner": manager.email,
            "key_factors": ["transparency"],
            "channels": ["radio", "sms"],
            "target_reached": "10",
            "audience-type": ["customs_broker", "freight_forwarder"],
            "audience-region": "kayes",
        },
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/communications/campaigns/{campaign.pk}/"
    assert campaign.audience_query == "type=customs_broker&type=freight_forwarder&region=kayes"
    assert campaign.channel_codes == ["radio", "sms"]
    assert [k.code for k in campaign.key_factors.all()] == ["transparency"]
    page = manager_client.get(f"/communications/campaigns/{campaign.pk}/edit/").content.decode()
    assert 'value="customs_broker" selected' in page or 'value="customs_broker"  selected' in page


def test_the_audience_size_is_shown_as_the_filters_change(manager_client):
    OrganizationFactory.create_batch(2, type="bank")
    OrganizationFactory(type="media")
    body = manager_client.get("/communications/campaigns/audience-size/?audience-type=bank").content.decode()
    assert "The audience holds 2 organizations." in body


def test_a_campaign_cannot_end_before_it_starts_and_officers_cannot_create_one(client, manager, officer):
    client.force_login(officer)
    assert client.get("/communications/campaigns/new/").status_code == 403
    client.force_login(manager)
    response = client.post(
        "/communications/campaigns/new/",
        {
            "name": "x",
            "status": "planned",
            "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY - timedelta(days=1)).isoformat(),
        },
    )
    assert "The campaign cannot end before it starts." in response.content.decode()


def test_the_mailing_list_holds_the_audience_contacts_who_consented(manager_client):
    kayes = RegionFactory(name="Kayes")
    broker = OrganizationFactory(type="customs_broker", region=kayes)
    ContactFactory(organization=broker, consent=True, last_name="Yes", preferred_language="fr")
    ContactFactory(organization=broker, consent=False, last_name="No")
    ContactFactory(organization=OrganizationFactory(type="bank", region=kayes), consent=True, last_name="Outside")
    campaign = _campaign()
    content = b"".join(
        manager_client.get(f"/communications/campaigns/{campaign.pk}/mailing-list/?_export=csv").streaming_content
    )
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert [r["last_name"] for r in rows] == ["Yes"]
    assert rows[0]["preferred_language"] == "fr"
    assert list(rows[0])[:6] == ["first_name", "last_name", "organization", "email", "phone", "preferred_language"]


def test_the_audience_not_reached_is_listed_and_exported(manager_client):
    kayes = RegionFactory(name="Kayes")
    reached = OrganizationFactory(name="Reached", type="customs_broker", region=kayes)
    OrganizationFactory(name="Waiting", type="customs_broker", region=kayes)
    campaign = _campaign()
    EngagementFactory(campaign=campaign, occurred_on=TODAY, organizations=[reached])
    page = manager_client.get(f"/communications/campaigns/{campaign.pk}/").content.decode()
    assert "Waiting" in page
    assert "1 of 4 (25%)" in page
    content = b"".join(
        manager_client.get(f"/communications/campaigns/{campaign.pk}/not-reached/?_export=csv").streaming_content
    )
    assert [r["name"] for r in csv.DictReader(io.StringIO(content.decode("utf-8-sig")))] == ["Waiting"]
    report = manager_client.get(f"/communications/campaigns/{campaign.pk}/report/")
    assert report.status_code == 200
    assert "Printed on" in report.content.decode()


def test_the_campaigns_export_has_the_contract_columns(manager_client):
    _campaign()
    content = b"".join(manager_client.get("/communications/campaigns/?_export=csv").streaming_content)
    row = next(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    columns = [
        "name",
        "status",
        "starts_on",
        "ends_on",
        "audience",
        "reached",
        "target_reached",
        "events",
        "target_events",
        "commitments",
        "target_commitments",
    ]
    assert list(row)[: len(columns)] == columns
    assert (row["target_reached"], row["reached"], row["events"]) == ("4", "0", "0")


def test_an_audience_of_my_organizations_is_saved_with_my_address(manager_client, manager):
    OrganizationFactory(owner=manager)
    manager_client.post(
        "/communications/campaigns/new/",
        {"name": "Mine", "status": "planned", "owner": manager.email, "audience-owner": "me"},
    )
    campaign = Campaign.objects.get()
    assert campaign.audience_query == f"owner={manager.email.replace('@', '%40')}"
    assert campaign_progress(campaign).audience == 1


def test_an_audience_that_became_invalid_is_flagged(manager_client):
    campaign = _campaign(audience_query="type=nonsense")
    assert (
        "The saved audience filters are no longer valid"
        in manager_client.get(f"/communications/campaigns/{campaign.pk}/").content.decode()
    )
