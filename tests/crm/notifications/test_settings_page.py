"""Each user turns reminders and the digest off (and chooses the e-mails' language) on their account page."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from tests.factories import FollowUpFactory

pytestmark = pytest.mark.django_db


def test_an_officer_turns_the_reminders_off_and_gets_none(officer_client, officer):
    page = officer_client.get("/accounts/notifications/")
    assert page.status_code == 200
    assert "E-mails about my follow-ups" in page.content.decode()
    assert "Weekly digest" not in page.content.decode()  # managers only
    response = officer_client.post("/accounts/notifications/", {"preferred_language": "fr"})
    assert response.status_code == 302
    officer.refresh_from_db()
    assert (officer.wants_reminders, officer.preferred_language) == (False, "fr")
    FollowUpFactory(owner=officer, due_on=timezone.localdate())
    call_command("remind")
    assert mail.outbox == []


def test_a_manager_turns_the_digest_off(manager_client, manager):
    assert "Weekly digest" in manager_client.get("/accounts/notifications/").content.decode()
    manager_client.post("/accounts/notifications/", {"wants_reminders": "on"})
    manager.refresh_from_db()
    assert (manager.wants_reminders, manager.wants_digest) == (True, False)


def test_an_unknown_language_is_refused(officer_client, officer):
    response = officer_client.post("/accounts/notifications/", {"preferred_language": "xx"})
    assert response.status_code == 200
    officer.refresh_from_db()
    assert officer.wants_reminders is True


def test_the_page_is_in_the_account_menu(officer_client):
    assert 'href="/accounts/notifications/"' in officer_client.get("/accounts/calendar/").content.decode()
