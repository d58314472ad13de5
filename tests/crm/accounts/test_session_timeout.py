"""Sessions end after 30 minutes idle and 12 hours in all; a form posted after that is kept."""

import json
import re
import time

import pytest

from crm.accounts.middleware import SessionTimeoutMiddleware as Timeout
from stakeholders.models import Organization
from tests.factories import PASSWORD

ORGANIZATIONS = "/stakeholders/organizations/"
NEW_ORGANIZATION = "/stakeholders/organizations/new/"


def age_session(client, *, idle: int = 0, since_sign_in: int = 0):
    client.get("/")  # the middleware starts its clock
    session = client.session
    now = int(time.time())
    session[Timeout.LAST_SEEN] = now - idle
    session[Timeout.STARTED] = now - since_sign_in
    session.save()


def restored_form(response) -> dict | None:
    found = re.search(r'<script id="restored-form" type="application/json">(.*?)</script>', response.content.decode())
    return json.loads(found.group(1)) if found else None


def test_a_session_in_use_goes_on(officer_client):
    age_session(officer_client, idle=29 * 60, since_sign_in=11 * 3600)
    assert officer_client.get(ORGANIZATIONS).status_code == 200


def test_thirty_minutes_idle_ends_the_session_and_comes_back_after_signing_in(officer_client):
    age_session(officer_client, idle=31 * 60)
    response = officer_client.get(ORGANIZATIONS + "?type=bank", follow=True)
    assert response.redirect_chain[0][0] == "/accounts/login/?next=%2Fstakeholders%2Forganizations%2F%3Ftype%3Dbank"
    assert "Your session ended. Sign in again to continue." in response.content.decode()
    assert officer_client.get("/").status_code == 302  # signed out for good, not just this request


def test_twelve_hours_end_the_session_however_busy(officer_client):
    age_session(officer_client, idle=10, since_sign_in=12 * 3600 + 60)
    assert officer_client.get(ORGANIZATIONS).url.startswith("/accounts/login/")


def test_the_limits_come_from_the_settings(officer_client, settings):
    settings.SESSION_IDLE_SECONDS = 60
    age_session(officer_client, idle=120)
    assert officer_client.get(ORGANIZATIONS).status_code == 302


def test_the_keep_alive_counts_as_activity(officer_client):
    age_session(officer_client, idle=25 * 60)
    assert officer_client.get("/session/").status_code == 204
    assert time.time() - officer_client.session[Timeout.LAST_SEEN] < 5


def test_a_form_posted_after_the_session_ended_is_kept_through_signing_in(client, officer):
    client.force_login(officer)
    age_session(client, idle=45 * 60)
    typed = {"name": "Transit Sahel SARL", "type": "freight_forwarder", "notes": "Met at the border post"}
    response = client.post(NEW_ORGANIZATION, typed, follow=True)

    assert response.redirect_chain[0][0] == "/accounts/login/?next=%2Fstakeholders%2Forganizations%2Fnew%2F"
    assert "what you typed is kept" in response.content.decode()
    assert not Organization.objects.exists()  # nothing written by a signed-out request

    signed_in = client.post(
        "/accounts/login/?next=/stakeholders/organizations/new/", {"login": officer.email, "password": PASSWORD}
    )
    assert signed_in.url == NEW_ORGANIZATION
    page = client.get(NEW_ORGANIZATION)
    assert restored_form(page) == {key: [value] for key, value in typed.items()}
    assert restored_form(client.get(NEW_ORGANIZATION)) is None  # put back once


def test_passwords_and_tokens_are_never_kept(client, officer):
    client.force_login(officer)
    age_session(client, idle=45 * 60)
    client.post(NEW_ORGANIZATION, {"name": "Kept", "password": "secret", "new_password1": "secret"})
    pending = client.session[Timeout.PENDING_FORM]["data"]
    assert pending == {"name": ["Kept"]}


def test_a_cross_site_post_plants_nothing(officer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    age_session(client, idle=45 * 60)
    client.post(NEW_ORGANIZATION, {"name": "<script>alert(1)</script>"})
    assert Timeout.PENDING_FORM not in client.session


def test_htmx_requests_are_sent_to_sign_in_as_a_whole_page(officer_client):
    age_session(officer_client, idle=31 * 60)
    response = officer_client.get(
        ORGANIZATIONS + "?type=bank",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/stakeholders/organizations/"},
    )
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Fstakeholders%2Forganizations%2F"


@pytest.mark.parametrize(("language", "expected"), [("fr", "Votre session a pris fin")])
def test_the_message_is_in_the_users_language(officer_client, language, expected):
    age_session(officer_client, idle=31 * 60)
    response = officer_client.get(ORGANIZATIONS, headers={"Accept-Language": language}, follow=True)
    assert expected in response.content.decode()


@pytest.mark.django_db
def test_a_fragment_asked_without_a_session_answers_401_not_a_sign_in_page(client):
    """A suggestion asked after the session was ended elsewhere: no sign-in form swapped into the
    page, and no new CSRF cookie under a sign-in form open beside it; session.js says so instead."""
    suggest = "/stakeholders/suggest/organizations/?organizations=Sah"
    response = client.get(suggest, headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.content == b""
    assert "csrftoken" not in response.cookies
    assert client.get(suggest).status_code == 302  # a page asked by the browser itself: to sign in
    boosted = client.get("/stakeholders/organizations/?page=2", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert boosted["HX-Redirect"] == "/accounts/login/?next=%2Fstakeholders%2Forganizations%2F%3Fpage%3D2"
    assert "csrftoken" not in boosted.cookies


def test_pages_tell_the_script_what_to_say_when_a_fragment_is_refused(officer_client):
    page = officer_client.get("/", headers={"Accept-Language": "fr"}).content.decode()
    assert 'data-ended-text="Votre session a pris fin."' in page
    assert 'data-sign-in-text="Se reconnecter"' in page
