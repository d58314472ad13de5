"""Users see where they are signed in and can end their other sessions (allauth usersessions)."""

from django.test import Client

from tests.factories import PASSWORD

SESSIONS = "/accounts/sessions/"


def signed_in(email: str, browser: str) -> Client:
    client = Client(HTTP_USER_AGENT=browser)
    assert client.post("/accounts/login/", {"login": email, "password": PASSWORD}).status_code == 302
    return client


def test_a_user_sees_their_sessions_and_ends_the_others(officer, manager):
    office = signed_in(officer.email, "Firefox at the office")
    phone = signed_in(officer.email, "Chrome on a phone at the border post")
    signed_in(manager.email, "Someone else's browser")

    page = office.get(SESSIONS).content.decode()
    assert "Firefox at the office" in page
    assert "Chrome on a phone at the border post" in page
    assert "Someone else&#x27;s browser" not in page
    assert "Someone else's browser" not in page

    assert office.post(SESSIONS).status_code == 302
    assert phone.get("/").status_code == 302  # the phone is signed out
    assert office.get("/").status_code == 200  # this session goes on
    assert "Chrome on a phone" not in office.get(SESSIONS).content.decode()


def test_the_page_is_in_french_and_linked_from_the_account_menu(officer):
    client = signed_in(officer.email, "Firefox")
    assert f'href="{SESSIONS}"' in client.get("/").content.decode()
    page = client.get(SESSIONS, headers={"Accept-Language": "fr"}).content.decode()
    assert "Sessions" in page
    assert "Navigateur" in page
