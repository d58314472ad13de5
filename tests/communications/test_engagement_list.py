"""The engagements list: held ones newest first by default, planned ones in their own tab, and an
export without filters that holds every engagement (as the export command does)."""

import csv
import io
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from tests.factories import EngagementFactory

TODAY = timezone.localdate()


def _titles(response) -> list[str]:
    return [row.record.title for row in response.context["table"].page.object_list]


def test_a_meeting_logged_today_is_on_page_1_of_the_default_view(officer_client, officer):
    for days in range(1, 61):  # more planned engagements than a page holds, all after today
        EngagementFactory(title=f"Planned {days}", occurred_on=TODAY + timedelta(days=days), is_held=False)
    for days in range(1, 6):
        EngagementFactory(title=f"Held {days}", occurred_on=TODAY - timedelta(days=days))
    response = officer_client.post(
        "/communications/engagements/new/",
        {
            "occurred_on": TODAY.isoformat(),
            "kind": "meeting",
            "title": "Meeting at Diboli",
            "mode": "in_person",
            "organizations": EngagementFactory(occurred_on=TODAY - timedelta(days=400)).organizations.get().name,
            "follow_ups-TOTAL_FORMS": "0",
            "follow_ups-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    page = officer_client.get("/communications/engagements/")
    titles = _titles(page)
    assert titles[0] == "Meeting at Diboli"
    assert not any(title.startswith("Planned") for title in titles)
    assert titles[1:6] == [f"Held {days}" for days in range(1, 6)]


def test_planned_engagements_are_in_their_own_tab_soonest_first(officer_client):
    EngagementFactory(title="Held", occurred_on=TODAY - timedelta(days=2))
    EngagementFactory(title="Later", occurred_on=TODAY + timedelta(days=20), is_held=False)
    EngagementFactory(title="Soon", occurred_on=TODAY + timedelta(days=3), is_held=False)
    default = officer_client.get("/communications/engagements/")
    body = default.content.decode()
    assert 'href="?held=no"' in body
    assert 'aria-current="page"' in body
    assert _titles(default) == ["Held"]
    planned = officer_client.get("/communications/engagements/?held=no")
    assert _titles(planned) == ["Soon", "Later"]
    assert _titles(officer_client.get("/communications/engagements/?held=all")) == ["Later", "Soon", "Held"]
    # The page's own export buttons download what the tab shows.
    assert "held=yes&amp;_export=csv" in body
    assert "held=no&amp;_export=csv" in planned.content.decode()


def test_an_export_without_filters_holds_every_engagement_as_the_command_does(officer_client, capsys):
    EngagementFactory(title="Held", occurred_on=TODAY - timedelta(days=2))
    EngagementFactory(title="Planned", occurred_on=TODAY + timedelta(days=3), is_held=False)
    page = b"".join(officer_client.get("/communications/engagements/?_export=csv").streaming_content)
    page_titles = sorted(row["title"] for row in csv.DictReader(io.StringIO(page.decode("utf-8-sig"))))
    capsys.readouterr()
    call_command("export", "engagements")
    command = capsys.readouterr().out
    command_titles = sorted(row["title"] for row in csv.DictReader(io.StringIO(command.lstrip("\ufeff"))))
    assert page_titles == command_titles == ["Held", "Planned"]


def test_the_list_says_how_many_engagements_match(officer_client):
    EngagementFactory.create_batch(3, occurred_on=TODAY)
    EngagementFactory(occurred_on=TODAY + timedelta(days=3), is_held=False)
    assert "3 engagements" in officer_client.get("/communications/engagements/").content.decode()
    assert "1 engagement<" in officer_client.get("/communications/engagements/?held=no").content.decode()
    french = officer_client.get("/communications/engagements/?held=no", HTTP_ACCEPT_LANGUAGE="fr")
    assert "1 échange<" in french.content.decode()
