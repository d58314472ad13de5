from django.core.management import call_command

from crm.models import ExportLog
from tests.factories import OrganizationFactory


def test_exports_are_logged_and_managers_read_the_log(client, officer, manager, capsys):
    OrganizationFactory.create_batch(3, type="bank")
    OrganizationFactory(type="media")
    client.force_login(officer)
    b"".join(client.get("/stakeholders/organizations/?type=bank&_export=csv").streaming_content)
    call_command("export", "organizations")
    capsys.readouterr()
    first, second = ExportLog.objects.order_by("pk")
    assert (first.user, first.dataset, first.format, first.rows, first.filters) == (
        officer,
        "organizations",
        "csv",
        3,
        "type=bank",
    )
    assert second.user is None
    assert second.rows == 4
    assert client.get("/exports/").status_code == 403  # officers do not read the log
    client.force_login(manager)
    body = client.get("/exports/").content.decode()
    assert "Organizations — Type: Bank" in body
    assert str(officer) in body


def test_the_log_says_in_words_what_was_exported(client, officer, manager, capsys):
    from communications.models import Campaign

    campaign = Campaign.objects.create(name="Journée anticorruption")
    OrganizationFactory(type="customs_broker")
    client.force_login(officer)
    b"".join(client.get("/stakeholders/organizations/?region=Kayes&type=customs_broker&_export=xlsx").streaming_content)
    b"".join(client.get(f"/communications/engagements/?campaign={campaign.pk}&held=no&_export=csv").streaming_content)
    call_command("export", "follow-ups", "--filter", "status=done", "--filter", "owner=all")
    capsys.readouterr()
    client.force_login(manager)
    body = client.get("/exports/").content.decode()
    assert "Organizations — Region: Kayes, Type: Customs broker" in body
    assert "Engagements — Campaign: Journée anticorruption, Held or planned: Planned" in body
    assert "Follow-ups — Status: Done, Who: all" in body
    assert "Excel" in body
    assert "type=customs_broker" not in body
    french = client.get("/exports/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Organisations — Région : Kayes, Type : Commissionnaire en douane" in french


def test_the_log_reads_an_unknown_filter_or_list_without_failing(manager_client):
    from crm.models import ExportLog

    ExportLog.objects.create(dataset="old-list", format="csv", filters="colour=blue&%zz", rows=1234)
    body = manager_client.get("/exports/").content.decode()
    assert "old-list — colour: blue" in body
    assert "1,234" in body
