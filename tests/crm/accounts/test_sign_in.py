import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from crm.models import User
from tests.factories import PASSWORD, UserFactory

GENERIC_ERROR = "The email address and/or password you specified are not correct."


def sign_in(client, email, password):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_it_signs_in_by_email_and_lands_on_home(client, officer):
    response = sign_in(client, officer.email.upper(), PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    ("email", "password"),
    [("officer@example.test", "wrong-password"), ("nobody@example.test", "wrong-password")],
    ids=["wrong password", "unknown e-mail"],
)
def test_a_failed_sign_in_says_the_same_whether_or_not_the_account_exists(client, officer, email, password):
    response = sign_in(client, email, password)
    assert response.status_code == 200
    assert GENERIC_ERROR in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_deactivated_user_gets_the_same_message(client, db):
    user = UserFactory(is_active=False)
    response = sign_in(client, user.email, PASSWORD)
    assert GENERIC_ERROR in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_message_is_translated(client, officer):
    response = client.post("/accounts/login/", {"login": officer.email, "password": "nope"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert "L’adresse e-mail ou le mot de passe sont incorrects." in response.content.decode()


def test_repeated_failures_are_rate_limited(client, officer):
    for _ in range(5):
        sign_in(client, officer.email, "wrong-password")
    response = client.post(
        "/accounts/login/", {"login": officer.email, "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert "Trop de tentatives de connexion échouées" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_guesses_against_a_deactivated_account_are_rate_limited_too(client, db):
    user = UserFactory(is_active=False)
    for _ in range(5):
        sign_in(client, user.email, PASSWORD)
    assert "Too many failed login attempts" in sign_in(client, user.email, PASSWORD).content.decode()


def test_there_is_no_public_sign_up(client, db):
    response = client.post(
        "/accounts/signup/",
        {"email": "walk.in@example.test", "password1": "x-Very-long-1", "password2": "x-Very-long-1"},
    )
    assert "Sign Up Closed" in response.content.decode()
    assert not User.objects.filter(email="walk.in@example.test").exists()


def test_users_cannot_change_their_own_e_mail_address(client, officer):
    client.force_login(officer)
    response = client.post("/accounts/email/", {"action_add": "", "email": "someone.else@example.test"})
    assert response.status_code == 302
    assert list(officer.emailaddress_set.values_list("email", flat=True)) == []  # factory users have none
    assert not EmailAddress.objects.filter(email="someone.else@example.test").exists()


def test_password_reset_does_not_reveal_whether_an_account_exists(client, officer):
    EmailAddress.objects.create(user=officer, email=officer.email, primary=True, verified=True)
    known = client.post("/accounts/password/reset/", {"email": officer.email})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.test"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert [m.to for m in mail.outbox] == [[officer.email]]  # nothing mailed to an unknown address


def test_the_admin_sign_in_goes_through_allauth(client, db):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
