"""A merge that fails halfway leaves the database as it was (one transaction)."""

import pytest

from communications.models import Engagement
from stakeholders import extensions
from stakeholders.models import Contact, Organization
from stakeholders.services import contact_merge, organization_merge
from tests.factories import ContactFactory, EngagementFactory, OrganizationFactory


class PowerCut(Exception):
    pass


def fail_at_the_end(**kwargs):
    raise PowerCut


@pytest.fixture
def failing_hooks(monkeypatch):
    monkeypatch.setattr(extensions, "ORGANIZATION_MERGE_HOOKS", [*extensions.ORGANIZATION_MERGE_HOOKS, fail_at_the_end])
    monkeypatch.setattr(extensions, "CONTACT_MERGE_HOOKS", [*extensions.CONTACT_MERGE_HOOKS, fail_at_the_end])


def snapshot():
    return {
        "organizations": list(Organization.objects.values_list("pk", "name", "is_archived", "merged_into", "city")),
        "contacts": list(Contact.objects.values_list("pk", "organization", "is_archived")),
        "links": sorted(Engagement.organizations.through.objects.values_list("engagement", "organization")),
        "contact links": sorted(Engagement.contacts.through.objects.values_list("engagement", "contact")),
        "history": Organization.history.count() + Contact.history.count() + Engagement.history.count(),
    }


def test_an_organization_merge_that_fails_after_moving_everything_changes_nothing(db, failing_hooks):
    survivor = OrganizationFactory(name="Transit Saloum", city="")
    duplicate = OrganizationFactory(name="Transit Saloum SARL", city="Kaolack")
    ContactFactory(organization=duplicate)
    EngagementFactory(organizations=[duplicate])
    before = snapshot()
    with pytest.raises(PowerCut):
        organization_merge(survivor=survivor, duplicate=duplicate)
    assert snapshot() == before


def test_a_contact_merge_that_fails_halfway_changes_nothing(db, failing_hooks):
    organization = OrganizationFactory()
    survivor = ContactFactory(organization=organization, email="awa@x.example")
    duplicate = ContactFactory(organization=organization, email="", is_archived=False)
    engagement = EngagementFactory(organizations=[organization])
    engagement.contacts.add(duplicate)
    before = snapshot()
    with pytest.raises(PowerCut):
        contact_merge(survivor=survivor, duplicate=duplicate)
    assert snapshot() == before
