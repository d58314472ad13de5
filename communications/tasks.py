"""The engagement log's jobs (crm/jobs/): the daily telling of follow-ups gone overdue."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communications.choices import OPEN_FOLLOW_UP_STATUSES
from communications.models import FollowUp
from crm.jobs.engine import job
from crm.lib import events

CATCH_UP_DAYS = (
    7  # a follow-up overdue for longer when the job first runs (or after a week without a worker) is not told
)


@job(label=_("tell other systems of follow-ups gone overdue"), attempts=3, backoff=300)
def tell_overdue_follow_ups(slot: str = "") -> int:
    """follow_up.overdue for each open follow-up that went overdue since it was last told (due
    before the slot's day, within CATCH_UP_DAYS): once each time it goes overdue, since the day it
    was told is written in the same transaction as the events. How many were told."""
    today = timezone.localdate(datetime.fromisoformat(slot)) if slot else timezone.localdate()
    with transaction.atomic():
        overdue = FollowUp.objects.select_for_update().filter(
            Q(overdue_told_on__isnull=True) | Q(overdue_told_on__lte=F("due_on")),
            status__in=OPEN_FOLLOW_UP_STATUSES,
            engagement__is_removed=False,
            due_on__lt=today,
            due_on__gte=today - timedelta(days=CATCH_UP_DAYS),
        )
        ids = list(overdue.order_by("due_on", "pk").values_list("pk", flat=True))
        FollowUp.objects.filter(pk__in=ids).update(overdue_told_on=today)
        for pk in ids:
            events.emit("follow_up.overdue", follow_up=pk)
    return len(ids)
