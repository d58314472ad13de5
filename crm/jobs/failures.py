"""What an administrator does with a job that gave up: run it again (with all its attempts anew),
or put it aside. Either way the record stays, with who settled it and when."""

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from crm.jobs.engine import ATTEMPT, enqueue, policy_of

RETRIED, UNKNOWN, REFUSED = "retried", "unknown", "refused"


@transaction.atomic
def failure_retry(*, failure, by) -> str:
    """Queues the job again as it was first asked, or through its policy's `again`: RETRIED;
    UNKNOWN when this version no longer has its kind of job; REFUSED when `again` found nothing to
    queue (what it was for was paused, removed or settled since). Only RETRIED settles the failure."""
    try:
        job_task = import_string(failure.task_path)
    except ImportError:
        return UNKNOWN
    args = failure.arguments.get("args", [])
    kwargs = {key: value for key, value in failure.arguments.get("kwargs", {}).items() if key != ATTEMPT}
    again = policy_of(failure.task_path).again
    if again:
        if not import_string(again)(*args, **kwargs):
            return REFUSED
    else:
        enqueue(job_task, *args, **kwargs)
    _settle(failure, by, RETRIED)
    return RETRIED


@transaction.atomic
def failure_dismiss(*, failure, by) -> None:
    _settle(failure, by, "dismissed")


def _settle(failure, by, outcome: str) -> None:
    failure.settled_at, failure.settled_by, failure.outcome = timezone.now(), by, outcome
    failure.save(update_fields=["settled_at", "settled_by", "outcome"])
