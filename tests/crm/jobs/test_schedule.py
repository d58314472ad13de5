"""The schedule: each slot enqueued once, whatever the number of clocks; a missed slot run once."""

from datetime import datetime, time

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from crm.jobs import schedule
from crm.models import ScheduleSlot
from tests.crm.jobs import sample_jobs

pytestmark = pytest.mark.django_db

ZONE = "Africa/Abidjan"


@pytest.fixture
def entry(monkeypatch):
    monkeypatch.setattr(schedule, "ENTRIES", {})
    made = schedule.Entry(name="morning", job=sample_jobs.nothing, latest=schedule.daily(lambda: time(7, 0)))
    schedule.register(made)
    return made


def _local(*parts):
    return datetime(*parts, tzinfo=timezone.get_current_timezone())


@override_settings(TIME_ZONE=ZONE)
def test_a_slot_is_enqueued_once_however_many_ticks(entry):
    assert schedule.tick(_local(2026, 12, 7, 7, 0, 30)) == ["morning"]
    assert schedule.tick(_local(2026, 12, 7, 7, 1)) == []
    assert schedule.tick(_local(2026, 12, 7, 18, 0)) == []
    assert DBTaskResult.objects.count() == 1
    assert DBTaskResult.objects.get().args_kwargs["kwargs"] == {"slot": "2026-12-07T07:00:00+00:00"}


@override_settings(TIME_ZONE=ZONE)
def test_slots_missed_while_no_worker_ran_are_run_once_not_once_each(entry):
    schedule.tick(_local(2026, 12, 1, 7, 5))
    assert schedule.tick(_local(2026, 12, 7, 6, 59)) == ["morning"]  # the 6th's run only
    assert list(ScheduleSlot.objects.order_by("slot").values_list("slot", flat=True)) == [
        _local(2026, 12, 1, 7, 0),
        _local(2026, 12, 6, 7, 0),
    ]


@override_settings(TIME_ZONE=ZONE)
def test_a_second_clock_that_finds_the_slot_taken_enqueues_nothing(entry):
    ScheduleSlot.objects.create(name="morning", slot=_local(2026, 12, 7, 7, 0))
    assert schedule.tick(_local(2026, 12, 7, 7, 0, 10)) == []
    assert not DBTaskResult.objects.exists()


@override_settings(TIME_ZONE="Africa/Lagos")
def test_daily_weekly_and_every_follow_the_local_clock():
    now = _local(2026, 12, 9, 8, 30)  # a Wednesday
    assert schedule.daily(lambda: time(7, 0))(now) == _local(2026, 12, 9, 7, 0)
    assert schedule.daily(lambda: time(9, 0))(now) == _local(2026, 12, 8, 9, 0)
    assert schedule.weekly(lambda: 0, lambda: time(7, 0))(now) == _local(2026, 12, 7, 7, 0)
    assert schedule.weekly(lambda: 2, lambda: time(9, 0))(now) == _local(2026, 12, 2, 9, 0)
    assert schedule.every(15)(now.replace(minute=44)) == _local(2026, 12, 9, 8, 30)
    assert schedule.daily(lambda: time(7, 0))(now).utcoffset().total_seconds() == 3600


@override_settings(TIME_ZONE=ZONE)
def test_the_next_slot_is_told_to_the_minute():
    entry = schedule.Entry(name="x", job=sample_jobs.nothing, latest=schedule.weekly(lambda: 0, lambda: time(7, 0)))
    assert schedule.next_slot(entry, _local(2026, 12, 9, 8, 30)) == _local(2026, 12, 14, 7, 0)
    daily = schedule.Entry(name="y", job=sample_jobs.nothing, latest=schedule.daily(lambda: time(7, 0)))
    assert schedule.next_slot(daily, _local(2026, 12, 9, 6, 0)) == _local(2026, 12, 9, 7, 0)
