"""An officer finds an organization from the header of any page, at phone width in French, with the
keyboard alone: suggestions as they type, the arrow keys into them, Escape out, Enter for the full
results. Without JavaScript the same box is a plain form that opens the results page."""

import pytest

from crm.accounts.roles import Role
from tests.browser.conftest import PHONE
from tests.browser.test_accessibility import violations
from tests.factories import PASSWORD, ContactFactory, EngagementFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def registry(transactional_db):
    UserFactory(role=Role.OFFICER, email="awa@example.test")
    societe = OrganizationFactory(name="Société Générale de Transit", city="Thiès")
    ContactFactory(first_name="Aïssatou", last_name="Ndiaye", organization=societe, job_title="Transitaire")
    EngagementFactory(title="Atelier sur l'intégrité", organizations=[societe])
    OrganizationFactory(name="Ancien Transit", is_archived=True)  # an officer does not find it
    return societe


def test_a_search_from_the_header_with_the_keyboard_at_phone_width(visit, registry, axe_source):
    tab = visit(viewport=PHONE, locale="fr-FR")
    page = tab.page
    tab.sign_in("awa@example.test", PASSWORD)
    tab.goto("/communications/engagements/")

    box = page.get_by_role("searchbox", name="Rechercher des organisations, des personnes et des échanges")
    tab.key_in(box, "generale")  # no accent typed
    suggestions = page.locator("#site-search-suggestions")
    suggestions.get_by_role("link", name="Société Générale de Transit").wait_for()
    assert page.get_by_role("status").filter(has_text="1 résultat").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert violations(page, axe_source) == []
    tab.shot("suggestions")

    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent") == "Société Générale de Transit"
    page.keyboard.press("Escape")
    assert suggestions.is_hidden()
    assert page.evaluate("document.activeElement.id") == "site-search-q"
    page.keyboard.press("ArrowDown")  # opens them again
    tab.press_and_wait("Enter")  # the link that has the focus
    assert page.url.endswith(registry.get_absolute_url())

    tab.key_in(page.locator("#site-search-q"), "transit")
    suggestions.get_by_role("link", name="Tous les résultats").wait_for()
    tab.press_and_wait("Enter")
    assert page.url.endswith("/search/?q=transit")
    assert page.get_by_role("heading", name="Organisations").is_visible()
    assert page.get_by_role("link", name="Société Générale de Transit").is_visible()
    assert page.get_by_role("link", name="Aïssatou Ndiaye").is_visible()
    assert page.get_by_text("Ancien Transit").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert violations(page, axe_source) == []
    tab.shot("results")
    assert tab.errors == []
    assert tab.external_requests == []


def test_without_javascript_the_header_box_opens_the_results_page(browser, live_server, registry):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", "awa@example.test")
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(live_server.url + "/")
    page.fill("#site-search-q", "thies")
    page.press("#site-search-q", "Enter")
    page.wait_for_url("**/search/?q=thies")
    assert page.get_by_role("link", name="Société Générale de Transit").is_visible()
    context.close()
