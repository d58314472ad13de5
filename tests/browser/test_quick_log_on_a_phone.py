"""The quick log on a phone, in French: a refused log says so at the top; Enter in the
organization picker chooses, never sends; a missing organization and a new person are added
without leaving the page."""

import re

import pytest
from playwright.sync_api import expect

from communications.models import Engagement
from crm.accounts.roles import Role
from stakeholders.models import Contact, Organization
from tests.browser.conftest import PHONE
from tests.factories import PASSWORD, ContactFactory, OrganizationFactory, RegionFactory, UserFactory

pytestmark = pytest.mark.browser
URL = "/communications/engagements/new/"


def open_quick_log(visit):
    UserFactory(role=Role.OFFICER, email="awa@example.test")
    tab = visit(viewport=PHONE, locale="fr-FR")
    tab.sign_in("awa@example.test", PASSWORD)
    tab.goto(URL)
    return tab, tab.page


def test_a_refused_quick_log_shows_its_problems_in_view_and_focused(visit, transactional_db):
    tab, page = open_quick_log(visit)
    page.fill("#id_title", "Réunion sur les délais")
    page.get_by_role("button", name="Consigner").click()
    page.wait_for_load_state()
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    box = summary.bounding_box()
    assert 0 <= box["y"] < PHONE["height"], "the summary is in view"
    assert "Il y a un problème" in summary.inner_text()
    assert page.title().startswith("Erreur :")
    tab.shot("summary")
    summary.get_by_role("link", name=re.compile("^Organisations rencontrées")).click()
    assert page.evaluate("document.activeElement.id") == "id_organizations"
    assert page.input_value("#id_title") == "Réunion sur les délais"  # kept
    tab.shot("summary-link")
    assert tab.errors == []
    assert tab.external_requests == []


def test_enter_in_the_organization_picker_chooses_and_sends_nothing(visit, transactional_db):
    acacia = OrganizationFactory(name="Transit Acacia SARL", registration_number="RC-ACA-1", city="Kayes")
    OrganizationFactory(name="Transit Acacia Sud", registration_number="RC-ACA-2", city="Sikasso")
    ContactFactory(organization=acacia, first_name="Fatoumata", last_name="Diallo")
    tab, page = open_quick_log(visit)
    page.fill("#id_title", "Réunion sur les délais")
    page.press("#id_title", "Enter")  # nothing is sent from a field of the quick log
    page.locator("#id_organizations").press_sequentially("Transit Acacia S")
    page.keyboard.press("Enter")
    expect(page.locator("#id_organizations")).to_have_value("Transit Acacia SARL · RC-ACA-1")
    page.get_by_label("Fatoumata Diallo", exact=False).wait_for()  # the people of the one chosen
    page.keyboard.press("Enter")  # again, on a name already chosen: still nothing sent
    page.wait_for_timeout(300)
    assert page.url.endswith(URL)
    assert Engagement.objects.count() == 0
    assert page.locator("[data-error-summary]").count() == 0
    tab.shot("picker-enter")
    assert tab.errors == []
    assert tab.external_requests == []


def test_a_missing_organization_and_a_new_person_are_added_without_leaving(visit, transactional_db):
    RegionFactory(name="Kayes")
    tab, page = open_quick_log(visit)
    page.evaluate("window.stillHere = true")  # gone if the page reloads
    page.fill("#id_title", "Réunion sur les délais")
    page.get_by_role("button", name="Consigner").click()  # refused: no organization yet
    page.locator("[data-error-summary]").wait_for()
    page.evaluate("window.stillHere = true")
    page.fill("#id_organizations", "Acacia Nouvelle")
    page.fill("#id_follow_ups-0-description", "Envoyer le compte rendu")
    page.get_by_role("button", name="Ajouter une nouvelle organisation").click()
    page.locator("#id_new_organization-name").wait_for()
    assert page.input_value("#id_new_organization-name") == "Acacia Nouvelle"
    expect(page.locator("#id_new_organization-name")).to_be_focused()  # once htmx has settled the swap
    page.select_option("#id_new_organization-type", "importer")
    page.fill("#id_new_organization-city", "Kayes")
    tab.shot("new-organization")
    page.get_by_role("button", name="Ajouter cette organisation").click()
    page.get_by_role("status").wait_for()
    assert page.input_value("#id_organizations") == "Acacia Nouvelle"
    expect(page.locator("[data-error-summary]")).to_have_count(0)  # its one problem is mended
    organization = Organization.objects.get(name="Acacia Nouvelle")
    assert organization.type == "importer"
    assert organization.city == "Kayes"

    page.get_by_role("button", name="Ajouter une nouvelle personne rencontrée").click()
    page.locator("#id_new_contact-last_name").wait_for()
    expect(page.locator("#id_new_contact-first_name")).to_be_focused()  # settled: the focus stays where fill puts it
    page.fill("#id_new_contact-first_name", "Ibrahima")
    page.fill("#id_new_contact-last_name", "Sow")
    page.get_by_role("button", name="Ajouter cette personne").click()
    person = page.get_by_label("Ibrahima Sow", exact=False)
    person.wait_for()
    assert person.is_checked()
    assert page.evaluate("window.stillHere === true")
    assert page.input_value("#id_title") == "Réunion sur les délais"
    assert page.input_value("#id_follow_ups-0-description") == "Envoyer le compte rendu"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    tab.shot("new-person")

    page.fill("#id_follow_ups-0-due_on", "2026-12-31")
    page.get_by_role("button", name="Consigner").click()
    page.wait_for_url(re.compile(r"/communications/engagements/\d+/$"))
    engagement = Engagement.objects.get()
    assert list(engagement.organizations.all()) == [organization]
    assert list(engagement.contacts.all()) == [Contact.objects.get(last_name="Sow")]
    assert tab.errors == []
    assert tab.external_requests == []
