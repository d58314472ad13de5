import pytest

from crm.accounts.roles import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


def test_an_officer_signs_in_and_switches_to_french_at_phone_width(visit, transactional_db):
    UserFactory(role=Role.OFFICER, email="awa@example.test", first_name="Awa")
    tab = visit(viewport={"width": 360, "height": 780})
    page = tab.page
    tab.sign_in("awa@example.test", PASSWORD)
    assert page.get_by_role("heading", name="Welcome, Awa").is_visible()
    tab.shot("home-en")

    page.get_by_role("button", name="Français").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", name="Mes suivis en cours").is_visible()
    tab.shot("home-fr")

    # Nothing scrolls sideways at phone width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # The menu opens from the toggler and reaches every area.
    page.get_by_role("button", name="Afficher ou masquer le menu").click()
    page.get_by_role("button", name="Parties prenantes").click()
    page.get_by_role("link", name="Organisations").wait_for(state="visible")
    page.wait_for_selector("#main-nav.show")  # the collapse animation has finished
    tab.shot("menu-fr")
    assert tab.errors == []
    assert tab.external_requests == []


def test_a_wrong_password_gets_a_clear_message_in_french(visit, transactional_db):
    UserFactory(role=Role.MANAGER, email="moussa@example.test")
    tab = visit(locale="fr-FR")
    tab.goto("/accounts/login/")
    tab.page.fill("input[name=login]", "moussa@example.test")
    tab.page.fill("input[name=password]", "pas-le-bon")
    tab.page.press("input[name=password]", "Enter")
    tab.page.wait_for_load_state()
    assert tab.page.get_by_role(
        "link", name="L’adresse e-mail ou le mot de passe sont incorrects."
    ).is_visible()  # the error summary
    assert tab.page.input_value("input[name=login]") == "moussa@example.test"  # nothing typed is lost
    tab.shot("wrong-password-fr")
    assert tab.errors == []


def test_the_skip_link_is_the_first_stop_for_the_keyboard(visit, transactional_db):
    UserFactory(role=Role.ADMINISTRATOR, email="fatou@example.test")
    tab = visit()
    tab.sign_in("fatou@example.test", PASSWORD)
    tab.page.keyboard.press("Tab")
    focused = tab.page.evaluate("document.activeElement.textContent")
    assert "Skip to main content" in focused
    tab.page.keyboard.press("Enter")
    assert tab.page.evaluate("document.activeElement.id") == "main"
