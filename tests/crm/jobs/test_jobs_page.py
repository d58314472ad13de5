"""The administrators' page of the background jobs: workers, queue, schedule, failures and their
two answers; for administrators only."""

from datetime import time, timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from crm.accounts.roles import Role
from crm.jobs import schedule, workers
from crm.jobs.engine import enqueue, record_failure
from crm.models import JobFailure
from tests.crm.jobs import sample_jobs
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(role=Role.ADMINISTRATOR))
    return client


def test_only_administrators_see_it(client):
    for role in (Role.OFFICER, Role.MANAGER):
        client.force_login(UserFactory(role=role))
        assert client.get("/jobs/").status_code == 403


def test_it_says_when_no_worker_runs_and_what_waits(admin_client):
    enqueue(sample_jobs.nothing)
    enqueue(sample_jobs.nothing.using(run_after=timezone.now() + timedelta(hours=1)))
    page = admin_client.get("/jobs/").content.decode()
    assert "No worker is running." in page
    assert "No worker has started yet." in page
    assert "Due now</dt><dd" in page
    assert ">1 <span" in page
    workers.beat("w1")
    page = admin_client.get("/jobs/").content.decode()
    assert "No worker is running." not in page


def test_the_schedule_shows_the_next_run(admin_client, monkeypatch):
    monkeypatch.setattr(schedule, "ENTRIES", {})
    schedule.register(
        schedule.Entry("morning", sample_jobs.nothing, schedule.daily(lambda: time(7, 0)), "Morning reminders")
    )
    page = admin_client.get("/jobs/").content.decode()
    assert "Morning reminders" in page


def test_a_failure_can_run_again_or_be_put_aside(admin_client):
    record_failure(
        sample_jobs.flaky.module_path, {"args": ["z", 0], "kwargs": {"_attempt": 3}}, 3, "ConnectionError: refused"
    )
    record_failure(sample_jobs.flaky.module_path, {"args": ["y", 0], "kwargs": {}}, 3, "ConnectionError: refused")
    first, second = JobFailure.objects.order_by("pk")
    page = admin_client.get("/jobs/").content.decode()
    assert page.count("ConnectionError: refused") == 2
    assert "after 3 tries" in page

    response = admin_client.post(f"/jobs/failures/{first.pk}/retry/", follow=True)
    assert "will run again" in response.content.decode()
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs == {"args": ["z", 0], "kwargs": {}}  # all its attempts anew
    admin_client.post(f"/jobs/failures/{second.pk}/dismiss/")
    assert set(JobFailure.objects.values_list("outcome", flat=True)) == {"retried", "dismissed"}
    assert "No job has failed." in admin_client.get("/jobs/").content.decode()
    assert JobFailure.objects.filter(settled_by__isnull=False).count() == 2  # kept, with who settled them


def test_odd_answers_are_refused_without_error(admin_client):
    record_failure("crm.nowhere.gone", {"args": [], "kwargs": {}}, 1, "x")
    failure = JobFailure.objects.get()
    assert admin_client.post(f"/jobs/failures/{failure.pk}/explode/").status_code == 404
    assert admin_client.get(f"/jobs/failures/{failure.pk}/retry/").status_code == 405
    response = admin_client.post(f"/jobs/failures/{failure.pk}/retry/", follow=True)
    assert "no longer has it" in response.content.decode()
    assert admin_client.post("/jobs/failures/999999/retry/").status_code == 404


def test_french(admin_client):
    page = admin_client.get("/jobs/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Tâches de fond" in page
