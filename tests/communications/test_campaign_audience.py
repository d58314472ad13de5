"""A finished campaign's audience is kept as it was: organizations created or imported after it
ended change neither its counts nor its report. A running campaign still follows its filter."""

import csv
import io
from datetime import timedelta

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communications.campaigns import campaign_progress
from communications.models import Campaign
from crm.lib import changes
from tests.factories import EngagementFactory, OrganizationFactory, RegionFactory

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
        }
        | extra
    )


def _brokers(n, **extra):
    kayes = RegionFactory(name="Kayes")
    return [OrganizationFactory(type="customs_broker", region=kayes, **extra) for _ in range(n)]


def _complete(client, campaign):
    """The manager marks the campaign completed with the edit form, as on the page."""
    return client.post(
        f"/communications/campaigns/{campaign.pk}/edit/",
        {
            "name": campaign.name,
            "status": "completed",
            "starts_on": campaign.starts_on.isoformat(),
            "ends_on": TODAY.isoformat(),
            "owner": "manager@example.test",
            "target_reached": "4",
            "audience-type": "customs_broker",
            "audience-region": "Kayes",
        },
    )


def _export_row(client, campaign):
    content = b"".join(client.get("/communications/campaigns/?_export=csv").streaming_content)
    rows = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
    return next(row for row in rows if row["name"] == campaign.name)


def test_a_completed_campaign_keeps_its_audience_after_an_import(manager_client, tmp_path, capsys):
    brokers = _brokers(3)
    campaign = _campaign()
    EngagementFactory(campaign=campaign, occurred_on=TODAY - timedelta(days=2), organizations=[brokers[0]])
    response = _complete(manager_client, campaign)
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.audience_kept_on == TODAY
    assert campaign.kept_audience.count() == 3

    sheet = tmp_path / "late.csv"
    sheet.write_text(
        "name,type,region,registration_number\nLate Broker,customs_broker,Kayes,RC-LATE-1\n", encoding="utf-8"
    )
    call_command("import_stakeholders", str(sheet))
    OrganizationFactory(name="Later Still", type="customs_broker", region=brokers[0].region)

    progress = campaign_progress(campaign)
    assert (progress.audience, progress.reached.done) == (3, 1)
    page = manager_client.get(f"/communications/campaigns/{campaign.pk}/").content.decode()
    assert "3 organizations" in page
    assert "Late Broker" not in page
    assert "Later Still" not in page
    report = manager_client.get(f"/communications/campaigns/{campaign.pk}/report/").content.decode()
    assert "Audience: 3 organizations." in report
    assert "Late Broker" not in report
    assert "Later Still" not in report
    row = _export_row(manager_client, campaign)
    assert (row["audience"], row["reached"]) == ("3", "1")
    listing = manager_client.get("/communications/campaigns/").content.decode()
    assert 'data-audience="3"' in listing
    assert 'data-reached="1"' in listing
    not_reached = b"".join(
        manager_client.get(f"/communications/campaigns/{campaign.pk}/not-reached/?_export=csv").streaming_content
    ).decode("utf-8-sig")
    assert "Late Broker" not in not_reached
    assert len(list(csv.DictReader(io.StringIO(not_reached)))) == 2


def test_the_kept_audience_opens_as_a_list_of_exactly_its_organizations(manager_client):
    brokers = _brokers(2)
    campaign = _campaign()
    _complete(manager_client, campaign)
    OrganizationFactory(name="Late Broker", type="customs_broker", region=brokers[0].region)
    page = manager_client.get(f"/communications/campaigns/{campaign.pk}/").content.decode()
    link = f"/stakeholders/organizations/?campaign_audience={campaign.pk}"
    assert link in page
    listing = manager_client.get(link).content.decode()
    assert "2 organizations" in listing
    assert "Late Broker" not in listing


def test_a_campaign_past_its_end_date_is_kept_at_its_first_reading(manager_client):
    _brokers(2)
    campaign = _campaign(starts_on=TODAY - timedelta(days=60), ends_on=TODAY - timedelta(days=1))
    assert campaign.audience_kept_on is None
    page = manager_client.get(f"/communications/campaigns/{campaign.pk}/").content.decode()
    assert "2 organizations" in page
    campaign.refresh_from_db()
    assert campaign.audience_kept_on == TODAY
    assert campaign.kept_audience.count() == 2
    assert campaign.history.first().history_change_reason  # audited, with why
    _brokers(1)
    assert campaign_progress(campaign).audience == 2
    assert "2 organizations" in manager_client.get(f"/communications/campaigns/{campaign.pk}/").content.decode()


def test_a_running_campaign_still_follows_its_filter(manager_client, django_capture_on_commit_callbacks):
    _brokers(2)
    campaign = _campaign()
    assert campaign_progress(campaign).audience == 2
    with django_capture_on_commit_callbacks(execute=True):
        _brokers(1)
        changes.record()  # as every writer of the registers does (the factories do not)
    assert campaign_progress(campaign).audience == 3
    campaign.refresh_from_db()
    assert campaign.audience_kept_on is None
    assert campaign.kept_audience.count() == 0


def test_reopening_a_completed_campaign_follows_its_filter_again(manager_client):
    _brokers(2)
    campaign = _campaign()
    _complete(manager_client, campaign)
    _brokers(1)
    campaign.refresh_from_db()
    campaign.status, campaign.ends_on = "active", TODAY + timedelta(days=5)
    from communications.campaigns import campaign_save

    campaign_save(campaign=campaign, key_factors=[], channels=[])
    assert campaign.audience_kept_on is None
    assert campaign_progress(campaign).audience == 3


def _read(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _list_queries(client, path):
    _read(client.get(path))  # a first reading keeps the audiences of the campaigns that ended
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        _read(response)
    assert response.status_code == 200
    return len(queries)


def _some_campaigns(n, brokers):
    for i in range(n):
        ended = i % 3 == 0
        campaign = _campaign(
            name=f"Campaign {i}",
            status="completed" if ended else "active",
            starts_on=TODAY - timedelta(days=90),
            ends_on=TODAY - timedelta(days=1) if ended else TODAY + timedelta(days=9),
        )
        EngagementFactory(campaign=campaign, occurred_on=TODAY - timedelta(days=3), organizations=brokers[:2])


def test_the_campaign_list_and_export_cost_the_same_for_3_or_9_campaigns(manager_client):
    brokers = _brokers(3)
    _some_campaigns(3, brokers)
    few = _list_queries(manager_client, "/communications/campaigns/")
    few_export = _list_queries(manager_client, "/communications/campaigns/?_export=csv")
    _some_campaigns(6, brokers)
    assert _list_queries(manager_client, "/communications/campaigns/") == few
    assert _list_queries(manager_client, "/communications/campaigns/?_export=csv") == few_export
    listing = manager_client.get("/communications/campaigns/").content.decode()
    assert listing.count('data-audience="3"') == 9
    assert listing.count('data-reached="2"') == 9


def test_a_kept_audience_follows_a_merge_to_the_survivor(manager_client):
    from stakeholders.services import organization_merge

    (duplicate,) = _brokers(1)
    campaign = _campaign()
    _complete(manager_client, campaign)
    survivor = OrganizationFactory(
        name="Same broker, entered later", type="customs_broker", region=RegionFactory(name="Sikasso")
    )  # outside the campaign's filter: only the kept audience counts it
    organization_merge(survivor=survivor, duplicate=duplicate)
    assert list(campaign.kept_audience.all()) == [survivor]
    campaign.refresh_from_db()  # completed by the page
    assert campaign_progress(campaign).audience == 1
