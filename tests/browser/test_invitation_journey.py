"""An administrator, in French, invites a colleague; the colleague opens the e-mailed link at
phone width, chooses a password and signs in."""

import re

import pytest
from django.core import mail

from crm.accounts.roles import Role
from crm.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser
NEW_PASSWORD = "Kidira-frontiere-2026"


def test_an_administrator_invites_a_colleague_who_signs_in(visit, transactional_db):
    UserFactory(role=Role.ADMINISTRATOR, email="admin@example.test")
    admin = visit(locale="fr-FR")
    page = admin.page
    admin.sign_in("admin@example.test", PASSWORD)
    admin.goto("/users/")
    page.get_by_role("link", name="Inviter").first.click()
    page.fill("input[name=email]", "fatou.sow@example.test")
    page.fill("input[name=first_name]", "Fatou")
    page.fill("input[name=last_name]", "Sow")
    page.select_option("select[name=role]", Role.OFFICER)
    admin.shot("invite-form")
    page.locator("#main form[method=post] button[type=submit]").click()
    page.wait_for_load_state()
    assert "fatou.sow@example.test" in page.content()
    assert User.objects.get(email="fatou.sow@example.test").role == Role.OFFICER

    [message] = mail.outbox
    link = re.search(r"https?://[^/\s]+(/accounts/invitation/\S+/)", message.body).group(1)
    colleague = visit(viewport={"width": 360, "height": 780}, locale="fr-FR")
    colleague.goto(link)
    colleague.page.fill("input[name=new_password1]", NEW_PASSWORD)
    colleague.page.fill("input[name=new_password2]", NEW_PASSWORD)
    colleague.shot("choose-password")
    colleague.page.press("input[name=new_password2]", "Enter")
    colleague.page.wait_for_url("**/accounts/login/")
    colleague.sign_in("fatou.sow@example.test", NEW_PASSWORD)
    assert colleague.page.get_by_role("heading", name="Bienvenue, Fatou").is_visible()
    colleague.shot("signed-in")
    assert admin.errors == []
    assert colleague.errors == []
    assert admin.external_requests == []
    assert colleague.external_requests == []
