"""Every page needs a signed-in user, unless it is a sign-in page or /health/."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

OPEN_PREFIXES = ("/accounts/", "/health/", "/i18n/", "/static/")
APP_FILES = ("/manifest.webmanifest", "/sw.js")  # public by design (tests/crm/offline/)
API_PREFIX = "/api/"  # answers 401 instead (tests/api/test_access.py)


def _paths(patterns, prefix=""):
    for entry in patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _paths(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            path = "/" + prefix + route
            path = path.replace("<int:pk>", "1").replace("<int:user_id>", "1")
            if "<" in path or "(?P" in path or "^" in path:
                continue  # admin regex routes are covered by /admin/ itself
            yield path


APP_PATHS = sorted(
    {p for p in _paths(get_resolver().url_patterns) if not p.startswith((*OPEN_PREFIXES, API_PREFIX, *APP_FILES))}
)


def test_the_walk_finds_the_app_pages():
    assert {"/", "/dashboard/", "/users/", "/stakeholders/organizations/"} <= set(APP_PATHS)


@pytest.mark.parametrize("path", APP_PATHS)
def test_an_anonymous_visitor_is_sent_to_sign_in(client, db, path):
    response = client.get(path)
    assert response.status_code == 302, path
    assert response["Location"].startswith("/accounts/login/") or "/login/" in response["Location"]
