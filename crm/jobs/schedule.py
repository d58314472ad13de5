"""The periodic jobs: each named, with when it runs (every N minutes, daily at a time, weekly on a
day) in the installation's time zone. A clock (the worker's loop calls `tick()` about every half
minute) enqueues the latest slot of each entry not yet enqueued: a slot missed while no worker ran
is run once when one starts again, never once per missed slot. The slot is written (ScheduleSlot,
unique) before its job is enqueued, in one transaction, so two workers' clocks never both enqueue it.

Rooms add their entries when the apps start (crm/apps.py): `register(Entry(...))`."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks.base import Task

from crm.jobs.engine import enqueue


@dataclass(frozen=True)
class Entry:
    name: str
    job: Task  # called with the slot as ISO text: job(slot="2026-12-07T07:00:00+00:00")
    latest: Callable[[datetime], datetime]  # now (aware, local) -> the latest slot at or before it
    description: str = ""
    kwargs: dict = field(default_factory=dict)


def every(minutes: int) -> Callable[[datetime], datetime]:
    def latest(now: datetime) -> datetime:
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        elapsed = int((now - midnight).total_seconds() // 60)
        return midnight + timedelta(minutes=elapsed - elapsed % minutes)

    return latest


def daily(at: Callable[[], time]) -> Callable[[datetime], datetime]:
    """Daily at the time `at()` gives (read at each tick, so a changed setting takes effect)."""

    def latest(now: datetime) -> datetime:
        slot = _at(now, at())
        return slot if slot <= now else _at(now - timedelta(days=1), at())

    return latest


def weekly(weekday: Callable[[], int], at: Callable[[], time]) -> Callable[[datetime], datetime]:
    """Weekly on `weekday()` (Monday 0) at `at()`."""

    def latest(now: datetime) -> datetime:
        back = (now.weekday() - weekday()) % 7
        slot = _at(now - timedelta(days=back), at())
        return slot if slot <= now else _at(now - timedelta(days=back + 7), at())

    return latest


def _at(day: datetime, moment: time) -> datetime:
    zone = timezone.get_current_timezone()
    return timezone.make_aware(datetime.combine(day.date(), moment), zone)


ENTRIES: dict[str, Entry] = {}


def register(entry: Entry) -> None:
    ENTRIES[entry.name] = entry


def tick(now: datetime | None = None) -> list[str]:
    """Enqueues each entry's latest slot if it was not yet enqueued; the names enqueued."""
    from crm.models import ScheduleSlot

    now = timezone.localtime(now or timezone.now(), timezone.get_current_timezone())
    enqueued = []
    for entry in ENTRIES.values():
        slot = entry.latest(now)
        if ScheduleSlot.objects.filter(name=entry.name, slot=slot).exists():
            continue
        try:
            with transaction.atomic():
                ScheduleSlot.objects.create(name=entry.name, slot=slot)
                enqueue(entry.job, slot=slot.isoformat(), **entry.kwargs)
        except IntegrityError:  # another clock took this slot first
            continue
        enqueued.append(entry.name)
    return enqueued


def next_slot(entry: Entry, now: datetime | None = None) -> datetime:
    """When the entry runs next (for the administrators' page)."""
    now = timezone.localtime(now or timezone.now(), timezone.get_current_timezone())
    step = timedelta(minutes=1)
    latest = entry.latest(now)
    probe = now
    for _ in range(8):  # a week ahead at most, by days, then back to the minute
        probe += timedelta(days=1)
        if entry.latest(probe) != latest:
            break
    low, high = now, probe
    while high - low > step:
        middle = low + (high - low) / 2
        if entry.latest(middle) != latest:
            high = middle
        else:
            low = middle
    return entry.latest(high)
