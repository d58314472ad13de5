from allauth.mfa.models import Authenticator

from crm.accounts.roles import Role
from tests.factories import PASSWORD, UserFactory


def test_a_role_that_requires_two_factor_is_sent_to_enrol(client, settings, db):
    settings.MFA_REQUIRED_ROLES = [Role.MANAGER]
    manager = UserFactory(role=Role.MANAGER)
    response = client.post("/accounts/login/", {"login": manager.email, "password": PASSWORD}, follow=True)
    # allauth asks for the password again before a second factor is added.
    assert response.redirect_chain[-1][0] == "/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
    for path in ("/", "/dashboard/", "/stakeholders/organizations/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_other_roles_are_not(client, settings, db):
    settings.MFA_REQUIRED_ROLES = [Role.MANAGER]
    client.force_login(UserFactory(role=Role.OFFICER))
    assert client.get("/").status_code == 200


def test_an_enrolled_user_goes_through(client, settings, db):
    settings.MFA_REQUIRED_ROLES = [Role.MANAGER]
    manager = UserFactory(role=Role.MANAGER)
    Authenticator.objects.create(user=manager, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(manager)
    assert client.get("/").status_code == 200


def test_an_empty_list_makes_two_factor_optional(client, settings, db):
    settings.MFA_REQUIRED_ROLES = []
    client.force_login(UserFactory(role=Role.ADMINISTRATOR))
    assert client.get("/").status_code == 200
