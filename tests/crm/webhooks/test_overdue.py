"""follow_up.overdue: told by a daily job for the open follow-ups that went overdue, once each."""

from datetime import date, timedelta

import pytest

from communications import tasks
from communications.models import FollowUp
from crm.jobs import schedule
from crm.lib import events
from crm.models import WebhookDelivery
from tests.factories import FollowUpFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 9)
SLOT = "2026-12-09T00:05:00+00:00"


@pytest.fixture
def heard(monkeypatch):
    told: list = []
    monkeypatch.setattr(events, "LISTENERS", {"follow_up.overdue": [lambda name, **ids: told.append(ids["follow_up"])]})
    return told


def test_each_follow_up_gone_overdue_is_told_once(heard):
    yesterday = FollowUpFactory(due_on=TODAY - timedelta(days=1))
    last_week = FollowUpFactory(due_on=TODAY - timedelta(days=6))
    today = FollowUpFactory(due_on=TODAY)  # due today: not overdue yet
    FollowUpFactory(due_on=TODAY - timedelta(days=1), status="done")
    FollowUpFactory(due_on=TODAY - timedelta(days=30))  # long overdue before the job ran: not news
    assert tasks.tell_overdue_follow_ups.call(slot=SLOT) == 2
    assert sorted(heard) == sorted([yesterday.pk, last_week.pk])
    assert tasks.tell_overdue_follow_ups.call(slot=SLOT) == 0  # the same run again: nothing more
    assert tasks.tell_overdue_follow_ups.call(slot="2026-12-10T00:05:00+00:00") == 1  # the next day's
    assert heard[-1] == today.pk


def test_a_follow_up_given_a_new_date_is_told_again_when_that_passes(heard):
    follow_up = FollowUpFactory(due_on=TODAY - timedelta(days=1))
    tasks.tell_overdue_follow_ups.call(slot=SLOT)
    FollowUp.objects.filter(pk=follow_up.pk).update(due_on=TODAY + timedelta(days=2))
    assert tasks.tell_overdue_follow_ups.call(slot="2026-12-12T00:05:00+00:00") == 1
    assert heard == [follow_up.pk, follow_up.pk]


def test_it_is_on_the_schedule_and_reaches_the_webhooks(endpoint):
    assert schedule.ENTRIES["follow-ups overdue"].job == tasks.tell_overdue_follow_ups
    follow_up = FollowUpFactory(due_on=TODAY - timedelta(days=1))
    tasks.tell_overdue_follow_ups.call(slot=SLOT)
    delivery = WebhookDelivery.objects.get(event="follow_up.overdue")
    assert delivery.data["follow_up"]["id"] == follow_up.pk
    assert delivery.data["follow_up"]["due_on"] == "2026-12-08"
