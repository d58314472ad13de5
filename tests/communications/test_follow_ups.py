from datetime import timedelta

import pytest
from django.utils import timezone

from communications.models import FollowUp
from tests.factories import EngagementFactory, FollowUpFactory, UserFactory

TODAY = timezone.localdate()


def test_the_list_shows_my_open_follow_ups_overdue_first(officer_client, officer, manager):
    later = FollowUpFactory(owner=officer, due_on=TODAY + timedelta(days=5), description="Later")
    overdue = FollowUpFactory(owner=officer, due_on=TODAY - timedelta(days=2), description="Late one")
    FollowUpFactory(owner=officer, status="done", description="Finished")
    FollowUpFactory(owner=manager, description="Someone else's")
    response = officer_client.get("/communications/follow-ups/")
    rows = list(response.context["table"].page.object_list.data)
    assert [r.description for r in rows] == ["Late one", "Later"]
    assert "overdue" in response.content.decode()
    everyone = officer_client.get("/communications/follow-ups/?owner=all").context["table"].paginator.count
    assert everyone == 3  # open ones of everybody
    assert overdue.is_overdue
    assert not later.is_overdue


def test_done_in_one_click_with_htmx_and_the_date_is_recorded(officer_client, officer):
    follow_up = FollowUpFactory(owner=officer)
    response = officer_client.post(f"/communications/follow-ups/{follow_up.pk}/done/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Reopen" in response.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.status == "done"
    assert follow_up.completed_on == TODAY
    officer_client.post(f"/communications/follow-ups/{follow_up.pk}/done/", {"action": "reopen"})
    follow_up.refresh_from_db()
    assert follow_up.status == "open"
    assert follow_up.completed_on is None


def test_nobody_else_closes_a_follow_up_silently(client, officer, manager):
    follow_up = FollowUpFactory(owner=officer)
    client.force_login(UserFactory(role="Outreach officer"))
    assert client.post(f"/communications/follow-ups/{follow_up.pk}/done/").status_code == 403
    client.force_login(manager)
    client.post(f"/communications/follow-ups/{follow_up.pk}/done/")
    follow_up.refresh_from_db()
    assert follow_up.status == "done"
    assert follow_up.history.first().history_change_reason.startswith("Status changed by")
    assert follow_up.history.first().history_user == manager


def test_a_follow_up_is_reassigned_and_the_change_recorded(officer_client, officer, manager):
    follow_up = FollowUpFactory(owner=officer, engagement=EngagementFactory(author=officer, occurred_on=TODAY))
    response = officer_client.post(
        f"/communications/follow-ups/{follow_up.pk}/edit/",
        {"description": "Send the minutes", "owner": manager.pk, "due_on": TODAY.isoformat(), "status": "in_progress"},
    )
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.owner == manager
    assert follow_up.status == "in_progress"
    assert follow_up.history.first().history_change_reason.startswith("Reassigned by")


def test_a_follow_up_cannot_fall_due_before_its_engagement(officer_client, officer):
    follow_up = FollowUpFactory(owner=officer, engagement=EngagementFactory(author=officer, occurred_on=TODAY))
    response = officer_client.post(
        f"/communications/follow-ups/{follow_up.pk}/edit/",
        {"description": "x", "owner": officer.pk, "due_on": (TODAY - timedelta(days=1)).isoformat(), "status": "open"},
    )
    assert "Due before the engagement itself" in response.content.decode()
    assert FollowUp.objects.get().due_on == TODAY


def test_open_follow_ups_are_asked_with_literal_codes_so_sqlite_uses_their_index(db):
    from communications.choices import OPEN_FOLLOW_UP_STATUSES

    sql = str(FollowUp.objects.filter(status__in_codes=OPEN_FOLLOW_UP_STATUSES).query)
    assert "IN ('open', 'in_progress')" in sql
    with pytest.raises(ValueError, match="vocabulary codes only"):
        str(FollowUp.objects.filter(status__in_codes=["open'); DROP TABLE x; --"]).query)
    with pytest.raises(ValueError, match="vocabulary codes only"):
        str(FollowUp.objects.filter(status__in_codes=["open\n"]).query)
    with pytest.raises(ValueError, match="not one string"):
        str(FollowUp.objects.filter(status__in_codes="open").query)
    FollowUpFactory(status="done")
    open_one = FollowUpFactory(status="in_progress")
    assert list(FollowUp.objects.filter(status__in_codes=OPEN_FOLLOW_UP_STATUSES)) == [open_one]
