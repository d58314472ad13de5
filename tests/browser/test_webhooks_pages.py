"""The webhooks pages on a phone, with the keyboard only, in French: an endpoint added, its secret
read, its deliveries listed as cards; nothing scrolls sideways; no serious accessibility violation."""

import pytest
from django.utils import timezone

from crm.accounts.roles import Role
from crm.models import WebhookDelivery, WebhookEndpoint
from tests.browser.test_accessibility import violations
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser
WIDE = "document.documentElement.scrollWidth"


def test_an_endpoint_is_added_with_the_keyboard_on_a_phone(visit, transactional_db, axe_source):
    UserFactory(role=Role.ADMINISTRATOR, email="admin@example.test")
    admin = visit(viewport={"width": 360, "height": 780}, locale="fr-FR")
    page = admin.page
    admin.sign_in_with_keys("admin@example.test", PASSWORD)
    admin.goto("/settings/webhooks/new/")
    admin.key_in(page.locator("input[name=name]"), "Système partenaire")
    admin.key_in(page.locator("input[name=url]"), "https://partenaire.example.org/crochets/gestion-des-relations")
    admin.tab_to(page.locator("input[name=events][value='concern.raised']"))
    page.keyboard.press("Space")
    admin.tab_to(page.locator("#main form[method=post] button[type=submit]"))
    admin.press_and_wait()
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["concern.raised"]
    assert page.locator("#webhook-secret").input_value() == endpoint.secret
    problems = [("secret", violations(page, axe_source))]
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        event="concern.raised",
        subject="concern:1",
        occurred_at=timezone.now(),
        status="failed",
        attempts=8,
        last_status_code=500,
        last_response="Erreur interne du serveur " * 10,
    )
    wide = []
    for path in [
        "/settings/webhooks/",
        f"/settings/webhooks/{endpoint.pk}/",
        f"/settings/webhooks/{endpoint.pk}/edit/",
    ]:
        admin.goto(path)
        if (width := page.evaluate(WIDE)) > 360:
            wide.append((path, width))
        problems.append((path, violations(page, axe_source)))
    admin.goto(f"/settings/webhooks/{endpoint.pk}/?status=failed")
    admin.tab_to(page.locator("form[action$='/send-again/'] button"))
    admin.press_and_wait()
    assert WebhookDelivery.objects.get().status == "pending"
    assert wide == []
    assert [p for p in problems if p[1]] == []
    assert admin.errors == []
