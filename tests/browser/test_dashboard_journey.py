"""A manager, in French, reads the dashboard for Kayes this quarter and opens the rows behind a
figure, then checks whether the campaign is on target."""

from datetime import timedelta

import pytest
from django.utils import timezone

from communications.models import Campaign
from communications.services import refresh_last_engaged
from crm.accounts.roles import Role
from tests.factories import PASSWORD, EngagementFactory, OrganizationFactory, RegionFactory, UserFactory

pytestmark = pytest.mark.browser
TODAY = timezone.localdate()


def test_a_manager_reads_the_dashboard_and_drills_down(visit, transactional_db):
    UserFactory(role=Role.MANAGER, email="moussa@example.test", first_name="Moussa")
    kayes, dakar = RegionFactory(name="Kayes"), RegionFactory(name="Dakar")
    brokers = [OrganizationFactory(name=f"Transit Kayes {i}", type="customs_broker", region=kayes) for i in range(3)]
    other = OrganizationFactory(name="Banque Dakar", type="bank", region=dakar)
    campaign = Campaign.objects.create(
        name="Journée anti-corruption",
        status="active",
        starts_on=TODAY - timedelta(days=30),
        ends_on=TODAY + timedelta(days=20),
        audience_query="region=Kayes",
        target_reached=3,
    )
    EngagementFactory(
        occurred_on=TODAY - timedelta(days=5),
        organizations=brokers[:2],
        region=kayes,
        depth="consult",
        campaign=campaign,
    )
    EngagementFactory(occurred_on=TODAY - timedelta(days=8), organizations=[other], region=dakar, depth="inform")
    refresh_last_engaged([o.pk for o in [*brokers, other]])

    tab = visit(locale="fr-FR")
    page = tab.page
    tab.sign_in("moussa@example.test", PASSWORD)
    tab.goto("/dashboard/")
    page.fill("#id_region", "Kayes")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_load_state()
    tab.shot("dashboard-kayes")
    card = page.locator(".figure-card", has_text="Organisations touchées")
    assert card.locator(".fs-3").inner_text().strip() == "2"
    card.locator("a").click()
    page.wait_for_load_state()
    assert page.get_by_text("2 organisations").is_visible()
    assert page.get_by_role("link", name="Transit Kayes 0").is_visible()
    tab.shot("drill-down")
    page.get_by_role("link", name="Transit Kayes 0").click()  # a row's link opens its page, not inside the list
    page.get_by_role("heading", name="Transit Kayes 0", level=1).wait_for()
    assert "/stakeholders/organizations/" in page.url
    assert page.locator("#results").count() == 0
    assert page.locator("nav.navbar").count() == 1
    page.go_back()
    page.get_by_text("2 organisations").wait_for()

    page.go_back()
    page.get_by_text("Les chiffres sous forme de tableau").last.click()
    page.get_by_role("link", name="Journée anti-corruption").first.click()
    page.wait_for_load_state()
    assert page.get_by_text("2 sur 3 (67 %)").is_visible()
    tab.shot("campaign")
    assert tab.errors == []
    assert tab.external_requests == []
