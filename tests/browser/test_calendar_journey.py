"""On a phone, in French, an officer opens the calendar page from the user menu, makes a calendar URL,
copies it, then revokes it: nothing scrolls sideways, no script fails, axe-core finds nothing serious."""

import pytest

from crm.accounts.roles import Role
from crm.models import CalendarFeed
from tests.browser.conftest import PHONE
from tests.browser.test_accessibility import violations
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser
WIDTH = "document.documentElement.scrollWidth"


def test_an_officer_makes_and_revokes_a_calendar_url_on_a_phone(visit, transactional_db, axe_source):
    UserFactory(role=Role.OFFICER, email="awa@example.test", preferred_language="fr")
    tab = visit(viewport=PHONE, locale="fr-FR")
    page = tab.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=tab.base_url)
    tab.sign_in("awa@example.test", PASSWORD)
    assert page.get_attribute("html", "lang") == "fr"

    page.locator(".navbar-toggler").click()
    page.locator(".navbar-nav .dropdown-toggle").last.click()  # the user menu, under the user's name
    page.locator('.dropdown-menu a[href="/accounts/calendar/"]').click()
    page.wait_for_url(tab.base_url + "/accounts/calendar/")
    assert page.evaluate(WIDTH) <= PHONE["width"]

    page.locator('form[action="/accounts/calendar/new/"] button').click()
    page.wait_for_url(tab.base_url + "/accounts/calendar/")
    url = page.input_value("#calendar-url")
    assert url.startswith(tab.base_url + "/calendar/")
    assert url.endswith(".ics")
    page.locator("button[data-copy-target=calendar-url]").click()
    page.locator("#calendar-url-status:not(:empty)").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == url
    assert page.evaluate(WIDTH) <= PHONE["width"]
    tab.shot("calendar-url")
    assert violations(page, axe_source) == []
    assert page.request.get(url).headers["content-type"] == "text/calendar; charset=utf-8"

    page.locator('form[action="/accounts/calendar/revoke/"] button').click()
    page.wait_for_url(tab.base_url + "/accounts/calendar/")
    assert page.locator("#calendar-url").count() == 0
    assert page.locator('form[action="/accounts/calendar/new/"] button').is_visible()
    assert page.request.get(url).status == 404
    assert CalendarFeed.objects.get().revoked_at is not None
    assert page.evaluate(WIDTH) <= PHONE["width"]
    assert tab.errors == []
