"""What the administrators' page shows: the workers, the queue, the schedule, the failures."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from crm.jobs import schedule, workers
from crm.jobs.engine import stored_in_database


@dataclass(frozen=True)
class Queue:
    waiting: int  # due now
    later: int  # waiting for their time (retries, delayed jobs)
    running: int
    oldest_due: datetime | None  # when the longest-waiting due job was enqueued


def queue() -> Queue | None:
    """The jobs in the database's queue (None when they wait in Redis: RQ's own tools tell)."""
    if not stored_in_database():
        return None
    from django_tasks_db.models import DBTaskResult, get_date_max

    now = timezone.now()
    due = Q(status="READY") & (Q(run_after=get_date_max()) | Q(run_after__lte=now))
    figures = DBTaskResult.objects.aggregate(
        waiting=Count("pk", filter=due),
        later=Count("pk", filter=Q(status="READY") & ~due),
        running=Count("pk", filter=Q(status="RUNNING")),
        oldest_due=Min("enqueued_at", filter=due),
    )
    return Queue(**figures)


def worker_list():
    from crm.models import WorkerBeat

    return list(WorkerBeat.objects.order_by("-seen_at")[:50])


@dataclass(frozen=True)
class Planned:
    name: str
    description: str
    last: datetime | None
    next: datetime


def planned() -> list[Planned]:
    from crm.models import ScheduleSlot

    last = dict(
        ScheduleSlot.objects.values("name").annotate(latest=Max("slot")).order_by().values_list("name", "latest")
    )
    return [
        Planned(entry.name, str(entry.description), last.get(entry.name), schedule.next_slot(entry))
        for entry in sorted(schedule.ENTRIES.values(), key=lambda entry: entry.name)
    ]


def open_failures():
    from crm.models import JobFailure

    return JobFailure.objects.filter(settled_at__isnull=True).order_by("-failed_at")


def silent() -> bool:
    return workers.silent()
