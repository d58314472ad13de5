"""The job engine: retries with backoff, a record when a job gives up, jobs written with the work
that asked for them, and enqueued jobs run by the worker's loop."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from crm.jobs.engine import ATTEMPT, enqueue, policy_of
from crm.jobs.loop import run_due_jobs
from crm.models import JobFailure
from tests.crm.jobs import sample_jobs

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _calls():
    sample_jobs.CALLS.clear()


def _make_due():
    """Brings every delayed job's time forward to now (the backoff has passed)."""
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now() - timedelta(seconds=1))


def test_a_job_that_succeeds_runs_once_and_keeps_its_value():
    enqueue(sample_jobs.flaky, "a", 0)
    assert run_due_jobs() == 1
    result = DBTaskResult.objects.get()
    assert result.status == "SUCCESSFUL"
    assert result.return_value == "a done"


def test_a_failing_job_is_tried_again_later_not_at_once():
    enqueue(sample_jobs.flaky, "b", 1)
    assert run_due_jobs() == 1  # the retry waits for its backoff
    waiting = DBTaskResult.objects.get(status="READY")
    delay = waiting.run_after - timezone.now()
    assert timedelta(seconds=7) < delay < timedelta(seconds=13)  # backoff 10 s, jittered ±20 %
    assert waiting.args_kwargs["kwargs"][ATTEMPT] == 2
    _make_due()
    assert run_due_jobs() == 1
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 1
    assert not JobFailure.objects.exists()


def test_the_wait_doubles_between_tries():
    policy = policy_of(sample_jobs.flaky.module_path)
    assert policy.delay(1) < timedelta(seconds=13)
    assert timedelta(seconds=15) < policy.delay(2) < timedelta(seconds=25)


def test_a_job_that_fails_every_try_is_recorded_for_the_administrators():
    enqueue(sample_jobs.flaky, "c", 99)
    for _ in range(3):
        run_due_jobs()
        _make_due()
    assert sample_jobs.CALLS.count(("flaky", "c")) == 3  # its three attempts, no more
    failure = JobFailure.objects.get()
    assert failure.task_path.endswith("sample_jobs.flaky")
    assert failure.attempts == 3
    assert failure.error == "ConnectionError: c: the receiver did not answer"
    assert "Traceback" in failure.details
    assert failure.arguments == {"args": ["c", 99], "kwargs": {}}
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_a_job_may_ask_to_be_tried_again_after_a_given_wait():
    enqueue(sample_jobs.patient, "d")
    run_due_jobs()
    waiting = DBTaskResult.objects.get(status="READY")
    assert timedelta(seconds=290) < waiting.run_after - timezone.now() <= timedelta(seconds=300)


def test_a_job_exists_only_if_the_work_that_asked_for_it_was_committed():
    def refused():
        with transaction.atomic():
            enqueue(sample_jobs.nothing)
            raise RuntimeError("the form was refused")

    with pytest.raises(RuntimeError):
        refused()
    assert not DBTaskResult.objects.exists()
    with transaction.atomic():
        enqueue(sample_jobs.nothing)
    assert DBTaskResult.objects.count() == 1


def test_finished_jobs_schedule_slots_and_silent_workers_are_cleared_in_time():
    from crm.jobs.cleanup import clear_finished
    from crm.jobs.workers import beat
    from crm.models import ScheduleSlot, WorkerBeat

    enqueue(sample_jobs.flaky, "old", 0)
    enqueue(sample_jobs.flaky, "new", 0)
    run_due_jobs()
    DBTaskResult.objects.filter(args_kwargs__args__0="old").update(finished_at=timezone.now() - timedelta(days=8))
    ScheduleSlot.objects.create(name="x", slot=timezone.now() - timedelta(days=61))
    ScheduleSlot.objects.create(name="x", slot=timezone.now())
    beat("gone")
    WorkerBeat.objects.update(seen_at=timezone.now() - timedelta(days=8))
    assert clear_finished.call() == {"slots": 1, "workers": 1, "done": 1, "failed": 0}
    assert DBTaskResult.objects.count() == 1
    assert ScheduleSlot.objects.count() == 1


def test_the_cleanup_is_on_the_schedule():
    from crm.jobs import schedule

    assert "clear-finished-jobs" in schedule.ENTRIES
