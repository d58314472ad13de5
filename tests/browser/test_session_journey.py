"""An officer's session ends while a form is open; after signing in again the typed text is back."""

import time

import pytest

from crm.accounts.roles import Role
from stakeholders.models import Organization
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


def test_a_form_typed_when_the_session_ends_is_back_after_signing_in(visit, transactional_db, settings):
    UserFactory(role=Role.OFFICER, email="awa@example.test")
    tab = visit(locale="fr-FR")
    page = tab.page
    tab.sign_in("awa@example.test", PASSWORD)
    tab.goto("/stakeholders/organizations/new/")
    page.fill("input[name=name]", "Transit Sahel SARL")
    page.select_option("select[name=type]", "freight_forwarder")
    page.fill("textarea[name=notes]", "Rencontré au poste frontière de Kidira")

    settings.SESSION_IDLE_SECONDS = 1  # the officer was called away
    time.sleep(2.5)
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/accounts/login/**")
    assert "ce que vous avez saisi est conservé" in page.content()
    assert not Organization.objects.exists()

    settings.SESSION_IDLE_SECONDS = 30 * 60
    page.fill("input[name=login]", "awa@example.test")
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(tab.base_url + "/stakeholders/organizations/new/")
    assert page.input_value("input[name=name]") == "Transit Sahel SARL"
    assert page.input_value("select[name=type]") == "freight_forwarder"
    assert page.input_value("textarea[name=notes]") == "Rencontré au poste frontière de Kidira"
    tab.shot("restored")

    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()
    assert Organization.objects.get().name == "Transit Sahel SARL"
    assert tab.errors == []
