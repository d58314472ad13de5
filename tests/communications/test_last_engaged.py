"""Organization.last_engaged_on has one definition (communications.services.last_engaged_dates): the
engagement service, the demo seeding and the merge of two organizations all store what it gives."""

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from communications.models import Engagement
from communications.services import refresh_last_engaged
from stakeholders.models import Organization
from stakeholders.services import organization_merge
from tests.factories import EngagementFactory, OrganizationFactory

TODAY = timezone.localdate()


def stored() -> dict:
    return dict(Organization.objects.values_list("pk", "last_engaged_on"))


def test_only_held_engagements_not_removed_count(db):
    met, planned_only, never = OrganizationFactory(), OrganizationFactory(), OrganizationFactory()
    EngagementFactory(organizations=[met], occurred_on=TODAY - timedelta(days=9))
    EngagementFactory(organizations=[met], occurred_on=TODAY - timedelta(days=2), is_removed=True)
    EngagementFactory(organizations=[met, planned_only], occurred_on=TODAY + timedelta(days=5), is_held=False)
    Organization.objects.update(last_engaged_on=TODAY)  # stale values, all replaced
    refresh_last_engaged([met.pk, planned_only.pk, never.pk])
    assert stored() == {met.pk: TODAY - timedelta(days=9), planned_only.pk: None, never.pk: None}


def test_the_seeding_stores_what_the_service_would_for_every_organization(db):
    """A second run refreshes every organization its engagements name, over all their engagements:
    those of the first run included, some removed and some put back to planned meanwhile."""
    seed = ["seed_demo", "--organizations", "30", "--password", "seed-password-1", "--engagements"]
    call_command(*seed, "120")
    first = list(Engagement.objects.order_by("pk").values_list("pk", flat=True))
    Engagement.objects.filter(pk__in=first[::3]).update(is_removed=True)
    Engagement.objects.filter(pk__in=first[1::5]).update(is_held=False)
    call_command(*seed, "400")
    seeded = stored()
    assert sum(1 for day in seeded.values() if day) > 20
    refresh_last_engaged(seeded)
    assert stored() == seeded


def test_a_merged_organization_takes_the_date_of_the_engagements_it_now_has(db):
    survivor, duplicate = OrganizationFactory(), OrganizationFactory()
    EngagementFactory(organizations=[survivor], occurred_on=TODAY - timedelta(days=30))
    EngagementFactory(organizations=[duplicate], occurred_on=TODAY - timedelta(days=10))
    EngagementFactory(organizations=[duplicate], occurred_on=TODAY - timedelta(days=1), is_removed=True)
    refresh_last_engaged([survivor.pk, duplicate.pk])
    Organization.objects.filter(pk=duplicate.pk).update(last_engaged_on=TODAY)  # a stale value
    organization_merge(survivor=survivor, duplicate=Organization.objects.get(pk=duplicate.pk))
    assert Organization.objects.get(pk=survivor.pk).last_engaged_on == TODAY - timedelta(days=10)
    before = stored()
    refresh_last_engaged([survivor.pk])
    assert stored() == before
