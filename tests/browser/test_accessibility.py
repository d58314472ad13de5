"""axe-core (npm, see package.json) inside the browser on every main page, in English and French:
no serious or critical violation of WCAG 2 A/AA."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from communications.models import Campaign, Commitment
from crm.accounts.roles import Role
from crm.models import ExportLog
from tests.factories import (
    PASSWORD,
    ConcernFactory,
    ContactFactory,
    EngagementFactory,
    FollowUpFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser


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


def rows_in_every_state(manager):
    """Data that puts every tinted or marked row state on the pages: follow-ups overdue, open, due
    later and done; a planned engagement; an archived organization and person; a concern referred to
    Internal Affairs; a commitment due for review soon."""
    today = timezone.localdate()
    organization = OrganizationFactory(name="Transit Saloum")
    contact = ContactFactory(organization=organization)
    engagement = EngagementFactory(author=manager, organizations=[organization], occurred_on=today - timedelta(days=20))
    engagement.contacts.add(contact)
    FollowUpFactory(engagement=engagement, owner=manager, due_on=today - timedelta(days=5))  # overdue
    FollowUpFactory(engagement=engagement, owner=manager)  # due today
    FollowUpFactory(engagement=engagement, owner=manager, due_on=today + timedelta(days=9))
    FollowUpFactory(
        engagement=engagement,
        owner=manager,
        due_on=today - timedelta(days=9),
        status="done",
        completed_on=today - timedelta(days=8),
    )
    EngagementFactory(
        author=manager,
        organizations=[organization],
        title="Planned visit",
        occurred_on=today + timedelta(days=6),
        is_held=False,
    )
    archived = OrganizationFactory(name="Ancien Transit", is_archived=True)
    ContactFactory(organization=archived, is_archived=True)
    ConcernFactory(
        organization=organization,
        engagement=engagement,
        author=manager,
        summary="",
        referred_to_internal_affairs=True,
        referral_reference="IA-2026-00042",
    )
    ConcernFactory(organization=organization, author=manager)
    commitment = Commitment.objects.create(
        type="mou",
        title="MoU Saloum",
        status="signed",
        author=manager,
        engagement=engagement,
        signed_on=today - timedelta(days=300),
        review_on=today + timedelta(days=10),
    )
    commitment.parties.add(organization)
    return organization, contact, engagement


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_the_main_pages_have_no_serious_accessibility_violation(visit, transactional_db, axe_source, locale):
    manager = UserFactory(role=Role.MANAGER, email="manager@example.test")
    organization, contact, engagement = rows_in_every_state(manager)
    campaign = Campaign.objects.create(name="Anti-Corruption Day", status="active", target_reached=4)
    writing = ExportLog.objects.create(
        user=manager, dataset="engagements", format="xlsx", rows=250_000, rows_done=98_000, status="writing"
    )
    pages = [
        "/",
        "/dashboard/",
        "/stakeholders/organizations/",
        "/stakeholders/organizations/?archived=all",
        f"/stakeholders/organizations/{organization.pk}/",
        "/stakeholders/organizations/new/",
        "/stakeholders/contacts/",
        "/stakeholders/contacts/?archived=all",
        f"/stakeholders/contacts/{contact.pk}/",
        "/stakeholders/import/",
        "/search/?q=transit",
        "/communications/engagements/",
        "/communications/engagements/?held=no",
        "/communications/engagements/?held=all",
        "/communications/engagements/new/",
        f"/communications/engagements/{engagement.pk}/",
        "/communications/follow-ups/",
        "/communications/follow-ups/?owner=all&status=open&status=in_progress&status=done",
        "/communications/commitments/",
        "/communications/concerns/",
        "/communications/campaigns/",
        f"/communications/campaigns/{campaign.pk}/",
        "/exports/",
        "/exports/mine/",
        f"/exports/{writing.pk}/",
        "/accounts/sessions/",
    ]
    tab = visit(locale=locale)
    tab.goto("/accounts/login/")
    found = {"/accounts/login/": violations(tab.page, axe_source)}
    tab.sign_in("manager@example.test", PASSWORD)
    for path in pages:
        tab.goto(path)
        if path == f"/stakeholders/organizations/{organization.pk}/":
            # its open follow-ups, commitments and concerns: a panel htmx loads after the page
            expect(tab.page.locator("section[aria-labelledby=outcomes] h2")).to_have_count(3)
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
            assert chart["named"], chart
            assert chart["rows"] > 0, chart
        else:
            assert chart["empty"], chart  # "No data for this period.", said in words
