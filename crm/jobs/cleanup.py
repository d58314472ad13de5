"""The engine's own housekeeping, a scheduled job: what it keeps, it keeps for a while only."""

from datetime import time, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.jobs import schedule, workers
from crm.jobs.engine import job, stored_in_database

KEEP_DONE = timedelta(days=7)  # jobs that succeeded, for a look at what ran
KEEP_FAILED = timedelta(days=30)  # attempts that failed (the ones that gave up stay on /jobs/ until settled)
KEEP_SLOTS = timedelta(days=60)  # the schedule's slots (only the latest of each entry matters)


@job(label=_("clear finished jobs"), attempts=3)
def clear_finished(slot: str = "") -> dict:
    from crm.models import ScheduleSlot

    now = timezone.now()
    cleared = {"slots": ScheduleSlot.objects.filter(slot__lt=now - KEEP_SLOTS).delete()[0]}
    cleared["workers"] = workers.forget_silent()
    if stored_in_database():
        from django_tasks_db.models import DBTaskResult

        done = DBTaskResult.objects.filter(status="SUCCESSFUL", finished_at__lt=now - KEEP_DONE)
        failed = DBTaskResult.objects.filter(status="FAILED", finished_at__lt=now - KEEP_FAILED)
        cleared["done"], cleared["failed"] = done.delete()[0], failed.delete()[0]
    return cleared


ENTRY = schedule.Entry(
    name="clear-finished-jobs",
    job=clear_finished,
    latest=schedule.daily(lambda: time(3, 15)),
    description=_("Clear finished jobs (daily)"),
)
