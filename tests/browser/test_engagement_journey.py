"""An officer at phone width, in French, logs a meeting with two organizations and a follow-up,
finds it on both organizations' timelines and on the home page, and marks the follow-up done."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from communications.models import Engagement, FollowUp
from crm.accounts.roles import Role
from tests.factories import PASSWORD, ContactFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.browser


def test_an_officer_logs_a_meeting_in_french_on_a_phone(visit, transactional_db):
    officer = UserFactory(role=Role.OFFICER, email="awa@example.test", first_name="Awa", last_name="Traoré")
    saloum = OrganizationFactory(name="Transit Saloum", registration_number="RC-SAL-1")
    nere = OrganizationFactory(name="Union Néré", registration_number="RC-NER-2")
    ContactFactory(organization=saloum, first_name="Fatoumata", last_name="Diallo")
    tab = visit(viewport={"width": 360, "height": 780}, locale="fr-FR")
    page = tab.page
    tab.sign_in("awa@example.test", PASSWORD)

    tab.goto(f"/stakeholders/organizations/{saloum.pk}/")
    page.get_by_role("link", name="Consigner un échange").first.click()
    page.wait_for_load_state()
    assert page.input_value("#id_organizations") == "Transit Saloum · RC-SAL-1"  # prefilled
    page.fill("#id_title", "Réunion sur les délais de mainlevée")
    page.fill("#id_organizations", "Transit Saloum · RC-SAL-1; Union Néré · RC-NER-2")
    page.locator("#id_organizations").dispatch_event("change")
    page.get_by_label("Fatoumata Diallo", exact=False).check()  # offered from the organizations named
    page.fill("#id_follow_ups-0-description", "Envoyer le compte rendu")
    page.fill("#id_follow_ups-0-due_on", timezone.localdate().isoformat())
    tab.shot("quick-log")
    page.locator("form button[type=submit].btn-primary").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Réunion sur les délais de mainlevée").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    tab.shot("engagement")

    for organization in (saloum, nere):
        tab.goto(f"/stakeholders/organizations/{organization.pk}/")
        assert page.get_by_role("link", name="Réunion sur les délais de mainlevée").is_visible()
        # the open follow-ups arrive in a panel loaded just after the page (htmx)
        page.get_by_text("Envoyer le compte rendu", exact=False).wait_for()

    tab.goto("/")
    assert page.get_by_text("Envoyer le compte rendu", exact=True).first.is_visible()
    page.get_by_role("button", name="Fait").first.click()  # done in one click (htmx swaps the row's actions)
    page.get_by_role("button", name="Rouvrir").wait_for()
    tab.shot("follow-up-done")
    follow_up = FollowUp.objects.get()
    assert follow_up.status == "done"
    assert follow_up.completed_on == timezone.localdate()
    assert follow_up.owner == officer
    assert tab.errors == []
    assert tab.external_requests == []


def test_a_person_ticked_while_the_people_are_listed_again_stays_ticked(visit, transactional_db):
    """The list of people met comes back as it was asked for; a tick made while it was on its way
    is not lost (and the engagement links that person)."""
    UserFactory(role=Role.OFFICER, email="awa@example.test")
    saloum = OrganizationFactory(name="Transit Saloum", registration_number="RC-SAL-1")
    OrganizationFactory(name="Union Néré", registration_number="RC-NER-2")
    fatoumata = ContactFactory(organization=saloum, first_name="Fatoumata", last_name="Diallo")
    tab = visit(viewport={"width": 360, "height": 780}, locale="fr-FR")
    page = tab.page
    tab.sign_in("awa@example.test", PASSWORD)
    tab.goto(f"/stakeholders/organizations/{saloum.pk}/")
    page.get_by_role("link", name="Consigner un échange").first.click()
    page.wait_for_load_state()
    held = []
    page.route("**/engagements/contact-options/**", lambda route: held.append(route))  # answered when the test says
    page.fill("#id_title", "Réunion sur les délais de mainlevée")
    # the suggestions asked for as one types are answered first (the in-memory test database locks a
    # table read while the engagement is written, which a file database in WAL mode does not)
    with page.expect_response(lambda response: "/suggest/organizations/" in response.url):
        page.fill("#id_organizations", "Transit Saloum · RC-SAL-1; Union Néré · RC-NER-2")
    page.locator("#id_organizations").dispatch_event("change")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    before = page.locator("#contact-options").element_handle()
    page.get_by_label("Fatoumata Diallo", exact=False).check()  # while the list is on its way
    held[0].continue_()
    page.wait_for_function("list => !list.isConnected", arg=before)  # the list came back
    expect(page.get_by_label("Fatoumata Diallo", exact=False)).to_be_checked()
    page.locator("form button[type=submit].btn-primary").click()
    page.wait_for_load_state()
    page.get_by_role("heading", name="Réunion sur les délais de mainlevée").wait_for()
    assert list(Engagement.objects.get().contacts.all()) == [fatoumata]
    assert tab.errors == []
