"""A new person met, added in the quick log with no connection, on a phone, in French: "Add a new
person met" opens a small form on the device (labelled, keyboard usable) that refuses what the
server's would and can be told offline; the person joins the people met and travels inside the
meeting's item with its new organization, so that once online one engagement is made with both,
linked. A refused item brings its new people back, to be changed, and is sent under the same key."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from communications.models import Engagement
from crm.models import IdempotencyKey
from stakeholders.models import Contact, Organization
from tests.browser.conftest import PHONE
from tests.browser.test_accessibility import violations
from tests.browser.test_offline_journey import (
    OUTBOX,
    QUICK_LOG,
    eventually,
    outbox_empty,
    signed_in_officer,
    unexpected,
    wait_until_kept_for_offline,
)
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.browser
ADD_PERSON = "Ajouter une nouvelle personne rencontrée"


def offline_quick_log(visit):
    OrganizationFactory(name="Transit Acacia")  # known to the device; the meeting's is not
    tab = signed_in_officer(visit)
    tab.goto(QUICK_LOG)
    wait_until_kept_for_offline(tab)
    tab.page.context.set_offline(True)
    tab.page.reload()
    return tab


def add_person_with_keys(tab, *, first, last, job="", email=""):
    page = tab.page
    tab.tab_to(page.get_by_role("button", name=ADD_PERSON))
    page.keyboard.press("Enter")
    expect(page.locator("#offline-new-contact legend")).to_have_text("Nouvelle personne rencontrée")
    expect(page.get_by_label("Prénom")).to_be_focused()
    page.keyboard.type(first)
    for label, value in (("Nom", last), ("Fonction", job), ("E-mail", email)):
        field = page.get_by_label(label, exact=True)
        tab.tab_to(field)
        page.keyboard.type(value)
    page.keyboard.press("Enter")  # adds the person (the quick log itself is never sent by Enter)


def test_a_new_person_of_a_new_organization_logged_offline_is_made_with_the_meeting(
    visit, transactional_db, axe_source
):
    tab = offline_quick_log(visit)
    page = tab.page
    page.fill("#id_title", "Réunion au poste de Kayes")
    page.fill("#id_organizations", "Fret du Sahel")

    # What the server's form would refuse is refused here, beside its field.
    tab.tab_to(page.get_by_role("button", name=ADD_PERSON))
    page.keyboard.press("Enter")
    expect(page.get_by_label("Organisation", exact=True)).to_have_value("Fret du Sahel")  # the one typed
    page.get_by_label("E-mail").fill("moussa(at)sahel")
    page.get_by_role("button", name="Ajouter cette personne").click()
    expect(page.get_by_label("Nom", exact=True)).to_be_focused()
    expect(page.locator("#offline_new_contact_last_name_error")).to_have_text("Ce champ est obligatoire.")
    expect(page.locator("#offline_new_contact_email_error")).to_have_text("Saisissez une adresse e-mail valide.")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert violations(page, axe_source) == []
    tab.shot("offline-new-person-refused")
    page.keyboard.press("Escape")
    expect(page.locator("#offline-new-contact")).to_have_count(0)
    expect(page.get_by_role("button", name=ADD_PERSON)).to_be_focused()

    add_person_with_keys(tab, first="Moussa", last="Keita", job="Directeur", email="moussa@sahel.example")
    keita = page.get_by_role("checkbox", name=re.compile("^Moussa Keita, Directeur"))
    expect(keita).to_be_checked()
    expect(keita).to_be_focused()
    expect(page.locator("#new-contact [role=status]")).to_contain_text("Moussa Keita figure parmi les personnes")
    add_person_with_keys(tab, first="Awa", last="Erreur")
    page.get_by_role("button", name=re.compile("^Retirer.*Awa Erreur")).click()  # removed before saving
    expect(page.get_by_role("checkbox", name=re.compile("Awa Erreur"))).to_have_count(0)
    expect(page.locator("#new-contact [role=status]")).to_have_count(0)
    assert violations(page, axe_source) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    tab.shot("offline-new-person-met")

    page.get_by_role("button", name="Consigner", exact=True).click()
    expect(page.locator("#offline-status")).to_contain_text("Enregistré sur cet appareil")
    expect(page.locator("#offline-new-people")).to_have_count(0)  # the quick log is empty for the next one
    (item,) = page.evaluate(OUTBOX)
    assert item["body"]["new_organizations"] == [{"name": "Fret du Sahel"}]
    assert item["body"]["new_contacts"] == [
        {
            "first_name": "Moussa",
            "last_name": "Keita",
            "job_title": "Directeur",
            "email": "moussa@sahel.example",
            "organization": "Fret du Sahel",
        }
    ]
    assert Contact.objects.count() == 0

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    outbox_empty(page)
    eventually(lambda: IdempotencyKey.objects.get(record_id__isnull=False))  # the server's transaction is over
    engagement = Engagement.objects.get()
    sahel = Organization.objects.get(name="Fret du Sahel")
    person = Contact.objects.get()
    assert (person.first_name, person.last_name, person.job_title, person.email) == (
        "Moussa",
        "Keita",
        "Directeur",
        "moussa@sahel.example",
    )
    assert person.organization == sahel
    assert list(engagement.organizations.all()) == [sahel]
    assert list(engagement.contacts.all()) == [person]
    assert unexpected(tab.errors) == []


def test_a_refused_meeting_brings_its_new_person_back_and_is_sent_under_the_same_key(visit, transactional_db):
    tab = offline_quick_log(visit)
    page = tab.page
    today = timezone.localdate()
    page.fill("#id_title", "Réunion sur le fret")
    page.fill("#id_organizations", "Fret du Sahel")
    page.fill("#id_follow_ups-0-description", "Relancer")
    page.fill("#id_follow_ups-0-due_on", (today - timedelta(days=3)).isoformat())  # refused by the server
    add_person_with_keys(tab, first="Moussa", last="Keita", job="Adjoint")
    page.get_by_role("button", name="Consigner", exact=True).click()
    expect(page.locator("#offline-status")).to_contain_text("Enregistré sur cet appareil")

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    item = page.locator("#outbox-items > li")
    expect(item).to_contain_text("Refusé")
    assert Engagement.objects.count() == 0
    assert Contact.objects.count() == 0  # all or nothing
    (refused,) = page.evaluate(OUTBOX)

    item.get_by_role("button", name="Ouvrir pour le corriger").click()
    keita = page.get_by_role("checkbox", name=re.compile("^Moussa Keita, Adjoint"))
    expect(keita).to_be_checked()
    page.get_by_role("button", name=re.compile("^Modifier.*Moussa Keita")).click()
    expect(page.get_by_label("Fonction")).to_have_value("Adjoint")
    page.get_by_label("Fonction").fill("Directeur")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("checkbox", name=re.compile("^Moussa Keita, Directeur"))).to_be_checked()
    page.fill("#id_follow_ups-0-due_on", (today + timedelta(days=3)).isoformat())
    tab.shot("refused-new-person-reopened")
    page.get_by_role("button", name="Consigner", exact=True).click()
    outbox_empty(page)

    # The key's record is written last in the server's transaction; on SQLite in memory the test
    # shares the server's connection and could read the engagement before it.
    made = eventually(lambda: IdempotencyKey.objects.get(record_id__isnull=False))
    engagement = Engagement.objects.get()
    person = Contact.objects.get()
    assert person.job_title == "Directeur"
    assert person.organization.name == "Fret du Sahel"
    assert list(engagement.contacts.all()) == [person]
    # the refused item's key made it (a refused request is not remembered)
    assert (made.key, made.record_id) == (refused["key"], engagement.pk)
    assert [error for error in unexpected(tab.errors) if "status of 400" not in error] == []  # the refusal's own


def test_when_the_server_cannot_be_reached_the_person_is_added_on_the_device(visit, transactional_db):
    acacia = OrganizationFactory(name="Transit Acacia")
    tab = signed_in_officer(visit)
    page, context = tab.page, tab.page.context
    tab.goto(QUICK_LOG)
    wait_until_kept_for_offline(tab)
    page.fill("#id_title", "Réunion coupée")
    page.fill("#id_organizations", "Transit Acacia")
    # The page still believes it is online: the server's "add a new person" is asked, and fails.
    page.evaluate("Object.defineProperty(navigator, 'onLine', {get: () => true})")
    context.set_offline(True)
    page.get_by_role("button", name=ADD_PERSON).click()
    expect(page.get_by_label("Organisation", exact=True)).to_have_value("Transit Acacia")
    page.get_by_label("Nom", exact=True).fill("Diallo")
    page.get_by_label("Téléphone").fill("call me")
    page.get_by_role("button", name="Ajouter cette personne").click()
    expect(page.locator("#offline_new_contact_phone_error")).to_contain_text("Saisissez un numéro de téléphone")
    page.get_by_role("button", name="Consigner", exact=True).click()  # as the server's quick log, not without them
    expect(page.locator("#offline-status")).to_contain_text("Ajoutez cette personne, ou annulez")
    assert page.evaluate(OUTBOX) == []
    page.get_by_label("Téléphone").fill("+223 20 22 33 44")
    page.get_by_role("button", name="Ajouter cette personne").click()
    expect(page.get_by_role("checkbox", name=re.compile("^Diallo"))).to_be_checked()

    context.set_offline(False)
    page.get_by_role("button", name="Consigner", exact=True).click()  # through the outbox, sent at once
    outbox_empty(page)
    eventually(lambda: IdempotencyKey.objects.get(record_id__isnull=False))  # the server's transaction is over
    engagement = Engagement.objects.get()
    person = Contact.objects.get()
    assert (person.last_name, person.phone, person.organization) == ("Diallo", "+223 20 22 33 44", acacia)
    assert list(engagement.contacts.all()) == [person]
    assert list(engagement.organizations.all()) == [acacia]
