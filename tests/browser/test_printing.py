"""The dashboard and a campaign report print cleanly: no navigation, filters or buttons on paper,
nothing cut at the right edge of an A4 page, the figures and charts kept, a PDF of a few pages."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from communications.models import Campaign
from communications.services import refresh_last_engaged
from crm.accounts.roles import Role
from tests.browser.conftest import ARTIFACTS
from tests.factories import PASSWORD, EngagementFactory, OrganizationFactory, RegionFactory, UserFactory

pytestmark = pytest.mark.browser
TODAY = timezone.localdate()
A4_WIDTH = 794  # CSS pixels at 96 dpi, before the printer's margins

# What must not reach paper, and what the page must keep.
ON_SCREEN_ONLY = "header, footer, nav, form[role=search], .skip-link, .no-print, .btn"


def _print_view(tab, path, name):
    page = tab.page
    tab.goto(path)
    page.set_viewport_size({"width": A4_WIDTH, "height": 1123})
    page.emulate_media(media="print")
    shown = page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
             .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== "hidden")
             .map(e => e.tagName + "." + e.className)""",
        ON_SCREEN_ONLY,
    )
    width = page.evaluate("document.documentElement.scrollWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"print-{name}.png", full_page=True)
    pdf = page.pdf(format="A4", print_background=True)
    (ARTIFACTS / f"print-{name}.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    return shown, width, pages


@pytest.fixture
def campaign_data(transactional_db):
    UserFactory(role=Role.MANAGER, email="moussa@example.test")
    kayes = RegionFactory(name="Kayes")
    brokers = [OrganizationFactory(name=f"Transit Kayes {i}", type="customs_broker", region=kayes) for i in range(3)]
    campaign = Campaign.objects.create(
        name="Journée anti-corruption",
        status="active",
        starts_on=TODAY - timedelta(days=30),
        ends_on=TODAY + timedelta(days=20),
        audience_query="region=Kayes",
        target_reached=3,
    )
    for days in (3, 12, 40):
        EngagementFactory(
            occurred_on=TODAY - timedelta(days=days), organizations=brokers[:2], region=kayes, campaign=campaign
        )
    refresh_last_engaged([o.pk for o in brokers])
    return campaign


def test_the_dashboard_prints_cleanly(visit, campaign_data):
    tab = visit(locale="fr-FR")
    tab.sign_in("moussa@example.test", PASSWORD)
    shown, width, pages = _print_view(tab, "/dashboard/", "dashboard")
    assert shown == []
    assert width <= A4_WIDTH
    assert 1 <= pages <= 6
    assert tab.page.locator(".figure-card").first.is_visible()
    assert tab.page.locator(".chart-svg svg").count() >= 3  # the charts are on paper
    assert tab.errors == []


def test_a_campaign_report_prints_cleanly(visit, campaign_data):
    tab = visit()
    tab.sign_in("moussa@example.test", PASSWORD)
    shown, width, pages = _print_view(tab, f"/communications/campaigns/{campaign_data.pk}/report/", "campaign-report")
    assert shown == []
    assert width <= A4_WIDTH
    assert 1 <= pages <= 4
    assert tab.page.get_by_role("heading", name="Journée anti-corruption").first.is_visible()
    assert tab.errors == []
