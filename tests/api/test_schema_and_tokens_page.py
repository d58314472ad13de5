"""The schema and the documentation's pages (served from here: no outside address, within the CSP),
the account page where users make and revoke tokens, and the api_token command."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from crm.accounts.roles import Role
from crm.accounts.tokens import authenticate_key
from crm.models import ApiToken

EXTERNAL = re.compile(r"""(?:src|href)=["']?(?:https?:)?//""")


def test_the_schema_describes_every_resource(officer_api, db):
    response = officer_api.get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/v1/engagements/", "/api/v1/engagements/{id}/", "/api/v1/follow-ups/{id}/"} <= set(paths)
    assert response.json()["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


@pytest.mark.parametrize("path", ["/api/docs/", "/api/docs/redoc/"])
def test_the_documentation_loads_nothing_from_elsewhere(officer_client, path):
    response = officer_client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert not EXTERNAL.search(html), html
    assert "<script>" not in html.replace(" ", "")  # no inline script: the CSP forbids them
    for url in re.findall(r"""(?:src|href)="([^"]+)\"""", html):
        assert officer_client.get(url).status_code == 200, url
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-eval" not in policy
    assert "http" not in policy


def test_the_swagger_start_up_script_is_a_file(officer_client):
    response = officer_client.get("/api/docs/?script=")
    assert response.status_code == 200
    assert "javascript" in response["Content-Type"]


def test_the_account_page_makes_shows_once_and_revokes_a_token(officer_client, officer):
    page = officer_client.get("/accounts/tokens/")
    assert page.status_code == 200
    assert b"API tokens" in page.content
    made = officer_client.post("/accounts/tokens/", {"action": "create", "name": "Reporting script", "days": "30"})
    key = made.context["created"]["key"]
    assert key.encode() in made.content
    assert authenticate_key(key).user == officer
    again = officer_client.get("/accounts/tokens/")
    assert key.encode() not in again.content
    assert b"Reporting script" in again.content
    token = ApiToken.objects.get()
    officer_client.post("/accounts/tokens/", {"action": "revoke", "token": str(token.pk)})
    assert authenticate_key(key) is None
    assert officer_client.post("/accounts/tokens/", {"action": "revoke", "token": "x"}).status_code == 404


def test_the_account_page_refuses_bad_values_by_name(officer_client):
    response = officer_client.post("/accounts/tokens/", {"action": "create", "name": "", "days": "9999"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "days"}
    assert not ApiToken.objects.exists()


def test_a_role_that_needs_two_factor_is_sent_to_enrol_first(manager_client, settings):
    settings.MFA_REQUIRED_ROLES = [Role.MANAGER]
    response = manager_client.post("/accounts/tokens/", {"action": "create", "name": "x", "days": "3"})
    assert response.status_code == 200
    assert not ApiToken.objects.exists()
    assert response.context["must_enrol"]


def test_a_users_tokens_are_theirs_only(officer, manager_client):
    from crm.accounts.tokens import token_create

    token, _key = token_create(user=officer, name="officer's", days=1)
    assert manager_client.post("/accounts/tokens/", {"action": "revoke", "token": token.pk}).status_code == 404
    assert b"officer&#x27;s" not in manager_client.get("/accounts/tokens/").content


def test_the_command_prints_a_working_token(officer):
    out = StringIO()
    call_command("api_token", officer.email.upper(), "--name", "nightly", "--days", "7", stdout=out, stderr=StringIO())
    key = out.getvalue().strip()
    assert authenticate_key(key).name == "nightly"
    response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/organizations/")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("args", "message"), [(["nobody@example.test"], "No user"), (["officer@example.test", "--days", "0"], "days")]
)
def test_the_command_refuses_clearly(officer, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("api_token", *args, stdout=StringIO(), stderr=StringIO())
