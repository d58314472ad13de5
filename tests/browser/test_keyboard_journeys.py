"""The main journeys again, with the keyboard only: every control is reached with Tab (each stop on
the way must show where the focus is), text is typed key by key, buttons and links are pressed with
Enter or Space. No click, no fill."""

import csv
import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from communications.models import Engagement, FollowUp
from communications.services import refresh_last_engaged
from crm.accounts.roles import Role
from crm.models import User
from stakeholders.models import Organization
from tests.browser.conftest import SAMPLE_WITH_ERRORS, corrected_sample
from tests.factories import (
    PASSWORD,
    ContactFactory,
    EngagementFactory,
    OrganizationFactory,
    RegionFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 780}
TODAY = timezone.localdate()
DUE = date(TODAY.year + 1, 1, 1)


def test_an_officer_logs_a_meeting_and_closes_its_follow_up_with_the_keyboard(visit, transactional_db):
    officer = UserFactory(role=Role.OFFICER, email="awa@example.test", first_name="Awa")
    saloum = OrganizationFactory(name="Transit Saloum", registration_number="RC-SAL-1")
    ContactFactory(organization=saloum, first_name="Fatoumata", last_name="Diallo")
    tab = visit(viewport=PHONE, locale="fr-FR")
    page = tab.page
    tab.sign_in_with_keys("awa@example.test", PASSWORD)

    tab.goto("/communications/engagements/new/")
    tab.key_in(page.locator("#id_title"), "Réunion sur les délais de mainlevée")
    tab.key_in(page.locator("#id_organizations"), "Transit Saloum · RC-SAL-1")
    page.keyboard.press("Tab")  # leaving the field offers the organizations' contacts
    tab.tab_to(page.get_by_label("Fatoumata Diallo", exact=False))
    page.keyboard.press("Space")
    tab.key_in(page.locator("#id_follow_ups-0-description"), "Envoyer le compte rendu")
    tab.tab_to(page.locator("#id_follow_ups-0-due_on"))
    page.keyboard.type(DUE.strftime("%d%m%Y"))  # 1 January: the same keys for day-month and month-day fields
    tab.tab_to(page.locator("form button[type=submit].btn-primary"))
    tab.shot("keyboard-quick-log")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/communications/engagements/\d+/$"))
    assert page.get_by_role("heading", name="Réunion sur les délais de mainlevée").is_visible()
    engagement = Engagement.objects.get()
    assert list(engagement.organizations.all()) == [saloum]
    assert engagement.contacts.count() == 1

    tab.goto("/")
    tab.tab_to(page.get_by_role("button", name="Fait").first)
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Rouvrir").wait_for()
    tab.shot("keyboard-follow-up-done")
    follow_up = FollowUp.objects.get()
    assert follow_up.status == "done"
    assert follow_up.due_on == DUE
    assert follow_up.owner == officer
    assert tab.errors == []
    assert tab.external_requests == []


