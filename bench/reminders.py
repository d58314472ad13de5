"""The day's follow-up reminders for 10 000 users (started by bench/run.py with the scratch
database's environment, like probe.py): seeds the users and their follow-ups by bulk inserts, then
times `send_reminders` (seconds, queries) and a second run of the same day (all already marked),
then takes them away again (the measures after it see the registry as seeded). Prints one JSON
object per measure.

    python bench/reminders.py [USERS]"""

import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

PREFIX = "bench-reminder-"
DUE_DAYS = (-12, -3, 0, 1)  # overdue twice, today, tomorrow: in the reminder
LATER_DAYS = (5, 20)  # not yet: left out


@transaction.atomic
def seed(users: int) -> None:
    """`users` users, each with an engagement met with an organization and six open follow-ups,
    four of them due by tomorrow: bulk inserts, a few statements per 2 000 rows."""
    from communications.models import Engagement, FollowUp
    from crm.models import NotificationMark, User
    from stakeholders.models import Organization

    NotificationMark.objects.filter(user__email__startswith=PREFIX).delete()
    if User.objects.filter(email__startswith=PREFIX).count() >= users:
        return
    today = timezone.localdate()
    made = User.objects.bulk_create(
        [User(email=f"{PREFIX}{n}@bench.test", first_name=f"Agent {n}", password="!") for n in range(users)],
        batch_size=2000,
    )
    organization = Organization.objects.create(name="Bench Reminders Forwarders", type="freight_forwarder")
    engagements = Engagement.objects.bulk_create(
        [
            Engagement(title=f"Bench meeting {n}", kind="meeting", occurred_on=today - timedelta(days=30), author=user)
            for n, user in enumerate(made)
        ],
        batch_size=2000,
    )
    Engagement.organizations.through.objects.bulk_create(
        [Engagement.organizations.through(engagement=e, organization=organization) for e in engagements],
        batch_size=2000,
    )
    follow_ups = [
        FollowUp(
            engagement=engagement,
            owner=user,
            description=f"Send the minutes ({days:+d})",
            due_on=today + timedelta(days=days),
        )
        for user, engagement in zip(made, engagements, strict=True)
        for days in (*DUE_DAYS, *LATER_DAYS)
    ]
    for follow_up in follow_ups:  # bulk_create() calls no save()
        follow_up.search_text = follow_up.folded_text()
    FollowUp.objects.bulk_create(follow_ups, batch_size=2000)


@transaction.atomic
def forget() -> None:
    """What seed() made, taken away again, so that the measures after this one see the registry as
    seeded: 10,000 more users would otherwise sit in every list of users (the quick log offers each
    active user as staff and as owner). Deleted by the database, as they were inserted: no history."""
    from communications.models import Engagement, FollowUp
    from crm.models import NotificationMark, User
    from stakeholders.models import Organization

    users = User.objects.filter(email__startswith=PREFIX)
    engagements = Engagement.objects.filter(author__in=users)
    NotificationMark.objects.filter(user__in=users)._raw_delete(connection.alias)
    FollowUp.objects.filter(engagement__in=engagements)._raw_delete(connection.alias)
    links = Engagement.organizations.through.objects.filter(engagement__in=engagements)
    links._raw_delete(connection.alias)
    engagements._raw_delete(connection.alias)
    Organization.objects.filter(name="Bench Reminders Forwarders")._raw_delete(connection.alias)
    users._raw_delete(connection.alias)


def measure(label: str) -> dict:
    from crm.notifications.reminders import send_reminders

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as context:
        outcome = send_reminders(timezone.localdate())
    seconds = time.perf_counter() - started
    return {
        "measure": label,
        "seconds": seconds,
        "queries": len(context),
        "sent": outcome.sent,
        "already": outcome.already,
    }


def main(users: int = 10_000) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # composed and kept, not sent
    started = time.perf_counter()
    seed(users)
    print(
        json.dumps({"measure": f"seed {users:,} users for reminders", "seconds": time.perf_counter() - started}),
        flush=True,
    )
    print(json.dumps(measure(f"reminders for {users:,} users")), flush=True)
    print(json.dumps(measure(f"reminders for {users:,} users, run again (all already sent)")), flush=True)
    forget()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
