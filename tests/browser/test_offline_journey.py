"""Offline in the field, on a phone, in French: the quick log and "my follow-ups" open with no
connection (served by the service worker), meetings and a follow-up closed offline wait in the
outbox and are sent exactly once when the connection returns, however often the outbox is replayed;
a refused item keeps the server's message and is fixed and sent; signing out clears the device; a
second user of the same browser sees and sends none of the first user's things."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from communications.choices import FollowUpStatus
from communications.models import Engagement, FollowUp
from crm.accounts.roles import Role
from crm.models import IdempotencyKey
from tests.browser.conftest import PHONE
from tests.factories import (
    PASSWORD,
    ContactFactory,
    EngagementFactory,
    FollowUpFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser
QUICK_LOG = "/communications/engagements/new/"
FOLLOW_UPS = "/communications/follow-ups/"

# What the page's own scripts see: the outbox of the page's user, the browser's page copies.
OUTBOX = "() => CRMOutbox.items(document.body.dataset.offlineUser)"
COPIES = """async () => {
  const names = (await caches.keys()).filter((name) => name.startsWith("crm-pages-"));
  const pages = [];
  for (const name of names) { for (const request of await (await caches.open(name)).keys()) pages.push(request.url); }
  return {names, pages};
}"""
DATABASES = "async () => (await indexedDB.databases()).map((db) => db.name)"
READY = """async (count) => {
  // This user's copies: another user's, left from before, do not count (the worker deletes them
  // before it copies this user's pages).
  const mine = "crm-pages-" + document.body.dataset.offlineUser;
  const until = Date.now() + 15000;
  while (Date.now() < until) {
    const kept = (await caches.keys()).includes(mine);
    const pages = kept ? (await (await caches.open(mine)).keys()).length : 0;
    const organizations = await CRMOutbox.organizations(document.body.dataset.offlineUser).catch(() => []);
    if (navigator.serviceWorker.controller && pages >= 3 && organizations.length >= count) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}"""


def signed_in_officer(visit, email="awa@example.test"):
    UserFactory(role=Role.OFFICER, email=email, first_name="Awa")
    tab = visit(viewport=PHONE, locale="fr-FR")
    tab.sign_in(email, PASSWORD)
    return tab


def wait_until_kept_for_offline(tab, organizations=1):
    ready = tab.page.evaluate(READY, organizations)
    assert ready, (tab.page.evaluate(COPIES), tab.errors)


def log_offline(page, title, organization, follow_up=None):
    page.fill("#id_title", title)
    page.fill("#id_organizations", organization)
    if follow_up:
        description, due_on = follow_up
        page.fill("#id_follow_ups-0-description", description)
        page.fill("#id_follow_ups-0-due_on", due_on.isoformat())
    page.get_by_role("button", name="Consigner", exact=True).click()
    expect(page.locator("#id_title")).to_have_value("")  # kept, and the form emptied for the next one
    expect(page.locator("#offline-status")).to_contain_text("Enregistré sur cet appareil")


def outbox_empty(page):
    page.wait_for_function("async () => (await CRMOutbox.items(document.body.dataset.offlineUser)).length === 0")


def test_meetings_and_a_closed_follow_up_logged_offline_are_sent_exactly_once(visit, transactional_db):
    acacia = OrganizationFactory(name="Transit Acacia", registration_number="RC-ACA-1")
    ContactFactory(organization=acacia, first_name="Fatoumata", last_name="Diallo")
    tab = signed_in_officer(visit)
    awa = tab_user("awa@example.test")
    earlier = EngagementFactory(author=awa, organizations=[acacia], title="Visite de mars")
    open_one = FollowUpFactory(engagement=earlier, owner=awa, description="Envoyer le compte rendu")
    page, context = tab.page, tab.page.context
    tab.goto(QUICK_LOG)
    wait_until_kept_for_offline(tab)

    context.set_offline(True)
    page.reload()  # served by the service worker
    expect(page.locator("h1")).to_have_text("Consigner un échange")
    assert page.locator("html").get_attribute("lang") == "fr"
    today = timezone.localdate()
    log_offline(page, "Réunion au poste de Kayes", "Transit Acacia · RC-ACA-1")
    log_offline(page, "Atelier sur les délais", "Transit Acacia", ("Envoyer les chiffres", today + timedelta(days=7)))
    log_offline(page, "Appel au transitaire", "Transit Acacia")
    expect(page.locator("#outbox-count")).to_have_text("En attente d’envoi : 3")
    tab.shot("offline-three-logged")

    tab.goto(FOLLOW_UPS)  # from the copy too
    page.get_by_role("button", name=re.compile("^Fait")).first.click()
    expect(page.locator("#outbox-count")).to_have_text("En attente d’envoi : 4")
    expect(page.get_by_text("Fait (sera envoyé)")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    tab.shot("offline-follow-up-closed")
    kept = page.evaluate(OUTBOX)
    assert Engagement.objects.count() == 1  # nothing reached the server

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    outbox_empty(page)
    expect(page.locator("#outbox-count")).to_be_hidden()
    logged = Engagement.objects.exclude(pk=earlier.pk)
    assert sorted(logged.values_list("title", flat=True)) == [
        "Appel au transitaire",
        "Atelier sur les délais",
        "Réunion au poste de Kayes",
    ]
    assert {e.author for e in logged} == {awa}
    assert [list(e.organizations.all()) for e in logged] == [[acacia]] * 3
    assert list(FollowUp.objects.filter(engagement__in=logged).values_list("description", flat=True)) == [
        "Envoyer les chiffres"
    ]
    open_one.refresh_from_db()
    assert open_one.status == FollowUpStatus.DONE

    # The same outbox sent again (a reply lost, a second tab): the server makes nothing twice.
    page.evaluate(
        "async (items) => { for (const item of items) await CRMOutbox.put(document.body.dataset.offlineUser, item);"
        " return CRMOutbox.flush(document.body.dataset.offlineUser); }",
        kept,
    )
    outbox_empty(page)
    assert Engagement.objects.exclude(pk=earlier.pk).count() == 3
    assert unexpected(tab.errors) == []
    assert tab.external_requests == []


def test_a_refused_item_keeps_its_message_and_is_fixed_and_sent(visit, transactional_db):
    OrganizationFactory(name="Transit Acacia")
    tab = signed_in_officer(visit)
    page, context = tab.page, tab.page.context
    tab.goto(QUICK_LOG)
    wait_until_kept_for_offline(tab)
    context.set_offline(True)
    page.reload()
    today = timezone.localdate()
    log_offline(page, "Réunion sur le fret", "Transit Acacia", ("Relancer", today - timedelta(days=3)))
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    item = page.locator("#outbox-items > li")
    expect(item).to_contain_text("Refusé")
    expect(item.locator(".outbox-problems")).to_contain_text("follow_ups")  # the server's own words
    expect(page.locator("#offline-status")).to_contain_text("Le serveur a refusé")
    assert Engagement.objects.count() == 0
    tab.shot("refused")

    item.get_by_role("button", name="Ouvrir pour le corriger").click()
    expect(page.locator("#id_title")).to_have_value("Réunion sur le fret")
    page.fill("#id_follow_ups-0-due_on", (today + timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Consigner", exact=True).click()
    outbox_empty(page)
    eventually(lambda: IdempotencyKey.objects.get(record_id__isnull=False))  # the server's transaction is over
    engagement = Engagement.objects.get()
    assert engagement.title == "Réunion sur le fret"
    assert engagement.follow_ups.get().due_on == today + timedelta(days=3)


def test_signing_out_clears_the_device_and_another_user_sees_nothing_of_the_first(visit, transactional_db):
    OrganizationFactory(name="Transit Acacia")
    UserFactory(role=Role.OFFICER, email="bruno@example.test")
    tab = signed_in_officer(visit)
    page, context = tab.page, tab.page.context
    tab.goto(QUICK_LOG)
    wait_until_kept_for_offline(tab)
    awa_key = page.evaluate("document.body.dataset.offlineUser")
    context.set_offline(True)
    page.reload()
    log_offline(page, "Réunion de Kayes", "Transit Acacia")

    # Awa's session ends while she is away; Bruno signs in on the same browser.
    context.clear_cookies()
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#offline-status")).to_contain_text("Votre session a pris fin")
    expect(page.locator("#offline-status").get_by_role("link", name="Se reconnecter")).to_be_visible()
    tab.shot("session-ended")
    tab.sign_in("bruno@example.test", PASSWORD)
    tab.goto(QUICK_LOG)
    wait_until_kept_for_offline(tab)
    expect(page.locator("#outbox-count")).to_be_hidden()
    expect(page.locator("#outbox")).to_be_hidden()
    copies = page.evaluate(COPIES)
    assert copies["names"] == [f"crm-pages-{page.evaluate('document.body.dataset.offlineUser')}"]
    assert f"crm-pages-{awa_key}" not in copies["names"]
    assert Engagement.objects.count() == 0  # Awa's meeting is not sent under Bruno's session
    context.set_offline(True)
    page.reload()  # Bruno's copy, not Awa's
    assert page.evaluate("document.body.dataset.offlineUser") != awa_key
    context.set_offline(False)

    # Awa signs in again: hers is sent, under her name.
    context.clear_cookies()
    tab.sign_in("awa@example.test", PASSWORD)
    page.wait_for_function("async () => (await CRMOutbox.items(document.body.dataset.offlineUser)).length === 0")
    assert eventually(lambda: Engagement.objects.get().author.email) == "awa@example.test"

    # Something waits again (the server cannot be reached): signing out warns, then clears it all.
    page.route("**/api/v1/offline/session/", lambda route: route.abort())
    tab.goto(QUICK_LOG)
    wait_until_kept_for_offline(tab)
    page.fill("#id_title", "Réunion d'après")
    page.fill("#id_organizations", "Transit Acacia")
    context.set_offline(True)
    page.get_by_role("button", name="Consigner", exact=True).click()
    expect(page.locator("#outbox-count")).to_have_text("En attente d’envoi : 1")
    context.set_offline(False)
    warnings = []
    page.on("dialog", lambda dialog: (warnings.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Afficher ou masquer le menu").click()
    page.locator("#main-nav .dropdown-toggle").last.click()
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(re.compile("/accounts/"))
    assert warnings
    assert "pas encore été envoyé" in warnings[0]
    assert f"crm-offline-{awa_key}" not in page.evaluate(DATABASES)
    assert page.evaluate(COPIES)["names"] == []
    assert Engagement.objects.count() == 1


def eventually(read, seconds=5):
    """What the server wrote, once its reply has reached the page. On SQLite in memory the test shares
    the live server's connection and may read inside its transaction: wait for the last row it writes."""
    import time

    until = time.monotonic() + seconds
    while True:
        try:
            return read()
        except Exception:
            if time.monotonic() > until:
                raise
            time.sleep(0.1)


def unexpected(errors):
    """Errors but those of requests that could not leave (offline): htmx says so in the console."""
    offline = ("ERR_INTERNET_DISCONNECTED", "Failed to fetch", "htmx:sendError", "htmx:afterRequest")
    return [error for error in errors if not any(mark in error for mark in offline)]


def tab_user(email):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(email=email)


def test_a_quick_log_whose_connection_drops_while_sending_is_kept(visit, transactional_db):
    OrganizationFactory(name="Transit Acacia")
    tab = signed_in_officer(visit)
    page, context = tab.page, tab.page.context
    tab.goto(QUICK_LOG)
    wait_until_kept_for_offline(tab)
    page.fill("#id_title", "Réunion coupée")
    page.fill("#id_organizations", "Transit Acacia")
    # The page still believes it is online (the link drops as the form leaves): the browser sends it.
    page.evaluate("Object.defineProperty(navigator, 'onLine', {get: () => true})")
    context.set_offline(True)
    page.get_by_role("button", name="Consigner", exact=True).click()
    expect(page.locator("#offline-status")).to_contain_text("La connexion a été coupée pendant l’envoi")
    expect(page.locator("#outbox-count")).to_have_text("En attente d’envoi : 1")
    tab.shot("dropped-mid-submit")
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    outbox_empty(page)
    assert eventually(lambda: Engagement.objects.get().title) == "Réunion coupée"


def test_a_copy_shown_while_the_browser_believes_it_is_online_returns_to_the_server_by_itself(visit, transactional_db):
    """A network that is up but reaches nothing (no "online" event when it comes back): the page
    served from the device's copy looks now and then and, once the server answers, sends what waits."""
    OrganizationFactory(name="Transit Acacia")
    tab = signed_in_officer(visit)
    page, context = tab.page, tab.page.context
    tab.goto(QUICK_LOG)
    wait_until_kept_for_offline(tab)
    page.clock.install()
    context.set_offline(True)
    page.reload()
    assert page.evaluate("document.body.hasAttribute('data-offline-copy')")
    log_offline(page, "Réunion de Kayes", "Transit Acacia")
    context.set_offline(False)  # and no "online" event told to the page
    page.clock.run_for(31_000)
    outbox_empty(page)
    page.wait_for_function("() => !document.body.hasAttribute('data-offline-copy')")  # works online again
    assert eventually(lambda: Engagement.objects.get().title) == "Réunion de Kayes"
