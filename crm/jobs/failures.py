"""What an administrator does with a job that gave up: run it again (with all its attempts anew),
or put it aside. Either way the record stays, with who settled it and when."""

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from crm.jobs.engine import ATTEMPT, enqueue


@transaction.atomic
def failure_retry(*, failure, by) -> bool:
    """Queues the job again as it was first asked; False if its kind of job no longer exists."""
    try:
        job_task = import_string(failure.task_path)
    except ImportError:
        return False
    kwargs = {key: value for key, value in failure.arguments.get("kwargs", {}).items() if key != ATTEMPT}
    enqueue(job_task, *failure.arguments.get("args", []), **kwargs)
    _settle(failure, by, "retried")
    return True


@transaction.atomic
def failure_dismiss(*, failure, by) -> None:
    _settle(failure, by, "dismissed")


def _settle(failure, by, outcome: str) -> None:
    failure.settled_at, failure.settled_by, failure.outcome = timezone.now(), by, outcome
    failure.save(update_fields=["settled_at", "settled_by", "outcome"])
