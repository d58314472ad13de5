"""The permission table (docs/permissions.md) through the API: each role × resource × method, by a
token of that role, gives the answer the pages give (2xx allowed, 403 refused, 404 out of scope)."""

import json

import pytest

from crm.accounts.roles import Role
from tests.api.conftest import bearer
from tests.factories import (
    ConcernFactory,
    ContactFactory,
    EngagementFactory,
    FollowUpFactory,
    OrganizationFactory,
    UserFactory,
)

OFFICER, MANAGER, ADMIN = Role.OFFICER, Role.MANAGER, Role.ADMINISTRATOR


@pytest.fixture
def world(db):
    colleague = UserFactory(role=OFFICER, email="colleague@example.test")
    organization = OrganizationFactory(name="Transit Saloum")
    contact = ContactFactory(organization=organization)
    engagement = EngagementFactory(author=colleague, organizations=[organization])
    return {
        "organization": organization,
        "contact": contact,
        "engagement": engagement,
        "follow_up": FollowUpFactory(engagement=engagement, owner=colleague),
        "concern": ConcernFactory(organization=organization, author=colleague),
        "referral": ConcernFactory(
            organization=organization,
            author=colleague,
            summary="",
            referred_to_internal_affairs=True,
            referral_reference="IA-1",
        ),
        "spare_organization": OrganizationFactory(name="Nobody Refers"),
        "spare_contact": ContactFactory(organization=None),
    }


def status(response) -> str:
    code = response.status_code
    assert code < 500, response.content
    return {200: "ok", 201: "ok", 204: "ok", 403: "refused", 404: "hidden", 400: "ok", 409: "ok"}[code]


def patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


ACTIONS = {
    "read every list": lambda c, w: (
        "ok"
        if all(
            c.get(f"/api/v1/{name}/").status_code == 200
            for name in [
                "organizations",
                "contacts",
                "engagements",
                "follow-ups",
                "commitments",
                "concerns",
                "campaigns",
                "regions",
                "topics",
            ]
        )
        else "refused"
    ),
    "change an organization": lambda c, w: status(
        patch(c, f"/api/v1/organizations/{w['organization'].pk}/", {"city": "Kayes"})
    ),
    "delete an organization": lambda c, w: status(c.delete(f"/api/v1/organizations/{w['spare_organization'].pk}/")),
    "delete a contact": lambda c, w: status(c.delete(f"/api/v1/contacts/{w['spare_contact'].pk}/")),
    "change a colleague's engagement": lambda c, w: status(
        patch(c, f"/api/v1/engagements/{w['engagement'].pk}/", {"title": "X"})
    ),
    "remove an engagement": lambda c, w: status(c.delete(f"/api/v1/engagements/{w['engagement'].pk}/")),
    "change a colleague's follow-up": lambda c, w: status(
        patch(c, f"/api/v1/follow-ups/{w['follow_up'].pk}/", {"status": "done"})
    ),
    "change a colleague's concern": lambda c, w: status(
        patch(c, f"/api/v1/concerns/{w['concern'].pk}/", {"response": "Seen"})
    ),
    "read a colleague's referral": lambda c, w: status(c.get(f"/api/v1/concerns/{w['referral'].pk}/")),
    "plan a campaign": lambda c, w: status(
        c.post("/api/v1/campaigns/", {"name": "C"}, content_type="application/json")
    ),
    "change a campaign": lambda c, w: status(c.post("/api/v1/campaigns/", {}, content_type="application/json")),
    "change a region (back office only)": lambda c, w: (
        "refused" if c.post("/api/v1/regions/", {}, content_type="application/json").status_code == 405 else "ok"
    ),
}
TABLE = {
    "read every list": ("ok", "ok", "ok"),
    "change an organization": ("ok", "ok", "ok"),
    "delete an organization": ("refused", "refused", "ok"),
    "delete a contact": ("refused", "refused", "ok"),
    "change a colleague's engagement": ("refused", "ok", "ok"),
    "remove an engagement": ("refused", "ok", "ok"),
    "change a colleague's follow-up": ("refused", "ok", "ok"),
    "change a colleague's concern": ("refused", "ok", "ok"),
    "read a colleague's referral": ("hidden", "ok", "hidden"),
    "plan a campaign": ("refused", "ok", "ok"),
    "change a campaign": ("refused", "ok", "ok"),
    "change a region (back office only)": ("refused", "refused", "refused"),
}
CELLS = [
    pytest.param(action, role, expected[column], id=f"{action}-{role}")
    for action, expected in TABLE.items()
    for column, role in enumerate((OFFICER, MANAGER, ADMIN))
]


@pytest.mark.parametrize(("action", "role", "expected"), CELLS)
def test_each_cell_of_the_permission_table_through_the_api(world, action, role, expected):
    user = UserFactory(role=role, email=f"{role.lower().replace(' ', '-')}@example.test")
    assert ACTIONS[action](bearer(user), world) == expected
    from communications.models import Concern

    assert Concern.objects.filter(referred_to_internal_affairs=True).get().summary == ""
