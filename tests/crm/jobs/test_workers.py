"""The workers: a worker killed mid-job loses nothing (its job runs again after its timeout), a job
that keeps killing its worker fails for good, pages can tell when no worker runs."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from crm.jobs import workers
from crm.jobs.engine import enqueue
from crm.models import JobFailure, WorkerBeat
from tests.crm.jobs import sample_jobs
from tests.databases import ROOT, manage


def _shell(url, var, code):
    return manage(url, var, "shell", "--no-imports", "-c", code)


def test_a_worker_killed_mid_job_loses_nothing(fresh_database, tmp_path):
    var, work = tmp_path / "var", tmp_path / "work"
    var.mkdir(), work.mkdir()
    manage(fresh_database, var, "migrate", "-v0")
    _shell(
        fresh_database,
        var,
        f"from crm.jobs.engine import enqueue; from tests.crm.jobs.sample_jobs import slow_write; "
        f"enqueue(slow_write, {str(work)!r}, 60)",
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "CACHE_URL"}}
    env |= {"DATABASE_URL": fresh_database, "CRM_VAR_DIR": str(var), "DEBUG": "1", "SECRET_KEY": "x" * 50}
    worker = subprocess.Popen([sys.executable, "manage.py", "worker", "--interval", "0.1"], cwd=ROOT, env=env)
    try:
        for _ in range(300):
            if (work / "started").exists():
                break
            time.sleep(0.1)
        assert (work / "started").exists(), "the worker never started the job"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    assert not (work / "finished").exists()
    status = "from django_tasks_db.models import DBTaskResult; print(DBTaskResult.objects.get().status)"
    assert _shell(fresh_database, var, status).strip() == "RUNNING"  # as the killed worker left it

    time.sleep(2.5)  # the job's timeout (2 s) passes
    out = manage(fresh_database, var, "worker", "--batch")
    assert "1 job(s) run." in out
    assert (work / "started").read_text() == "xx"
    assert (work / "finished").read_text() == "x"
    assert _shell(fresh_database, var, status).strip() == "SUCCESSFUL"


@pytest.mark.django_db
def test_a_job_that_keeps_killing_its_worker_fails_for_good(tmp_path):
    enqueue(sample_jobs.slow_write, str(tmp_path), 0)
    result = DBTaskResult.objects.get()
    long_ago = timezone.now() - timedelta(minutes=5)
    DBTaskResult.objects.filter(pk=result.pk).update(status="RUNNING", started_at=long_ago, worker_ids=["a"])
    assert workers.recover_abandoned() == 1
    assert DBTaskResult.objects.get().status == "READY"  # once: run again
    DBTaskResult.objects.filter(pk=result.pk).update(status="RUNNING", started_at=long_ago, worker_ids=["a", "b"])
    assert workers.recover_abandoned() == 1
    assert DBTaskResult.objects.get().status == "FAILED"  # its two attempts spent
    assert JobFailure.objects.get().error == "Abandoned: the worker stopped during the job"


@pytest.mark.django_db
def test_a_job_still_within_its_timeout_is_left_running(tmp_path):
    enqueue(sample_jobs.slow_write, str(tmp_path), 0)
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now() - timedelta(seconds=1), worker_ids=["a"])
    assert workers.recover_abandoned() == 0


@pytest.mark.django_db
@override_settings(JOBS_WORKER_SILENCE=60)
def test_pages_can_tell_when_no_worker_runs():
    assert workers.silent()
    workers.beat("w1")
    assert not workers.silent()
    WorkerBeat.objects.update(seen_at=timezone.now() - timedelta(seconds=61))
    assert workers.silent()
    workers.beat("w1", done=3)
    assert not workers.silent()
    assert WorkerBeat.objects.get().jobs_done == 3
    workers.gone("w1")
    assert workers.silent()
