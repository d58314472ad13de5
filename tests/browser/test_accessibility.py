"""axe-core (npm, see package.json) inside the browser on every main page, in English and French:
no serious or critical violation of WCAG 2 A/AA."""

import json
import os
from pathlib import Path

import pytest

from communications.models import Campaign
from crm.roles import Role
from tests.factories import (
    PASSWORD,
    ContactFactory,
    EngagementFactory,
    FollowUpFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def axe_source():
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail("axe-core is missing: npm ci")
        pytest.skip("axe-core is missing (npm ci)")
    return AXE.read_text()


def violations(page, axe_source) -> list[str]:
    # Evaluated through the browser's debugging protocol, so the page's CSP does not apply to it.
    page.evaluate(axe_source)
    result = page.evaluate(
        "async () => (await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}})).violations"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {json.dumps([n['target'] for n in v['nodes']][:3])}"
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_the_main_pages_have_no_serious_accessibility_violation(visit, transactional_db, axe_source, locale):
    manager = UserFactory(role=Role.MANAGER, email="manager@example.test")
    organization = OrganizationFactory(name="Transit Saloum")
    contact = ContactFactory(organization=organization)
    engagement = EngagementFactory(author=manager, organizations=[organization])
    engagement.contacts.add(contact)
    FollowUpFactory(engagement=engagement, owner=manager)
    campaign = Campaign.objects.create(name="Anti-Corruption Day", status="active", target_reached=4)
    pages = [
        "/",
        "/dashboard/",
        "/stakeholders/organizations/",
        f"/stakeholders/organizations/{organization.pk}/",
        "/stakeholders/organizations/new/",
        "/stakeholders/contacts/",
        f"/stakeholders/contacts/{contact.pk}/",
        "/stakeholders/import/",
        "/communications/engagements/",
        "/communications/engagements/new/",
        f"/communications/engagements/{engagement.pk}/",
        "/communications/follow-ups/",
        "/communications/commitments/",
        "/communications/concerns/",
        "/communications/campaigns/",
        f"/communications/campaigns/{campaign.pk}/",
        "/exports/",
        "/accounts/sessions/",
    ]
    tab = visit(locale=locale)
    tab.goto("/accounts/login/")
    found = {"/accounts/login/": violations(tab.page, axe_source)}
    tab.sign_in("manager@example.test", PASSWORD)
    for path in pages:
        tab.goto(path)
        found[path] = violations(tab.page, axe_source)
    assert {path: problems for path, problems in found.items() if problems} == {}
    assert tab.errors == []


def test_every_chart_has_a_text_alternative(visit, transactional_db):
    """Each chart is a group named by its caption whose bars say their values (SVG titles), followed
    by its figures as a table (the same numbers, each linked to its rows)."""
    manager = UserFactory(role=Role.MANAGER, email="manager@example.test")
    organization = OrganizationFactory(name="Transit Saloum")
    EngagementFactory(author=manager, organizations=[organization])
    tab = visit(locale="fr-FR")
    tab.sign_in("manager@example.test", PASSWORD)
    tab.goto("/dashboard/")
    charts = tab.page.evaluate(
        """() => [...document.querySelectorAll("figure.chart")].map(figure => ({
             caption: figure.querySelector("figcaption")?.innerText.trim() || "",
             picture: !!figure.querySelector(".chart-svg svg"),
             named: [...figure.querySelectorAll(".chart-svg svg")].every(svg =>
               svg.getAttribute("role") === "group"
               && svg.getAttribute("aria-label") === figure.querySelector("figcaption").innerText.trim()
               && svg.querySelectorAll("g.bar, g.slice").length
                  === svg.querySelectorAll("g.bar > title, g.bar > a > title, g.slice > a > title").length),
             rows: figure.querySelectorAll("details table tbody tr").length,
             empty: !!figure.querySelector("p.text-body-secondary"),
           }))"""
    )
    assert len(charts) >= 5
    for chart in charts:
        assert chart["caption"], chart
        if chart["picture"]:
            assert chart["named"] and chart["rows"] > 0, chart
        else:
            assert chart["empty"], chart  # "No data for this period.", said in words
