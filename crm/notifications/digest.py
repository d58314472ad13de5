"""The managers' weekly digest: the past week's figures for what each manager may see, read
through the same selectors and list filters as the dashboard and the lists (so each figure counts
exactly the rows its link shows). Referrals to Internal Affairs appear as a count only: no row,
no organization, no reference (DOMAIN.md, Confidentiality).

Marked once per manager per week (marks.py), the week known by its first day."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace
from urllib.parse import urlencode

from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from communications.campaigns import behind_targets, campaigns_progress
from communications.choices import CampaignStatus
from communications.filters import ConcernFilter, EngagementFilter, FollowUpFilter
from communications.models import Campaign, Concern
from communications.selectors import concern_list, engagement_list, follow_up_list
from crm.accounts.roles import Role
from crm.jobs.engine import job
from crm.lib.listing import list_rows
from crm.models import NotificationMark, User
from crm.notifications import mail, marks
from crm.notifications.reminders import Outcome, slot_day

MEASURE_WORDS = {
    "reached": _("organizations reached"),
    "events": _("events held"),
    "commitments": _("commitments signed"),
}


def week_before(day: date) -> tuple[date, date]:
    """The seven days that end the day before `day` (a Monday's digest: Monday to Sunday before)."""
    return day - timedelta(days=7), day - timedelta(days=1)


@dataclass
class Figure:
    label: str | Promise
    count: int
    url: str = ""  # the list that shows the rows counted (none for referrals: nobody is shown a row)


@dataclass
class Digest:
    start: date
    end: date
    figures: list[Figure] = field(default_factory=list)
    campaigns: list[dict] = field(default_factory=list)


def _link(name: str, query: dict) -> str:
    return mail.absolute(reverse(name) + "?" + urlencode(query, doseq=True))


def digest_for(manager: User, start: date, end: date) -> Digest:
    """What one manager's digest says: about seven queries."""
    seen_as = SimpleNamespace(user=manager)  # what the list filters read of a request
    week = {"date_from": start.isoformat(), "date_to": end.isoformat()}
    held = {"held": "yes", **week}
    raised = {"referred": "no", "raised_from": start.isoformat(), "raised_to": end.isoformat()}
    resolved = {"referred": "no", "resolved_from": start.isoformat(), "resolved_to": end.isoformat()}
    referred = {"referred": "yes", "raised_from": start.isoformat(), "raised_to": end.isoformat()}
    overdue = {"owner": "all", "overdue": "on"}
    concerns = concern_list(user=manager)

    def count(filterset: type, query: dict, rows: QuerySet) -> int:
        return list_rows(filterset, query, rows, seen_as).count()

    digest = Digest(start=start, end=end)
    digest.figures = [
        Figure(
            _("Engagements held"),
            count(EngagementFilter, held, engagement_list(user=manager)),
            _link("communications:engagement_list", held),
        ),
        Figure(
            _("Concerns raised"), count(ConcernFilter, raised, concerns), _link("communications:concern_list", raised)
        ),
        Figure(
            _("Concerns resolved"),
            count(ConcernFilter, resolved, concerns),
            _link("communications:concern_list", resolved),
        ),
        # As on the dashboard: a count of all referrals raised in the week, and nothing else of them.
        Figure(_("Concerns referred to Internal Affairs"), count(ConcernFilter, referred, Concern.objects.all())),
        Figure(
            _("Follow-ups overdue"),
            count(FollowUpFilter, overdue, follow_up_list(user=manager)),
            _link("communications:followup_list", overdue),
        ),
    ]
    digest.campaigns = campaigns_behind(end)
    return digest


def campaigns_behind(on: date) -> list[dict]:
    """Active campaigns behind an even pace towards one of their targets: four queries."""
    active = list(Campaign.objects.filter(status=CampaignStatus.ACTIVE).order_by("ends_on", "name"))
    progress = campaigns_progress(active)
    rows = []
    for campaign in active:
        behind = behind_targets(campaign, progress[campaign.pk], on)
        if behind:
            rows.append(
                {
                    "name": campaign.name,
                    "url": mail.absolute(campaign.get_absolute_url()),
                    "ends_on": campaign.ends_on,
                    "targets": [
                        {
                            "label": MEASURE_WORDS[name],
                            "done": measure.done,
                            "target": measure.target,
                            "expected": expected,
                        }
                        for name, measure, expected in behind
                    ],
                }
            )
    return rows


def managers() -> list[User]:
    return list(
        User.objects.filter(is_active=True, wants_digest=True, groups__name=Role.MANAGER).distinct().order_by("pk")
    )


def digest_message(manager: User, digest: Digest) -> EmailMultiAlternatives:
    dashboard = {"period": "custom", "date_from": digest.start.isoformat(), "date_to": digest.end.isoformat()}
    context = {
        "name": manager.first_name or manager.email,
        "digest": digest,
        "dashboard_url": _link("dashboard", dashboard),
        "settings_url": mail.absolute(reverse("notification_settings")),
    }
    return mail.compose(
        to=manager.email,
        language=mail.language_of(manager.preferred_language),
        subject=_("The week in the Customs CRM"),
        template="digest",
        context=context,
    )


def send_digests(day: date) -> Outcome:
    """The digest of the week before `day` to each manager, at most once a week each."""
    start, end = week_before(day)
    kind, run = NotificationMark.DIGEST, marks.new_run()
    people = managers()
    outcome = Outcome(day=day, due=len(people))
    if not people:
        return outcome
    # Written before any mark: a failure while counting leaves nobody marked, and the job tries again.
    done = marks.marked(user_ids=[manager.pk for manager in people], day=start, kind=kind)
    messages = {
        manager.pk: digest_message(manager, digest_for(manager, start, end))
        for manager in people
        if manager.pk not in done
    }
    with get_connection() as connection:
        sender = mail.Sender(connection)
        won = marks.claim(user_ids=list(messages), day=start, kind=kind, run=run)
        outcome.already = len(people) - len(won)
        try:
            _send_won({pk: message for pk, message in messages.items() if pk in won}, start, sender, outcome)
        except mail.MailServerLost:
            marks.release(day=start, kind=kind, run=run, refused=sender.refused)
            raise
    outcome.lost = marks.report_lost(day=start, kind=kind, run=run)
    return outcome


def _send_won(messages: dict, start: date, sender: mail.Sender, outcome: Outcome) -> None:
    sent: list[int] = []
    try:
        for pk, message in messages.items():
            if sender.send(message):
                sent.append(pk)
            else:
                outcome.failed += 1
    finally:  # those sent before a failure stay sent
        outcome.sent = len(sent)
        marks.note_sent(user_ids=sent, day=start, kind=NotificationMark.DIGEST)


@job(label=_("e-mail the managers' weekly digest"), attempts=3, backoff=300, timeout=3600)
def weekly_digest(slot: str = "") -> dict:
    return send_digests(slot_day(slot)).as_dict()
