"""Nothing of the API is public: every URL answers 401 in JSON without a valid token or session,
never a redirect and never data; tokens act as their user, with their role."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from crm.accounts.roles import Role
from crm.accounts.tokens import LAST_USED_EVERY, authenticate_key, token_create, token_revoke
from crm.models import ApiToken
from tests.api.conftest import bearer
from tests.factories import ConcernFactory, OrganizationFactory, UserFactory


def _paths(patterns, prefix=""):
    for entry in patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _paths(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + route.replace("<pk>", "1").replace("<int:pk>", "1")


API_PATHS = sorted({p for p in _paths(get_resolver().url_patterns) if p.startswith("/api/")})


def test_the_walk_finds_every_resource():
    names = ["organizations", "contacts", "engagements", "follow-ups", "commitments", "concerns", "campaigns"]
    names += ["regions", "customs-offices", "topics", "key-factors", "types", "sectors"]
    assert {f"/api/v1/{name}/" for name in names} <= set(API_PATHS)
    assert {"/api/schema/", "/api/docs/", "/api/docs/redoc/"} <= set(API_PATHS)


def _refused(response):
    assert response.status_code == 401, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401
    assert "results" not in response.json()
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("path", API_PATHS)
@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_an_anonymous_request_answers_401_everywhere(db, path, method):
    _refused(getattr(Client(), method)(path, content_type="application/json"))


@pytest.mark.parametrize("path", API_PATHS)
def test_a_wrong_token_answers_401_everywhere(db, path):
    _refused(Client(HTTP_AUTHORIZATION="Bearer crm_0123456789_" + "x" * 40).get(path))


def test_a_valid_token_reads(officer):
    OrganizationFactory(name="Transit Saloum")
    response = bearer(officer).get("/api/v1/organizations/")
    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == ["Transit Saloum"]


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer a b",
        "Bearer crm_short_x",
        "Token abc",
        "Bearer crm_0123456789_" + "é" * 40,
        "Basic Zm9vOmJhcg==",
    ],
)
def test_malformed_headers_answer_401(db, header):
    response = Client(HTTP_AUTHORIZATION=header).get("/api/v1/organizations/")
    assert response.status_code in (401, 403) if header.startswith("Basic") else response.status_code == 401


def test_an_expired_token_answers_401(officer):
    token, key = token_create(user=officer, name="old", days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    _refused(Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/organizations/"))


def test_a_revoked_token_answers_401(officer):
    token, key = token_create(user=officer, name="revoked", days=1)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/organizations/").status_code == 200
    token_revoke(token=token)
    _refused(client.get("/api/v1/organizations/"))


def test_a_token_of_a_deactivated_user_answers_401(officer):
    client = bearer(officer)
    officer.is_active = False
    officer.save()
    _refused(client.get("/api/v1/organizations/"))


def test_a_token_differing_in_its_secret_answers_401(officer):
    _token, key = token_create(user=officer, name="t", days=1)
    forged = key[:-1] + ("a" if key[-1] != "a" else "b")
    _refused(Client(HTTP_AUTHORIZATION=f"Bearer {forged}").get("/api/v1/organizations/"))


def test_only_a_hash_is_kept(officer):
    token, key = token_create(user=officer, name="t", days=1)
    stored = ApiToken.objects.get(pk=token.pk)
    assert key not in (stored.key_hash, stored.prefix, stored.name)
    assert len(stored.key_hash) == 64


def test_last_used_is_written_at_most_once_a_minute(officer, django_assert_num_queries):
    token, key = token_create(user=officer, name="t", days=1)
    assert token.last_used_at is None
    authenticate_key(key)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    with django_assert_num_queries(1):  # the look-up only: no write within the minute
        authenticate_key(key)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - LAST_USED_EVERY)
    authenticate_key(key)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first - LAST_USED_EVERY


def test_a_user_without_a_role_is_refused(db):
    user = UserFactory()
    response = bearer(user).get("/api/v1/organizations/") if user.role else None
    assert response is None  # no token can even be made for them
    with pytest.raises(Exception, match="role"):
        token_create(user=user, name="t", days=1)


def test_the_session_works_with_csrf(officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    assert client.get("/api/v1/organizations/").status_code == 200
    refused = client.post("/api/v1/regions/", {}, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]


def test_a_session_without_two_factor_is_refused_in_json(manager, settings):
    settings.MFA_REQUIRED_ROLES = [Role.MANAGER]
    client = Client()
    client.force_login(manager)
    response = client.get("/api/v1/organizations/")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


def test_two_factor_roles_need_it_enrolled_to_make_a_token(manager, settings):
    settings.MFA_REQUIRED_ROLES = [Role.MANAGER]
    with pytest.raises(Exception, match="two-factor"):
        token_create(user=manager, name="t", days=1)


def test_an_officer_token_never_sees_a_colleagues_referral(officer, manager):
    colleague = UserFactory(role=Role.OFFICER)
    referral = ConcernFactory(
        author=colleague, summary="", referred_to_internal_affairs=True, referral_reference="IA-1"
    )
    officer_api, manager_api = bearer(officer), bearer(manager)
    assert officer_api.get(f"/api/v1/concerns/{referral.pk}/").status_code == 404
    assert officer_api.get("/api/v1/concerns/").json()["results"] == []
    seen = manager_api.get(f"/api/v1/concerns/{referral.pk}/").json()
    assert seen["referral_reference"] == "IA-1"
    assert seen["summary"] == ""
    assert seen["topic"] is None


def test_throttling_answers_429_with_retry_after(officer, settings):
    from rest_framework.settings import api_settings

    from crm.api.throttling import TokenRateThrottle

    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "api": "3/min"}
    TokenRateThrottle.THROTTLE_RATES = rates
    try:
        client = bearer(officer)
        answers = [client.get("/api/v1/regions/").status_code for _i in range(4)]
        response = client.get("/api/v1/regions/")
        assert answers == [200, 200, 200, 429]
        assert response.status_code == 429
        assert int(response["Retry-After"]) > 0
        assert response.json()["status"] == 429
        assert bearer(officer).get("/api/v1/regions/").status_code == 200  # per token
    finally:
        TokenRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
