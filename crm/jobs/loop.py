"""The worker's loop (`manage.py worker`): run the jobs that are due, one at a time, and between
them keep the clock (the schedule), the worker's beat and the recovery of abandoned jobs.

In the database (the default) the jobs are taken with django-tasks-db's own claim (a row locked
and marked running in one transaction: two workers never take the same job) and run by its own
runner, which records the outcome. With Redis, RQ's worker runs them and its scheduler releases
the delayed ones; the clock then turns in a thread beside it."""

import logging
import os
import signal
import threading
import time

from django.db import close_old_connections, connections
from django.utils.crypto import get_random_string

from crm.jobs import schedule, workers

logger = logging.getLogger("crm.jobs")

HOUSEKEEPING_EVERY = 30  # seconds between two turns of the clock, beats and recoveries


def housekeeping(worker_id: str, *, done: int = 0, clock: bool = True) -> None:
    """One turn: the worker's beat, the schedule's due slots (unless this worker leaves the clock
    to others), abandoned jobs. Each step stands alone: one failing is logged and tried again at
    the next turn, never stops the others or the worker."""
    steps = [("beat", lambda: workers.beat(worker_id, done=done))]
    if clock:
        steps.append(("schedule", _tick))
    steps.append(("recovery", workers.recover_abandoned))
    try:
        for name, step in steps:
            try:
                step()
            except Exception:
                logger.exception("Worker housekeeping (%s) failed; trying again in %s s", name, HOUSEKEEPING_EVERY)
    finally:
        close_old_connections()


def _tick() -> None:
    for name in schedule.tick():
        logger.info("Scheduled job %s enqueued", name)


class DatabaseWorker:
    def __init__(self, *, worker_id: str = "", interval: float = 1.0, batch: bool = False, clock: bool = True):
        from django_tasks_db.management.commands.db_worker import Worker

        self.worker_id = worker_id or get_random_string(32)
        self.batch, self.clock, self.interval = batch, clock, interval
        self.stopping = False
        self.inner = Worker(
            queue_names=["*"],
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=self.worker_id,
            excluded_queue_names=[],
        )

    def stop(self, signum=None, frame=None) -> None:
        """The first signal finishes the job in hand, then stops; a second stops at once, the job
        in hand left "running" for recover_abandoned() to queue again (an exception raised here
        could be caught by the job, or recorded as its failure)."""
        if self.stopping:
            logger.warning("Worker %s stopped at once; its job in hand will run again", self.worker_id)
            os._exit(1)
        logger.warning("Worker %s stopping after the job in hand", self.worker_id)
        self.stopping = True

    def run(self) -> int:
        """Runs until stopped (or, in batch, until no job is due); the number of jobs run."""
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        done, since_housekeeping, last = 0, 0, 0.0
        try:
            while not self.stopping:
                if time.monotonic() - last >= HOUSEKEEPING_EVERY:
                    housekeeping(self.worker_id, done=since_housekeeping, clock=self.clock)
                    since_housekeeping, last = 0, time.monotonic()
                close_old_connections()  # as a request would: a dropped connection is made again
                if run_one(self.inner):
                    done, since_housekeeping = done + 1, since_housekeeping + 1
                elif self.batch:
                    break
                else:
                    time.sleep(self.interval)
        finally:
            workers.gone(self.worker_id)
        return done


def run_one(inner) -> bool:
    """Claims the next due job and runs it; False when none is due."""
    from django.db.utils import OperationalError
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

    due = DBTaskResult.objects.ready().filter(backend_name="default")
    try:
        with exclusive_transaction(due.db):
            result = due.get_locked()
            if result is not None:
                result.claim(inner.worker_id)
    except OperationalError as error:
        if is_locked_database_exception(error):
            return False
        raise
    if result is None:
        return False
    inner.run_task(result)
    return True


def run_redis_worker(*, worker_id: str = "", batch: bool = False, clock: bool = True) -> None:
    """RQ's worker (its scheduler included, for delayed jobs and retries), the clock in a thread."""
    import django_rq

    worker_id = worker_id or get_random_string(32)
    stop = threading.Event()

    def turn_the_clock():
        while not stop.wait(HOUSEKEEPING_EVERY):
            housekeeping(worker_id, clock=clock)

    thread = threading.Thread(target=turn_the_clock, name="crm-clock", daemon=True)
    housekeeping(worker_id, clock=clock)  # before the first job: what a dead worker left is queued again first
    # RQ forks a process for each job: none may inherit this thread's open connection (connections
    # are kept between uses, CONN_MAX_AGE); each job's process opens its own.
    connections.close_all()
    thread.start()
    try:
        django_rq.get_worker("default", job_class="django_tasks_rq.Job").work(with_scheduler=True, burst=batch)
    finally:
        stop.set()
        workers.gone(worker_id)


def run_due_jobs(limit: int = 10_000) -> int:
    """Every job due now, in this process, until none is left (tests, `worker --batch`)."""
    inner = DatabaseWorker(batch=True, clock=False).inner
    done = 0
    while done < limit and run_one(inner):
        done += 1
    return done
