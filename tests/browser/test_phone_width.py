"""At 360 px, no page scrolls sideways and no page logs a JavaScript or CSP error."""

import pytest
from django.utils import timezone

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
]


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
    tab = visit(viewport={"width": 360, "height": 780}, locale="fr-FR")
    tab.sign_in("moussa@example.test", PASSWORD)
    wide = []
    for path in PAGES:
        tab.goto(path)
        width = tab.page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            wide.append((path, width))
    tab.shot("last-page")
    assert wide == []
    assert tab.errors == [] and tab.external_requests == []
