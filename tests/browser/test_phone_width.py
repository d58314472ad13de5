"""At 360 px, no page scrolls sideways, list tables turn into cards (nothing to scroll inside
them either; only data grids such as the maps and monthly figures keep their columns), and no page
logs a JavaScript or CSP error."""

import pytest
from django.utils import timezone

from crm.accounts.roles import Role
from crm.models import ExportLog
from tests.factories import (
    PASSWORD,
    ContactFactory,
    EngagementFactory,
    FollowUpFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser
PAGES = [
    "/",
    "/dashboard/",
    "/stakeholders/organizations/",
    "/stakeholders/organizations/map/",
    "/stakeholders/contacts/",
    "/stakeholders/import/",
    "/communications/engagements/",
    "/communications/engagements/new/",
    "/communications/follow-ups/?owner=all",
    "/communications/commitments/",
    "/communications/concerns/",
    "/communications/campaigns/",
    "/exports/",
    "/exports/mine/",
    "/accounts/sessions/",
]
# List pages whose rows must show as cards (the test data gives each at least one row).
CARD_LISTS = [
    "/stakeholders/organizations/",
    "/stakeholders/contacts/",
    "/communications/engagements/",
    "/communications/follow-ups/?owner=all",
    "/exports/",
    "/exports/mine/",
    "/accounts/sessions/",
]
FIRST_ROW_SHOWN_AS = """() => {
  const row = document.querySelector("table.table-stack tbody tr");
  return row ? getComputedStyle(row).display : "no list table";
}"""
# Tables that scroll inside their own box on a phone: lists must not (they stack as cards).
SCROLLING_LISTS = """() => [...document.querySelectorAll("table.table-stack")]
  .filter(table => table.scrollWidth > table.parentElement.clientWidth + 1)
  .map(table => table.querySelector("th")?.innerText || table.className)"""


def test_main_pages_fit_a_phone_in_french(visit, transactional_db):
    manager = UserFactory(role=Role.MANAGER, email="moussa@example.test")
    organization = OrganizationFactory(name="Établissements Ténéré Import-Export SARL")
    ContactFactory(organization=organization)
    engagement = EngagementFactory(
        author=manager,
        organizations=[organization],
        title="Atelier sur les délais de mainlevée",
        occurred_on=timezone.localdate(),
    )
    FollowUpFactory(engagement=engagement, owner=manager, description="Envoyer le compte rendu de l’atelier")
    ExportLog.objects.create(user=manager, dataset="organizations", format="csv", rows=1)
    writing = ExportLog.objects.create(
        user=manager, dataset="engagements", format="xlsx", rows=250_000, rows_done=98_000, status="writing"
    )
    tab = visit(viewport={"width": 360, "height": 780}, locale="fr-FR")
    tab.sign_in("moussa@example.test", PASSWORD)
    wide, scrolling, not_cards = [], [], []
    for path in [*PAGES, f"/communications/engagements/{engagement.pk}/", f"/exports/{writing.pk}/"]:
        tab.goto(path)
        width = tab.page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            wide.append((path, width))
        if tables := tab.page.evaluate(SCROLLING_LISTS):
            scrolling.append((path, tables))
        if path in CARD_LISTS and (shown := tab.page.evaluate(FIRST_ROW_SHOWN_AS)) != "block":
            not_cards.append((path, shown))
        if path == "/communications/follow-ups/?owner=all":
            tab.shot("follow-ups-as-cards")
    tab.shot("last-page")
    assert wide == []
    assert scrolling == []
    assert not_cards == []
    assert tab.errors == []
    assert tab.external_requests == []