def test_a_manager_drills_down_from_the_dashboard_with_the_keyboard(visit, transactional_db):
    UserFactory(role=Role.MANAGER, email="moussa@example.test")
    kayes = RegionFactory(name="Kayes")
    brokers = [OrganizationFactory(name=f"Transit Kayes {i}", region=kayes) for i in range(2)]
    OrganizationFactory(name="Banque Dakar", region=RegionFactory(name="Dakar"))
    EngagementFactory(occurred_on=TODAY - timedelta(days=3), organizations=brokers, region=kayes)
    refresh_last_engaged([o.pk for o in brokers])
    tab = visit(locale="fr-FR")
    page = tab.page
    tab.sign_in_with_keys("moussa@example.test", PASSWORD)

    tab.goto("/dashboard/")
    tab.key_in(page.locator("#id_region"), "Kayes")
    page.keyboard.press("Enter")
    page.wait_for_url("**region=Kayes**")
    card = page.locator(".figure-card", has_text="Organisations touchées")
    tab.tab_to(card.locator("a"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/stakeholders/organizations/?**")
    assert page.get_by_text("2 organisations").is_visible()

    page.go_back()
    summary = page.locator("summary", has_text="Les chiffres sous forme de tableau").first
    tab.tab_to(summary)
    page.keyboard.press("Enter")  # opens the chart's table, the chart's text alternative
    assert summary.locator("xpath=..").locator("table").is_visible()
    tab.shot("keyboard-dashboard-table")
    assert tab.errors == []
    assert tab.external_requests == []


def test_enter_on_a_name_typed_in_full_sends_the_form_before_the_suggestions_come(visit, transactional_db):
    UserFactory(role=Role.MANAGER, email="moussa@example.test")
    RegionFactory(name="Kayes")
    RegionFactory(name="Kayes Rural")
    tab = visit()
    page = tab.page
    tab.sign_in_with_keys("moussa@example.test", PASSWORD)
    tab.goto("/dashboard/")
    held = []  # the list offered on entering the field, kept back: a slow line
    page.route(
        "**/suggest/regions/**",
        lambda route: held.append(route) if not held else route.continue_(),
    )
    tab.key_in(page.locator("#id_region"), "kayes")
    page.keyboard.press("Enter")
    page.wait_for_url("**region=Kayes&**")  # the region as the registry writes it
    assert page.input_value("#id_region") == "Kayes"
    assert tab.errors == []


def test_a_second_enter_while_the_suggestions_are_awaited_sends_the_form_once(visit, transactional_db):
    UserFactory(role=Role.MANAGER, email="moussa@example.test")
    RegionFactory(name="Kayes")
    tab = visit()
    page = tab.page
    tab.sign_in_with_keys("moussa@example.test", PASSWORD)
    tab.goto("/dashboard/")
    lists, asked = [], []  # htmx's own lists (kept back), the look-up Enter makes (let through later)
    page.route(
        "**/suggest/regions/**",
        lambda route: (lists if "hx-current-url" in route.request.headers else asked).append(route),
    )
    sent = []
    page.on("request", lambda request: sent.append(request.url) if "region=Kayes" in request.url else None)
    tab.key_in(page.locator("#id_region"), "Kayes")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # impatient: the first Enter's look-up has not come back
    page.wait_for_timeout(300)
    assert len(asked) == 1
    asked[0].continue_()
    page.wait_for_url("**region=Kayes&**")
    page.wait_for_timeout(300)
    assert len([url for url in sent if "/dashboard/?" in url]) == 1
    assert tab.errors == []


def test_a_planner_filters_and_exports_with_the_keyboard(visit, transactional_db):
    UserFactory(role=Role.MANAGER, email="planner@example.test")
    for i in range(2):
        OrganizationFactory(name=f"Transit Kayes {i}", type="freight_forwarder")
    OrganizationFactory(name="Banque Sahel", type="bank")
    tab = visit()
    page = tab.page
    tab.sign_in_with_keys("planner@example.test", PASSWORD)

    tab.goto("/stakeholders/organizations/")
    tab.tab_to(page.locator("summary", has_text="Filters"))
    page.keyboard.press("Enter")
    tab.tab_to(page.get_by_label("Type"))
    page.keyboard.type("Freight")  # a closed <select> picks the option typed
    tab.tab_to(page.get_by_role("button", name="Apply filters"))
    page.keyboard.press("Enter")
    page.wait_for_url("**type=freight_forwarder**")
    assert page.get_by_text("2 organizations").is_visible()

    tab.tab_to(page.get_by_role("link", name="Export CSV (codes)"))
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    with open(download.value.path(), encoding="utf-8-sig") as file:
        rows = list(csv.DictReader(file))
    assert sorted(r["name"] for r in rows) == ["Transit Kayes 0", "Transit Kayes 1"]
    assert tab.errors == []
    assert tab.external_requests == []


def test_an_invitation_is_sent_and_accepted_with_the_keyboard(visit, transactional_db):
    UserFactory(role=Role.ADMINISTRATOR, email="admin@example.test")
    admin = visit(locale="fr-FR")
    page = admin.page
    admin.sign_in_with_keys("admin@example.test", PASSWORD)
    admin.goto("/users/")
    admin.tab_to(page.get_by_role("link", name="Inviter").first)
    admin.press_and_wait()
    admin.key_in(page.locator("input[name=email]"), "fatou.sow@example.test")
    admin.key_in(page.locator("input[name=first_name]"), "Fatou")
    admin.key_in(page.locator("input[name=last_name]"), "Sow")
    admin.tab_to(page.locator("select[name=role]"))
    label = page.locator(f"select[name=role] option[value='{Role.OFFICER}']").inner_text()
    page.keyboard.type(label.split()[0])  # a space would open the list instead
    admin.tab_to(page.locator("#main form[method=post] button[type=submit]"))
    admin.press_and_wait()
    assert User.objects.get(email="fatou.sow@example.test").role == Role.OFFICER

    [message] = mail.outbox
    link = re.search(r"https?://[^/\s]+(/accounts/invitation/\S+/)", message.body).group(1)
    colleague = visit(viewport=PHONE, locale="fr-FR")
    colleague.goto(link)
    colleague.key_in(colleague.page.locator("input[name=new_password1]"), "Kidira-frontiere-2026")
    colleague.key_in(colleague.page.locator("input[name=new_password2]"), "Kidira-frontiere-2026")
    colleague.page.keyboard.press("Enter")
    colleague.page.wait_for_url("**/accounts/login/")
    colleague.sign_in_with_keys("fatou.sow@example.test", "Kidira-frontiere-2026")
    assert colleague.page.get_by_role("heading", name="Bienvenue, Fatou").is_visible()
    assert admin.errors == []
    assert colleague.errors == []


def open_file_chooser(tab, field):
    """Space on a focused file field opens the system's file chooser, and so does Enter. Headless
    chromium now and then lets the key pass without opening it (seen twice in CI, on the second
    visit of the page): each try starts again from a fresh page, as a person would reload it."""
    for _attempt in range(3):
        tab.tab_to(field)
        for key in ("Space", "Enter"):
            try:
                with tab.page.expect_file_chooser(timeout=5000) as chooser:
                    tab.page.keyboard.press(key)
                return chooser.value
            except PlaywrightTimeout:
                continue
        tab.page.reload()
    raise AssertionError("the file field does not open with Space or Enter")


def test_an_import_is_checked_and_confirmed_with_the_keyboard(visit, transactional_db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    UserFactory(role=Role.OFFICER, email="awa@example.test")
    tab = visit(viewport=PHONE, locale="fr-FR")
    page = tab.page
    tab.sign_in_with_keys("awa@example.test", PASSWORD)

    def check(path):
        tab.goto("/stakeholders/import/")
        open_file_chooser(tab, page.locator("input[type=file]")).set_files(str(path))
        tab.tab_to(page.get_by_role("button", name="Vérifier le fichier"))
        tab.press_and_wait()
        tab.tab_to(page.locator("#import-columns button[type=submit]"))  # the columns, as guessed
        tab.press_and_wait()

    check(SAMPLE_WITH_ERRORS)
    assert page.get_by_text("3 problèmes à corriger").is_visible()
    corrected = corrected_sample(tmp_path)
    check(corrected)
    tab.tab_to(page.get_by_role("button", name="Importer"))
    tab.press_and_wait()
    assert page.get_by_role("heading", name="Importation terminée").is_visible()
    assert Organization.objects.count() == 10
    tab.shot("keyboard-import-done")
    assert tab.errors == []
    assert tab.external_requests == []
