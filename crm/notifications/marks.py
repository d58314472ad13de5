"""At most once: a person's reminder of a day (or digest of a week) is marked before it is sent.

The marks of a batch of people are written in one statement, in a transaction of their own that is
committed before any mail goes: a second run, another worker or a restart finds them and sends
nothing more. Each run writes its own token into the rows it makes; the rows that carry it after
the write are the ones it won, and only those it sends. A mail whose sending fails, or whose
process dies between the mark and the sending, is lost rather than repeated: the failure is logged
at once, and a death by the next run of the same day (marks left without `sent_at`). A mail server
lost midway is the exception: the run gives its unsent marks back (`release`) and fails, and the
job's next try sends to those people."""

import logging
from collections.abc import Iterable
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from crm.models import NotificationMark

logger = logging.getLogger("crm.notifications")

STILL_SENDING = timedelta(minutes=15)  # a mark younger than this may belong to a run still sending


def new_run() -> str:
    return get_random_string(32)


def claim(*, user_ids: Iterable[int], day: date, kind: str, run: str) -> set[int]:
    """Marks these people's `kind` of `day` for this run; the ids this run won (the others were
    marked before, by this run's predecessors or a run beside it). Committed on return."""
    ids = list(user_ids)
    if not ids:
        return set()
    with transaction.atomic():
        NotificationMark.objects.bulk_create(
            [NotificationMark(user_id=pk, day=day, kind=kind, run=run) for pk in ids], ignore_conflicts=True
        )
    return set(
        NotificationMark.objects.filter(day=day, kind=kind, run=run, user_id__in=ids).values_list("user_id", flat=True)
    )


def marked(*, user_ids: Iterable[int], day: date, kind: str) -> set[int]:
    """Who of these has their `kind` of `day` marked already (a look before costly work; the claim
    still decides)."""
    return set(
        NotificationMark.objects.filter(day=day, kind=kind, user_id__in=list(user_ids)).values_list(
            "user_id", flat=True
        )
    )


def note_sent(*, user_ids: Iterable[int], day: date, kind: str) -> None:
    ids = list(user_ids)
    if ids:
        NotificationMark.objects.filter(day=day, kind=kind, user_id__in=ids).update(sent_at=timezone.now())


def release(*, day: date, kind: str, run: str, refused: Iterable[str] = ()) -> int:
    """Drops this run's marks not followed by a sending (the mail server was lost midway), but
    those of the addresses the server refused for good: the next try of the job sends to these
    people. How many."""
    unsent = NotificationMark.objects.filter(day=day, kind=kind, run=run, sent_at__isnull=True)
    deleted, _ = unsent.exclude(user__email__in=list(refused)).delete()
    return deleted


def report_lost(*, day: date, kind: str, run: str) -> int:
    """Marks of earlier runs never followed by a sending (a crash between the two): logged, not
    sent again. How many."""
    lost = NotificationMark.objects.filter(
        day=day, kind=kind, sent_at__isnull=True, marked_at__lt=timezone.now() - STILL_SENDING
    ).exclude(run=run)
    emails = list(lost.values_list("user__email", flat=True)[:20])
    count = lost.count() if len(emails) == 20 else len(emails)
    if count:
        logger.warning(
            "%d %s e-mail(s) of %s were marked but never sent (a failure or a stop between the two); "
            "not sent again: %s",
            count,
            kind,
            day.isoformat(),
            ", ".join(emails),
        )
    return count
