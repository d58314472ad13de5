"""Every page refuses a POST without its CSRF token (403), whatever the view does with POSTs."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from communications.models import Campaign, Commitment
from crm.accounts.roles import Role
from tests.factories import (
    ConcernFactory,
    ContactFactory,
    EngagementFactory,
    FollowUpFactory,
    OrganizationFactory,
    UserFactory,
)


def _paths(patterns, prefix=""):
    for entry in patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith("admin/"):
                continue
            yield from _paths(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern) and "(?P" not in route and "^" not in route:
            yield "/" + prefix + route


PATHS = sorted(set(_paths(get_resolver().url_patterns)))


@pytest.fixture
def records(db):
    administrator = UserFactory(role=Role.ADMINISTRATOR)
    organization = OrganizationFactory()
    engagement = EngagementFactory(organizations=[organization], author=administrator)
    ids = {
        "pk": organization.pk,
        "contact": ContactFactory(organization=organization).pk,
        "engagement": engagement.pk,
        "follow_up": FollowUpFactory(engagement=engagement).pk,
        "concern": ConcernFactory(organization=organization).pk,
        "commitment": Commitment.objects.create(type="mou", title="MoU", author=administrator).pk,
        "campaign": Campaign.objects.create(name="Campaign").pk,
    }
    return administrator, ids


def _concrete(path: str, ids: dict) -> str:
    for part, key in (
        ("contacts/", "contact"),
        ("engagements/", "engagement"),
        ("follow-ups/", "follow_up"),
        ("concerns/", "concern"),
        ("commitments/", "commitment"),
        ("campaigns/", "campaign"),
    ):
        if part + "<int:pk>" in path:
            return path.replace("<int:pk>", str(ids[key]))
    return (
        path.replace("<int:pk>", str(ids["pk"]))
        .replace("<str:token>", "0" * 32)
        .replace("<uidb64>", "MQ")
        .replace("<token>", "abc-def")
        .replace("<slug:secret>", "x" * 43)
    )


def test_the_walk_finds_the_forms():
    assert "/communications/engagements/new/" in PATHS
    assert "/users/invite/" in PATHS
    assert len(PATHS) > 60


def test_every_post_without_a_token_is_refused(records):
    administrator, ids = records
    client = Client(enforce_csrf_checks=True)
    client.force_login(administrator)
    accepted = []
    for path in PATHS:
        response = client.post(_concrete(path, ids), {"name": "x"})
        if response.status_code != 403:
            accepted.append((path, response.status_code))
    assert accepted == []
