"""The workers: a worker killed mid-job loses nothing (its job runs again after its timeout), a job
that keeps killing its worker fails for good, pages can tell when no worker runs."""

import os
import shutil
import signal
import socket
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
    # The schedule's own jobs (reminders, digest, cleanup) may wait beside it: this job's row only.
    status = (
        "from django_tasks_db.models import DBTaskResult; "
        "print(DBTaskResult.objects.get(task_path__endswith='.slow_write').status)"
    )
    assert _shell(fresh_database, var, status).strip() == "RUNNING"  # as the killed worker left it

    time.sleep(2.5)  # the job's timeout (2 s) passes
    out = manage(fresh_database, var, "worker", "--batch")
    assert "job(s) run." in out  # this one again, and the schedule's if the killed worker had not run them
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
def test_two_workers_recovering_the_same_job_record_one_failure(tmp_path, monkeypatch):
    enqueue(sample_jobs.slow_write, str(tmp_path), 0)
    long_ago = timezone.now() - timedelta(minutes=5)
    DBTaskResult.objects.update(status="RUNNING", started_at=long_ago, worker_ids=["a", "b"])
    seen = list(DBTaskResult.objects.running())
    # The other worker reads the same row, and settles it between this one's read and its write.
    monkeypatch.setattr(DBTaskResult.objects, "running", lambda: seen)
    assert workers.recover_abandoned() == 1
    assert workers.recover_abandoned() == 0
    assert JobFailure.objects.count() == 1


@pytest.mark.django_db(transaction=True)  # housekeeping closes stale connections, as the worker's loop does
def test_housekeeping_beats_and_recovers_without_the_clock_and_survives_a_failing_step(tmp_path, monkeypatch):
    from crm.jobs import loop, schedule

    enqueue(sample_jobs.slow_write, str(tmp_path), 0)
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now() - timedelta(minutes=5), worker_ids=["a"])
    ticks = []
    monkeypatch.setattr(schedule, "tick", lambda: ticks.append(1) or [])
    loop.housekeeping("no-clock", clock=False)
    assert WorkerBeat.objects.filter(worker_id="no-clock").exists()  # the pages see it
    assert DBTaskResult.objects.get().status == "READY"
    assert ticks == []  # the schedule left to the other workers

    def broken():
        raise RuntimeError("the schedule's table is locked")

    monkeypatch.setattr(schedule, "tick", broken)
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now() - timedelta(minutes=5), worker_ids=["a"])
    loop.housekeeping("clock")
    assert WorkerBeat.objects.filter(worker_id="clock").exists()
    assert DBTaskResult.objects.get().status == "READY"  # recovery ran after the failing tick


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


@pytest.fixture
def redis_url(tmp_path):
    """A Redis server of our own on a free port (CI installs Debian's redis-server)."""
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing (CI installs it)")
        pytest.skip("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


def test_jobs_in_redis_run_and_a_killed_workers_job_runs_again(fresh_database, redis_url, tmp_path):
    """Several app servers: jobs wait in Redis (RQ). A job runs; the job of a worker killed with
    kill -9 is found by RQ once its time is up (here: told it is) and queued again by ours."""
    var, work = tmp_path / "var", tmp_path / "work"
    var.mkdir(), work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "CACHE_URL"}}
    env |= {"DATABASE_URL": fresh_database, "CRM_VAR_DIR": str(var), "DEBUG": "1", "SECRET_KEY": "x" * 50}
    env |= {"JOBS_URL": redis_url}

    def run(*args):
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    run("migrate", "-v0")
    enqueue_it = "from crm.jobs.engine import enqueue; from tests.crm.jobs.sample_jobs import slow_write; "
    run("shell", "--no-imports", "-c", enqueue_it + f"enqueue(slow_write, {str(work)!r}, 60)")
    worker = subprocess.Popen([sys.executable, "manage.py", "worker", "-v0"], cwd=ROOT, env=env)
    try:
        for _ in range(300):
            if (work / "started").exists():
                break
            time.sleep(0.1)
        assert (work / "started").exists(), "the worker never started the job"
    finally:
        subprocess.run(["pkill", "-9", "-P", str(worker.pid)], check=False)  # its work horse
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    assert not (work / "finished").exists()
    time_is_up = (
        "import time, django_rq; from rq.registry import StartedJobRegistry; "
        "q = django_rq.get_queue('default', job_class='django_tasks_rq.Job'); "
        "StartedJobRegistry(queue=q).cleanup(timestamp=time.time() + 100000)"
    )
    run("shell", "--no-imports", "-c", time_is_up)
    run("worker", "--batch", "-v0")
    assert (work / "started").read_text() == "xx"
    assert (work / "finished").read_text() == "x"
