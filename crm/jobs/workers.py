"""The workers: their signs of life, and the jobs a killed worker left "running".

A worker writes its beat (WorkerBeat) when it starts and about every half minute; `silent()` is
true when none has been heard for JOBS_WORKER_SILENCE seconds: pages that wait on jobs say so.
`recover_abandoned()` puts back in the queue a job still marked running past its policy's timeout
(its worker was killed: kill -9, a power cut), or records it as failed once it has taken its
worker down as many times as it has attempts."""

import logging
import os
import socket
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop

from crm.jobs.engine import policy_of, record_failure, stored_in_database

logger = logging.getLogger("crm.jobs")

ABANDONED_WORDS = gettext_noop("Abandoned: the worker stopped during the job")  # translated on the jobs page
RECOVERY_LOCK_SECONDS = 60  # a recovery takes milliseconds; the key outlives a worker killed in one


def beat(worker_id: str, *, done: int = 0) -> None:
    from crm.models import WorkerBeat

    now = timezone.now()
    updated = WorkerBeat.objects.filter(worker_id=worker_id).update(seen_at=now, jobs_done=F("jobs_done") + done)
    if not updated:
        WorkerBeat.objects.create(
            worker_id=worker_id, host=socket.gethostname()[:255], pid=os.getpid(), started_at=now, seen_at=now
        )


def gone(worker_id: str) -> None:
    """A worker stopping cleanly says so: the pages need not wait for its silence."""
    from crm.models import WorkerBeat

    WorkerBeat.objects.filter(worker_id=worker_id).delete()


def last_seen():
    from crm.models import WorkerBeat

    return WorkerBeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()


def silent() -> bool:
    """No worker heard from lately: jobs wait."""
    seen = last_seen()
    return seen is None or seen < timezone.now() - timedelta(seconds=settings.JOBS_WORKER_SILENCE)


def forget_silent(days: int = 7) -> int:
    """Beats of workers silent for days (machines renamed, containers gone) are let go."""
    from crm.models import WorkerBeat

    return WorkerBeat.objects.filter(seen_at__lt=timezone.now() - timedelta(days=days)).delete()[0]


def recover_abandoned(now=None) -> int:
    """Jobs running longer than their timeout: back to the queue, or failed for good. How many."""
    if not stored_in_database():
        return _recover_abandoned_in_redis()
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    recovered = 0
    for result in DBTaskResult.objects.running():  # a few at most: one per worker
        policy = policy_of(result.task_path)
        if result.started_at > now - timedelta(seconds=policy.timeout):
            continue
        claims = len(result.worker_ids)
        # Conditional on the row being as read: of two workers recovering at once, one does it.
        still = DBTaskResult.objects.filter(pk=result.pk, status=result.status, started_at=result.started_at)
        if claims >= policy.attempts:
            with transaction.atomic():  # failed and recorded together, or neither
                if _fail_abandoned(still, result, claims, now):
                    recovered += 1
            continue
        if not still.update(status="READY", started_at=None):
            continue
        logger.warning("Job %s (%s) left running by a stopped worker: queued again", result.id, result.task_path)
        recovered += 1
    return recovered


def _fail_abandoned(still, result, claims: int, now) -> bool:
    """Marks the job failed and records it for the administrators, if no other worker did first."""
    failed = still.update(
        status="FAILED",
        finished_at=now,
        exception_class_path="builtins.RuntimeError",
        traceback=f"RuntimeError: its worker stopped during the job {claims} times",
    )
    if not failed:
        return False
    record_failure(result.task_path, result.args_kwargs, claims, ABANDONED_WORDS)
    logger.error("Job %s (%s) abandoned %d times: failed", result.id, result.task_path, claims)
    return True


ABANDONED = "AbandonedJobError"  # how RQ marks the job of a worker that died (its failed registry)


def _recover_abandoned_in_redis() -> int:
    """RQ moves the job of a dead worker to its failed registry once the job's time is up: put it
    back in the queue, or record it as failed once it has taken its worker down `attempts` times."""
    import django_rq
    from rq.registry import FailedJobRegistry

    queue = django_rq.get_queue("default", job_class="django_tasks_rq.Job")
    registry = FailedJobRegistry(queue=queue)
    recovered = 0
    for job in queue.job_class.fetch_many(registry.get_job_ids(), connection=queue.connection):
        result = job.latest_result() if job else None
        if result is None or ABANDONED not in (result.exc_string or "") or job.meta.get("crm_settled"):
            continue
        # Of two workers recovering at once, the one that takes this key does it, on the job as it
        # is now (the other may have recovered it since this list was read).
        lock = f"crm:recovering:{job.id}"
        if not queue.connection.set(lock, 1, nx=True, ex=RECOVERY_LOCK_SECONDS):
            continue
        try:
            job.refresh()
            if job.get_status(refresh=False) == "failed" and not job.meta.get("crm_settled"):
                _recover_one_in_redis(job, registry)
                recovered += 1
        finally:
            queue.connection.delete(lock)
    return recovered


def _recover_one_in_redis(job, registry) -> None:
    claims = job.meta.get("crm_abandoned", 0) + 1
    job.meta["crm_abandoned"] = claims
    if claims >= policy_of(job.func_name).attempts:
        job.meta["crm_settled"] = True
        job.save_meta()
        arguments = {"args": list(job.args), "kwargs": dict(job.kwargs)}
        record_failure(job.func_name, arguments, claims, ABANDONED_WORDS)
    else:
        job.save_meta()
        registry.requeue(job)
        logger.warning("Job %s (%s) left running by a stopped worker: queued again", job.id, job.func_name)
