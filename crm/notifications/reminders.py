"""The morning reminder: each active user who owns open follow-ups due tomorrow, today or overdue
gets one e-mail listing them (overdue first, with how late), unless they turned it off.

Batched: one query finds who has something due, then for each batch of BATCH people one statement
marks them (marks.py), one reads their follow-ups, one the organizations met, one notes the mails
sent: about five queries per 500 people, whatever the number of follow-ups."""

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from communications.choices import OPEN_FOLLOW_UP_STATUSES
from communications.models import Engagement, FollowUp
from crm.jobs.engine import job
from crm.models import NotificationMark, User
from crm.notifications import mail, marks

BATCH = 500
MOST_LISTED = 30  # follow-ups listed in one mail; the rest are counted, with a link to the list


@dataclass
class Item:
    description: str
    due_on: date
    days_late: int  # 0 when not overdue
    engagement: str
    organizations: str
    url: str


@dataclass
class Outcome:
    day: date
    due: int = 0  # people with something due
    sent: int = 0
    already: int = 0  # marked by an earlier run (or one beside this one)
    failed: int = 0  # marked, the mail server refused: lost, logged
    lost: int = 0  # marked by an earlier run that stopped before sending: logged, not sent again

    def as_dict(self) -> dict:
        return {**asdict(self), "day": self.day.isoformat()}


def due_by(day: date) -> date:
    """Follow-ups due on this date or before are in the day's reminder (tomorrow's included)."""
    return day + timedelta(days=1)


def _open_due(day: date) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(
        status__in_codes=OPEN_FOLLOW_UP_STATUSES, due_on__lte=due_by(day), engagement__is_removed=False
    )


def people_due(day: date) -> list[dict]:
    """Active users who want reminders and own follow-ups due by tomorrow: one query."""
    has_due = Exists(_open_due(day).filter(owner_id=OuterRef("pk")))
    rows = (
        User.objects.filter(is_active=True, wants_reminders=True)
        .filter(has_due)
        .order_by("pk")
        .values("pk", "email", "first_name", "last_name", "preferred_language")
    )
    return [dict(row) for row in rows]


def items_of(owner_ids: list[int], day: date) -> dict[int, list[Item]]:
    """Each owner's follow-ups due by tomorrow, the latest overdue first: two queries."""
    rows = list(
        _open_due(day)
        .filter(owner_id__in=owner_ids)
        .order_by("owner_id", "due_on", "pk")
        .values_list("owner_id", "description", "due_on", "engagement_id", "engagement__title")
    )
    names = defaultdict(list)
    met = Engagement.organizations.through.objects.filter(engagement_id__in={row[3] for row in rows})
    for engagement_id, name in met.order_by("organization__name").values_list("engagement_id", "organization__name"):
        names[engagement_id].append(name)
    items = defaultdict(list)
    # The engagement's address, reversed once (reverse() per row was a third of the time at 10 000 people).
    page = mail.absolute(reverse("communications:engagement_detail", kwargs={"pk": 987654321}))
    for owner_id, description, due_on, engagement_id, title in rows:
        url = page.replace("987654321", str(engagement_id))
        late = max((day - due_on).days, 0)
        items[owner_id].append(Item(description, due_on, late, title, ", ".join(names[engagement_id]), url))
    return items


def follow_ups_url(day: date) -> str:
    """The follow-up list filtered to one's own open ones due by tomorrow (owner "me" and open are
    its defaults)."""
    return mail.absolute(reverse("communications:followup_list") + f"?due_to={due_by(day).isoformat()}")


def reminder_message(person: dict, items: list[Item], day: date) -> EmailMultiAlternatives:
    overdue = [item for item in items if item.days_late]
    today = [item for item in items if not item.days_late and item.due_on == day]
    tomorrow = [item for item in items if item.due_on > day]
    count = len(items)
    context = {
        "name": person["first_name"] or person["email"],
        "day": day,
        "count": count,
        "overdue": overdue[:MOST_LISTED],
        "today": today[: max(MOST_LISTED - len(overdue), 0)],
        "tomorrow": tomorrow[: max(MOST_LISTED - len(overdue) - len(today), 0)],
        "more": max(count - MOST_LISTED, 0),
        "list_url": follow_ups_url(day),
        "settings_url": mail.absolute(reverse("notification_settings")),
    }
    return mail.compose(
        to=person["email"],
        language=mail.language_of(person["preferred_language"]),
        subject=lambda: (
            ngettext("%(count)s follow-up to see to", "%(count)s follow-ups to see to", count) % {"count": count}
        ),
        template="reminder",
        context=context,
    )


def send_reminders(day: date, *, batch: int = BATCH) -> Outcome:
    """The day's reminders, each person's at most once whatever the runs."""
    run = marks.new_run()
    people = people_due(day)
    outcome = Outcome(day=day, due=len(people))
    if not people:
        return outcome
    with get_connection() as connection:  # a mail server that does not answer fails the job before any mark
        sender = mail.Sender(connection)
        try:
            for start in range(0, len(people), batch):
                _send_batch(people[start : start + batch], day, run, sender, outcome)
        except mail.MailServerLost:
            marks.release(day=day, kind=NotificationMark.REMINDER, run=run, refused=sender.refused)
            raise
    outcome.lost = marks.report_lost(day=day, kind=NotificationMark.REMINDER, run=run)
    return outcome


def _send_batch(people: list[dict], day: date, run: str, sender: mail.Sender, outcome: Outcome) -> None:
    kind = NotificationMark.REMINDER
    won = marks.claim(user_ids=[person["pk"] for person in people], day=day, kind=kind, run=run)
    outcome.already += len(people) - len(won)
    items = items_of(sorted(won), day)
    sent: list[int] = []
    try:
        for person in people:
            if person["pk"] not in won:
                continue
            if not items.get(person["pk"]):  # done or moved since the first query: nothing to say
                continue
            if sender.send(reminder_message(person, items[person["pk"]], day)):
                sent.append(person["pk"])
            else:
                outcome.failed += 1
    finally:  # those sent before the mail server was lost stay sent
        outcome.sent += len(sent)
        marks.note_sent(user_ids=sent, day=day, kind=kind)


def slot_day(slot: str) -> date:
    """The local date of a schedule slot ("2026-12-07T07:00:00+00:00"), else today."""
    if not slot:
        return timezone.localdate()
    return timezone.localtime(datetime.fromisoformat(slot)).date()


@job(label=_("e-mail the day's follow-up reminders"), attempts=3, backoff=300, timeout=3600)
def daily_reminders(slot: str = "") -> dict:
    return send_reminders(slot_day(slot)).as_dict()
