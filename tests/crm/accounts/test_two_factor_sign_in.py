"""Two-factor sign-in end to end: TOTP code, a used code refused, a recovery code."""

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value

from tests.factories import PASSWORD, UserFactory


def _enrol(user):
    secret = "JBSWY3DPEHPK3PXP"
    TOTP.activate(user, secret)
    codes = RecoveryCodes.activate(user)
    return secret, codes.generate_codes()


def _current_code(secret):
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_an_enrolled_user_signs_in_with_a_totp_code(client, db):
    user = UserFactory()
    secret, _codes = _enrol(user)
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    response = client.post(
        "/accounts/2fa/authenticate/", {"code": "000000" if _current_code(secret) != "000000" else "111111"}
    )
    assert "_auth_user_id" not in client.session
    response = client.post("/accounts/2fa/authenticate/", {"code": _current_code(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_recovery_code_works_once(client, db):
    user = UserFactory()
    _secret, codes = _enrol(user)
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert client.session["_auth_user_id"] == str(user.pk)
    client.logout()
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert "_auth_user_id" not in client.session
    assert Authenticator.objects.filter(user=user).count() == 2


def test_a_used_totp_code_is_refused_a_second_time(client, db):
    user = UserFactory()
    secret, _codes = _enrol(user)
    code = _current_code(secret)
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": code})
    assert client.session["_auth_user_id"] == str(user.pk)
    client.logout()
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": code})
    assert "_auth_user_id" not in client.session
