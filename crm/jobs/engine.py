"""Jobs: functions run by a worker, retried with backoff when they fail, recorded when they give up.

    @job(attempts=6, backoff=60)
    def deliver(delivery_id: int) -> None: ...

    enqueue(deliver, delivery.pk)

A job's arguments are JSON (ids, not objects). A job may run more than once (a retry, a worker
killed mid-job): it checks what is already done before doing it. It raises to fail; `Retry`
asks for another attempt after a given delay without counting as an error."""

import contextlib
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from traceback import format_exception

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django_tasks import task, task_backends
from django_tasks.base import Task

logger = logging.getLogger("crm.jobs")

ATTEMPT = "_attempt"  # the keyword argument carrying the attempt's number from one try to the next
MAX_DELAY = timedelta(hours=6)


@dataclass(frozen=True)
class Policy:
    attempts: int  # tries in all, the first included
    backoff: int  # seconds before the second try; each later wait doubles (jittered), at most MAX_DELAY
    timeout: int  # seconds after which a job still "running" is taken for abandoned and run again
    label: str | Promise = ""  # what the job does, in words (lazy translation), for the administrators' page
    # Dotted path of what "Run again" calls instead of queuing the job as it was, for a job that
    # keeps its own state (a failed webhook delivery is set back to pending first): it takes the
    # job's arguments and says whether anything was queued.
    again: str = ""

    def delay(self, attempt: int) -> timedelta:
        """The wait after the failed try number `attempt` (1 for the first)."""
        seconds = self.backoff * 2 ** (attempt - 1)
        return min(timedelta(seconds=seconds * random.uniform(0.8, 1.2)), MAX_DELAY)  # noqa: S311


POLICIES: dict[str, Policy] = {}  # task path -> its policy
DEFAULT_POLICY = Policy(attempts=1, backoff=60, timeout=600)


class Retry(Exception):  # noqa: N818 (read as an instruction: raise Retry(after=…))
    """Raised by a job to be tried again after `after` seconds (a receiver asked to wait), within
    its attempts."""

    def __init__(self, message: str, *, after: int | None = None):
        super().__init__(message)
        self.after = after


def job(
    *,
    label: str | Promise = "",
    attempts: int = 5,
    backoff: int = 60,
    timeout: int = 600,
    priority: int = 0,
    again: str = "",
) -> Callable[[Callable], Task]:
    """Makes a module-level function a job with its retry policy."""

    def wrap(function: Callable) -> Task:
        path = f"{function.__module__}.{function.__qualname__}"
        policy = POLICIES[path] = Policy(attempts=attempts, backoff=backoff, timeout=timeout, label=label, again=again)

        @wraps(function)
        def attempt_once(*args, **kwargs):
            number = kwargs.pop(ATTEMPT, 1)
            try:
                return function(*args, **kwargs)
            except Exception as error:
                _after_failure(made, policy, number, args, kwargs, error)
                raise

        made = task(priority=priority)(attempt_once)
        return made

    return wrap


def policy_of(task_path: str) -> Policy:
    """The job's policy, its module imported first if need be (a process that never ran or
    enqueued one of its kind has not read its decorator yet)."""
    if task_path not in POLICIES:
        with contextlib.suppress(ImportError):  # a kind of job the code no longer has: the default
            import_string(task_path)
    return POLICIES.get(task_path, DEFAULT_POLICY)


def label_of(task_path: str) -> str:
    """The job's words, else its function's name."""
    return str(policy_of(task_path).label) or task_path.rsplit(".", 1)[-1].replace("_", " ")


def enqueue(job_task: Task, *args, **kwargs) -> None:
    """Queues the job. In the database it is written in the current transaction: it exists if and
    only if the work that asked for it was committed. Elsewhere (Redis) it is sent once that work
    is committed."""
    if stored_in_database(job_task):
        job_task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(lambda: job_task.enqueue(*args, **kwargs))


def stored_in_database(job_task: Task | None = None) -> bool:
    backend = task_backends[job_task.backend if job_task else "default"]
    return type(backend).__module__.startswith("django_tasks_db")


def _after_failure(job_task: Task, policy: Policy, number: int, args: tuple, kwargs: dict, error: Exception) -> None:
    """Another try later, or, at the last, a record for the administrators."""
    path = job_task.module_path
    if number < policy.attempts:
        after = getattr(error, "after", None)
        wait = timedelta(seconds=after) if after else policy.delay(number)
        logger.warning("Job %s failed (try %d of %d), again in %s: %s", path, number, policy.attempts, wait, error)
        job_task.using(run_after=timezone.now() + wait).enqueue(*args, **{**kwargs, ATTEMPT: number + 1})
        return
    logger.error("Job %s gave up after %d tries: %s", path, number, error)
    record_failure(path, {"args": list(args), "kwargs": kwargs}, number, error)


def record_failure(path: str, arguments: dict, attempts: int, error: BaseException | str) -> None:
    from crm.models import JobFailure

    if isinstance(error, BaseException):
        summary, details = f"{type(error).__name__}: {error}"[:2000], "".join(format_exception(error))
    else:
        summary, details = error, ""
    JobFailure.objects.create(task_path=path, arguments=arguments, attempts=attempts, error=summary, details=details)
