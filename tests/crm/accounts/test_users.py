import re

import pytest
from django.core import mail

from crm.accounts.roles import Role
from crm.models import User
from tests.factories import PASSWORD, UserFactory

NEW_PASSWORD = "a-long-new-passphrase-42"


def invite(client, **overrides):
    data = {
        "email": "new.officer@example.test",
        "first_name": "Aminata",
        "last_name": "Koné",
        "role": Role.OFFICER,
        "preferred_language": "",
    } | overrides
    return client.post("/users/invite/", data)


def invitation_link(message) -> str:
    return re.search(r"http://testserver(/accounts/invitation/\S+/)", message.body).group(1)


def test_an_administrator_invites_a_user_who_sets_a_password_and_signs_in(
    client, administrator, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client)
    assert response.status_code == 302
    user = User.objects.get(email="new.officer@example.test")
    assert user.role == Role.OFFICER
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.officer@example.test"]

    client.logout()
    link = invitation_link(mail.outbox[0])
    assert client.get(link).status_code == 200
    response = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    response = client.post("/accounts/login/", {"login": user.email, "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_an_invitation_in_french_is_written_in_french(client, administrator, django_capture_on_commit_callbacks):
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, preferred_language="fr")
    assert "Choisissez votre mot de passe" in mail.outbox[0].body


def test_a_used_invitation_link_is_refused_with_a_clear_message(
    client, administrator, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        invite(client)
    client.logout()
    link = invitation_link(mail.outbox[0])
    client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    response = client.get(link)
    assert response.status_code == 400
    assert "This link has expired, has already been used, or is incomplete." in response.content.decode()


def test_an_expired_invitation_link_is_refused(client, administrator, settings, django_capture_on_commit_callbacks):
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        invite(client)
    client.logout()
    settings.PASSWORD_RESET_TIMEOUT = -1
    response = client.get(invitation_link(mail.outbox[0]), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert "Ce lien a expiré" in response.content.decode()


def test_a_tampered_link_is_refused(client, db):
    assert client.get("/accounts/invitation/zzz/abc-def/").status_code == 400


def test_inviting_an_existing_address_keeps_what_was_typed(client, administrator):
    client.force_login(administrator)
    response = invite(client, email=administrator.email.upper(), first_name="Typed")
    assert response.status_code == 200
    body = response.content.decode()
    assert "A user with this e-mail address already exists." in body
    assert 'value="Typed"' in body


def test_an_administrator_changes_a_role_and_deactivates_a_user(client, administrator, officer):
    client.force_login(administrator)
    data = {
        "first_name": officer.first_name,
        "last_name": officer.last_name,
        "role": Role.MANAGER,
        "preferred_language": "fr",
        "is_active": "on",
    }
    assert client.post(f"/users/{officer.pk}/", data).status_code == 302
    officer = User.objects.get(pk=officer.pk)
    assert officer.role == Role.MANAGER

    data.pop("is_active")
    client.post(f"/users/{officer.pk}/", data)
    assert not User.objects.get(pk=officer.pk).is_active
    client.logout()
    client.post("/accounts/login/", {"login": officer.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_an_administrator_cannot_demote_themselves(client, administrator):
    client.force_login(administrator)
    data = {"first_name": "A", "last_name": "B", "role": Role.OFFICER, "is_active": "on"}
    response = client.post(f"/users/{administrator.pk}/", data)
    assert response.status_code == 200
    assert "You cannot remove your own administrator role" in response.content.decode()
    assert User.objects.get(pk=administrator.pk).role == Role.ADMINISTRATOR


@pytest.mark.parametrize("path", ["/users/", "/users/invite/", "/users/1/"])
def test_officers_and_managers_cannot_manage_users(client, officer, manager, path):
    for user in (officer, manager):
        client.force_login(user)
        assert client.get(path).status_code == 403


def test_the_user_list_shows_pending_invitations(client, administrator, django_capture_on_commit_callbacks):
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        invite(client)
    UserFactory(is_active=False, email="gone@example.test")
    body = client.get("/users/").content.decode()
    assert "Invitation sent" in body
    assert "Deactivated" in body
    assert "gone@example.test" in client.get("/users/?q=gone").content.decode()


def test_the_invitation_can_be_sent_again(client, administrator, django_capture_on_commit_callbacks):
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        invite(client)
    user = User.objects.get(email="new.officer@example.test")
    client.post(f"/users/{user.pk}/resend/")
    assert len(mail.outbox) == 2
