"""The reminders' and the digest's places in the schedule (crm/jobs/schedule.py), at the times the
settings give (REMINDERS_AT, DIGEST_DAY, DIGEST_AT), in TIME_ZONE; read at each tick."""

from datetime import time

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from crm.jobs import schedule
from crm.notifications.digest import weekly_digest
from crm.notifications.reminders import daily_reminders


def reminders_at() -> time:
    return time.fromisoformat(settings.REMINDERS_AT.strip())


def digest_at() -> time:
    return time.fromisoformat(settings.DIGEST_AT.strip())


def digest_weekday() -> int:
    """Monday 0 … Sunday 6."""
    return settings.WEEKDAYS.index(settings.DIGEST_DAY)


REMINDERS = schedule.Entry(
    name="follow-up-reminders",
    job=daily_reminders,
    latest=schedule.daily(reminders_at),
    description=_("E-mail each owner their follow-ups due or overdue (daily)"),
)
DIGEST = schedule.Entry(
    name="weekly-digest",
    job=weekly_digest,
    latest=schedule.weekly(digest_weekday, digest_at),
    description=_("E-mail the managers the week's digest (weekly)"),
)
