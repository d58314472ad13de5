"""The calendar page of a user's account (/accounts/calendar/): make a URL, see it once, revoke it,
download the events once."""

import re
from datetime import timedelta

import pytest
from django.test.utils import override_settings
from django.utils import timezone

from crm.accounts.roles import Role
from crm.models import CalendarFeed
from tests.crm.calendar.helpers import events, parse
from tests.factories import EngagementFactory, FollowUpFactory, UserFactory

PAGE = "/accounts/calendar/"
URL_FIELD = re.compile(r'id="calendar-url" value="(http://testserver/calendar/[\w-]+\.ics)"')


def _make(client) -> str:
    """Make a URL from the page; return it as the page shows it."""
    response = client.post("/accounts/calendar/new/", follow=True)
    assert response.redirect_chain == [(PAGE, 302)]
    return URL_FIELD.search(response.content.decode()).group(1)


def test_the_user_menu_leads_to_it(officer_client):
    assert f'href="{PAGE}"' in officer_client.get("/").content.decode()


def test_it_needs_a_signed_in_user(client, db):
    assert client.get(PAGE)["Location"].startswith("/accounts/login/")
    assert client.post("/accounts/calendar/new/")["Location"].startswith("/accounts/login/")
    assert client.get("/accounts/calendar/customs-crm.ics")["Location"].startswith("/accounts/login/")


def test_it_says_what_the_feed_holds_and_offers_to_make_one(officer_client):
    page = officer_client.get(PAGE).content.decode()

    assert "You have no calendar URL." in page
    assert "open follow-ups" in page
    assert "Make my calendar URL" in page
    assert "Google Calendar and Outlook.com" in page


def test_a_new_url_is_shown_once_and_works(officer_client, officer, client):
    url = _make(officer_client)

    assert url not in officer_client.get(PAGE).content.decode()  # shown once
    page = officer_client.get(PAGE).content.decode()
    assert "You have a calendar URL, made on" in page
    assert "No calendar app has read it yet." in page

    officer_client.logout()
    parse(client.get(url.removeprefix("http://testserver")))


def test_it_offers_to_open_the_url_in_a_calendar_app(officer_client):
    response = officer_client.post("/accounts/calendar/new/", follow=True)

    assert 'href="webcal://testserver/calendar/' in response.content.decode()


def test_a_new_url_replaces_the_previous_one(officer_client, officer):
    first = _make(officer_client).removeprefix("http://testserver")

    response = officer_client.post("/accounts/calendar/new/", follow=True)

    assert "Your previous calendar URL no longer works" in response.content.decode()
    assert officer_client.get(first).status_code == 404
    assert CalendarFeed.objects.filter(user=officer).count() == 2  # the revoked one stays, as a trace
    assert CalendarFeed.objects.filter(user=officer, revoked_at__isnull=True).count() == 1


def test_revoking_stops_the_url(officer_client, officer):
    url = _make(officer_client).removeprefix("http://testserver")

    response = officer_client.post("/accounts/calendar/revoke/", follow=True)

    assert "Your calendar URL is revoked" in response.content.decode()
    assert "You have no calendar URL." in response.content.decode()
    assert officer_client.get(url).status_code == 404
    assert CalendarFeed.objects.get(user=officer).revoked_at is not None


def test_the_actions_take_posts_only(officer_client):
    assert officer_client.get("/accounts/calendar/new/").status_code == 405
    assert officer_client.get("/accounts/calendar/revoke/").status_code == 405


def test_the_download_holds_the_same_events_as_the_feed(officer_client, officer):
    engagement = EngagementFactory(author=officer, is_held=False, occurred_on=timezone.localdate() + timedelta(days=3))
    FollowUpFactory(engagement=engagement, owner=officer)
    url = _make(officer_client).removeprefix("http://testserver")

    download = officer_client.get("/accounts/calendar/customs-crm.ics")

    assert download["Content-Disposition"] == 'attachment; filename="customs-crm.ics"'
    assert "private" in download["Cache-Control"]
    assert set(events(parse(download))) == set(events(parse(officer_client.get(url)))) != set()


def test_the_download_speaks_the_page_s_language(officer_client):
    download = officer_client.get("/accounts/calendar/customs-crm.ics", HTTP_ACCEPT_LANGUAGE="fr")

    assert str(parse(download)["X-WR-CALNAME"]) == "CRM Douane"


def test_a_user_without_a_role_cannot_make_one(client, db):
    client.force_login(UserFactory())

    assert client.get(PAGE).status_code == 403
    assert client.post("/accounts/calendar/new/").status_code == 403
    assert client.get("/accounts/calendar/customs-crm.ics").status_code == 403
    assert not CalendarFeed.objects.exists()


@pytest.mark.parametrize("path", [PAGE, "/accounts/calendar/customs-crm.ics"])
def test_a_user_who_must_enrol_two_factor_is_sent_to_enrol_first(officer_client, path):
    with override_settings(MFA_REQUIRED_ROLES=[Role.OFFICER]):
        response = officer_client.get(path)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_a_manager_has_the_page_too(manager_client):
    assert manager_client.get(PAGE).status_code == 200
