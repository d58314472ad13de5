"""A campaign's figures on the campaigns list (audience, reached) are kept under what they were
counted from (communications.campaigns.campaigns_reach): an ended campaign's outlive the writes
elsewhere and are counted again when its own reach or kept audience changes; a running campaign's
are counted again after any write to the registers. Marks move when a transaction commits, so each
write here runs with its on-commit callbacks executed, as a request's would be."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communications.campaigns import campaigns_reach
from communications.models import Campaign
from crm.lib import changes
from stakeholders.services import organization_delete, organization_merge
from tests.factories import EngagementFactory, OrganizationFactory, RegionFactory

TODAY = timezone.localdate()
STARTS, ENDS = TODAY - timedelta(days=60), TODAY - timedelta(days=10)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """A block whose writes commit: their on-commit callbacks (the marks moving) run at its end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def brokers(db):
    kayes = RegionFactory(name="Kayes")
    return [OrganizationFactory(type="customs_broker", region=kayes) for _ in range(3)]


def _campaign(**extra) -> Campaign:
    return Campaign.objects.create(
        **{
            "name": "Integrity week",
            "status": "active",
            "starts_on": STARTS,
            "ends_on": ENDS,
            "audience_query": "type=customs_broker&region=Kayes",
        }
        | extra
    )


def _figures(campaign: Campaign) -> tuple[tuple[int, int], bool]:
    """(audience, reached) as the list reads them, and whether they were counted (not kept)."""
    with CaptureQueriesContext(connection) as queries:
        figures = campaigns_reach([Campaign.objects.get(pk=campaign.pk)])[campaign.pk]
    counted = any("organizationreach" in query["sql"] for query in queries.captured_queries)
    return figures, counted


def _ended_and_read(brokers, committed) -> Campaign:
    campaign = _campaign()
    with committed():
        EngagementFactory(campaign=campaign, occurred_on=STARTS + timedelta(days=5), organizations=[brokers[0]])
    with committed():
        assert _figures(campaign) == ((3, 1), True)  # the first reading keeps the audience
    assert _figures(campaign) == ((3, 1), True)  # counted again once, the keeping committed
    assert _figures(campaign) == ((3, 1), False)
    return campaign


def test_an_ended_campaigns_figures_outlive_writes_elsewhere(brokers, committed):
    campaign = _ended_and_read(brokers, committed)
    with committed():
        EngagementFactory(occurred_on=STARTS + timedelta(days=6), organizations=[brokers[1]])  # no campaign
        OrganizationFactory(type="customs_broker", region=brokers[0].region)  # after the audience was kept
        changes.record()
    assert _figures(campaign) == ((3, 1), False)


def test_an_ended_campaign_is_counted_again_when_its_reach_changes(brokers, committed):
    campaign = _ended_and_read(brokers, committed)
    with committed():
        EngagementFactory(campaign=campaign, occurred_on=STARTS + timedelta(days=7), organizations=[brokers[2]])
    assert _figures(campaign) == ((3, 2), True)
    assert _figures(campaign) == ((3, 2), False)


def test_an_ended_campaign_is_counted_again_when_its_dates_change(brokers, committed):
    campaign = _ended_and_read(brokers, committed)
    Campaign.objects.filter(pk=campaign.pk).update(starts_on=STARTS + timedelta(days=6))
    assert _figures(campaign) == ((3, 0), True)  # the one event now falls before it


def test_an_ended_campaign_is_counted_again_when_a_member_is_merged_or_deleted(brokers, committed):
    campaign = _ended_and_read(brokers, committed)
    with committed():
        organization_merge(survivor=brokers[0], duplicate=brokers[1])
    assert _figures(campaign) == ((2, 1), True)
    with committed():
        organization_delete(organization=brokers[2])
    assert _figures(campaign) == ((1, 1), True)


def test_everything_is_counted_again_after_a_restore(brokers, committed):
    campaign = _ended_and_read(brokers, committed)
    with committed():
        changes.record(everything=True)
    assert _figures(campaign) == ((3, 1), True)


def test_a_running_campaigns_figures_are_counted_again_after_any_write(brokers, committed):
    campaign = _campaign(ends_on=TODAY + timedelta(days=10))
    assert _figures(campaign) == ((3, 0), True)
    assert _figures(campaign) == ((3, 0), False)
    with committed():
        OrganizationFactory(type="customs_broker", region=brokers[0].region)
        changes.record()
    assert _figures(campaign) == ((4, 0), True)


def test_a_write_rolled_back_moves_no_mark(brokers, committed):
    campaign = _ended_and_read(brokers, committed)
    with committed(), pytest.raises(RuntimeError), transaction_rolled_back():
        EngagementFactory(campaign=campaign, occurred_on=STARTS + timedelta(days=7), organizations=[brokers[2]])
    assert _figures(campaign) == ((3, 1), False)


@contextmanager
def transaction_rolled_back():
    """A block whose writes roll back (an error raised at its end)."""
    with transaction.atomic():
        yield
        raise RuntimeError("rolled back")


def test_a_mark_the_cache_lost_counts_the_figures_again(brokers, committed):
    """A cache that evicts (Redis) may drop a mark and keep the figures. A missing mark is made,
    never read as nothing: otherwise figures kept before any mark existed would match again once a
    mark set since had been dropped."""
    campaign = _campaign(ends_on=TODAY + timedelta(days=10))  # running: no mark of its own yet
    assert _figures(campaign) == ((3, 0), True)
    with committed():
        EngagementFactory(campaign=campaign, occurred_on=TODAY - timedelta(days=1), organizations=[brokers[0]])
    cache.delete(changes.named(f"campaign:{campaign.pk}"))  # the write's mark, evicted
    assert _figures(campaign) == ((3, 1), True)
    assert _figures(campaign) == ((3, 1), False)
