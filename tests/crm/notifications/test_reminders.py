"""The morning reminder: one e-mail per person, in their language, at most once per day."""

import logging
import smtplib
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.models import NotificationMark
from crm.notifications import mail as notification_mail
from crm.notifications import reminders
from tests.factories import EngagementFactory, FollowUpFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("site_url")]

DAY = date(2026, 12, 7)


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = "https://crm.customs.example"
    settings.DIGEST_DAY = "sunday"  # DAY is a Monday: the reminders alone


def _follow_up(owner, due_on, **kwargs):
    engagement = EngagementFactory(
        title=kwargs.pop("title", "Brokers' meeting"),
        author=owner,
        organizations=[OrganizationFactory(name=kwargs.pop("organization", "Transit Sahel SARL"))],
    )
    return FollowUpFactory(engagement=engagement, owner=owner, due_on=due_on, **kwargs)


def _remind(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("remind", *args, stdout=out)
    return out.getvalue()


def test_each_owner_gets_one_mail_listing_overdue_first_with_how_late():
    awa, moussa = UserFactory(first_name="Awa"), UserFactory()
    _follow_up(awa, DAY + timedelta(days=1), description="Send the agenda")
    _follow_up(awa, DAY - timedelta(days=3), description="Send the minutes", title="Diboli workshop")
    _follow_up(awa, DAY + timedelta(days=2), description="Not yet: the day after tomorrow")
    _follow_up(awa, DAY - timedelta(days=9), description="Done long ago", status="done")
    _follow_up(moussa, DAY, description="Call the chamber")
    assert _remind("--date", DAY.isoformat()) == "Reminders for 2026-12-07: 2 sent, 0 already sent.\n"
    assert sorted(message.to[0] for message in mail.outbox) == sorted([awa.email, moussa.email])
    message = next(message for message in mail.outbox if message.to == [awa.email])
    assert message.subject == "2 follow-ups to see to"
    text = message.body
    assert "Hello Awa," in text
    assert text.index("Send the minutes") < text.index("Send the agenda")
    assert "Send the minutes (3 days late, due 04/12/2026)" in text
    assert "Diboli workshop · Transit Sahel SARL" in text
    assert "Not yet" not in text
    assert "Done long ago" not in text
    assert "https://crm.customs.example/communications/engagements/" in text
    assert "https://crm.customs.example/communications/follow-ups/?due_to=2026-12-08" in text
    html, kind = message.alternatives[0]
    assert kind == "text/html"
    assert "3 days late" in html
    assert 'href="https://crm.customs.example/communications/engagements/' in html
    assert "https://crm.customs.example/accounts/notifications/" in html


def test_a_second_run_sends_nothing_more():
    owner = UserFactory()
    _follow_up(owner, DAY)
    _remind("--date", DAY.isoformat())
    assert _remind("--date", DAY.isoformat()) == "Reminders for 2026-12-07: 0 sent, 1 already sent.\n"
    assert len(mail.outbox) == 1
    assert NotificationMark.objects.get().sent_at is not None
    _remind("--date", (DAY + timedelta(days=1)).isoformat())  # the next day is another reminder
    assert len(mail.outbox) == 2


def test_nothing_due_says_so():
    _follow_up(UserFactory(), DAY + timedelta(days=5))
    assert _remind("--date", DAY.isoformat()) == "Reminders for 2026-12-07: nothing due.\n"
    assert mail.outbox == []


@pytest.mark.parametrize("text", ["2026-13-01", "07/12/2026", "tomorrow"])
def test_an_invalid_date_is_one_clear_line(text):
    with pytest.raises(CommandError, match=r"^--date must be a date written YYYY-MM-DD, such as 2026-12-07, not"):
        _remind("--date", text)


def test_two_runs_at_once_send_each_reminder_once(monkeypatch):
    """A second run starts while the first is sending (another worker, the command by hand):
    whichever marked a person first sends, the other leaves them."""
    people = [UserFactory() for _ in range(3)]
    for person in people:
        _follow_up(person, DAY - timedelta(days=1))
    send, second = notification_mail.Sender.send, []

    def send_then_start_another_run(sender, message):
        if not second:
            second.append(reminders.send_reminders(DAY))
        return send(sender, message)

    monkeypatch.setattr(notification_mail.Sender, "send", send_then_start_another_run)
    first = reminders.send_reminders(DAY)
    assert (first.sent, second[0].sent, second[0].already) == (3, 0, 3)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(person.email for person in people)


def test_two_runs_marking_the_same_batch_share_it_without_repeats():
    people = [UserFactory() for _ in range(4)]
    for person in people:
        _follow_up(person, DAY)
    from crm.notifications import marks

    ids = [person.pk for person in people]
    first = marks.claim(user_ids=ids[:3], day=DAY, kind="reminder", run="a" * 32)
    second = marks.claim(user_ids=ids, day=DAY, kind="reminder", run="b" * 32)
    assert first == set(ids[:3])
    assert second == {ids[3]}


def test_a_mail_the_server_refuses_is_marked_logged_and_not_sent_again(monkeypatch, caplog):
    refused, accepted = UserFactory(), UserFactory()
    _follow_up(refused, DAY)
    _follow_up(accepted, DAY)
    real_send = mail.EmailMultiAlternatives.send

    def refuse_one(message, *args, **kwargs):
        if message.to == [refused.email]:
            raise smtplib.SMTPRecipientsRefused({refused.email: (550, b"mailbox unavailable")})
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", refuse_one)
    with caplog.at_level(logging.ERROR, logger="crm.notifications"):
        out = _remind("--date", DAY.isoformat())
    assert out == (
        "Reminders for 2026-12-07: 1 sent, 0 already sent, 1 refused by the mail server (logged, not sent again).\n"
    )
    assert [message.to for message in mail.outbox] == [[accepted.email]]
    assert refused.email in caplog.text
    assert NotificationMark.objects.filter(user=refused, sent_at__isnull=True).exists()
    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", real_send)
    assert _remind("--date", DAY.isoformat()) == "Reminders for 2026-12-07: 0 sent, 2 already sent.\n"
    assert len(mail.outbox) == 1


class _DroppingServer:
    """The test mail backend, whose connection drops on the sends numbered in `drops` (from 1)."""

    def __init__(self, monkeypatch, drops):
        self.sends, self.opened, self.drops = 0, 0, drops
        self.real_send = locmem.EmailBackend.send_messages
        monkeypatch.setattr(
            locmem.EmailBackend, "send_messages", lambda backend, messages: self.send(backend, messages)
        )
        monkeypatch.setattr(locmem.EmailBackend, "open", lambda backend: self.open())

    def send(self, backend, messages):
        self.sends += 1
        if self.sends in self.drops:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return self.real_send(backend, messages)

    def open(self):
        self.opened += 1


def test_a_connection_that_drops_midway_is_opened_again_and_nobody_is_left_out(monkeypatch):
    people = [UserFactory() for _ in range(3)]
    for person in people:
        _follow_up(person, DAY)
    server = _DroppingServer(monkeypatch, drops={2})
    outcome = reminders.send_reminders(DAY)
    assert (outcome.sent, outcome.failed) == (3, 0)
    assert server.opened >= 2  # the first opening, and once more after the drop
    assert sorted(message.to[0] for message in mail.outbox) == sorted(person.email for person in people)


def test_a_mail_server_lost_midway_fails_the_job_and_its_next_try_sends_the_rest(monkeypatch, caplog):
    people = [UserFactory() for _ in range(6)]
    for person in people:
        _follow_up(person, DAY)
    server = _DroppingServer(monkeypatch, drops=set(range(2, 100)))
    with caplog.at_level(logging.ERROR, logger="crm.notifications"), pytest.raises(notification_mail.MailServerLost):
        reminders.send_reminders(DAY)
    assert len(mail.outbox) == 1
    first = mail.outbox[0].to[0]
    # The one sent stays marked sent; the others are given back rather than lost.
    marked = NotificationMark.objects.all()
    assert [(mark.user.email, mark.sent_at is not None) for mark in marked] == [(first, True)]

    server.drops = set()
    outcome = reminders.send_reminders(DAY)
    assert (outcome.sent, outcome.already, outcome.lost) == (5, 1, 0)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(person.email for person in people)


def test_a_server_saying_try_later_is_lost_not_a_refusal_and_a_refusal_for_good_is_kept(monkeypatch):
    people = sorted((UserFactory() for _ in range(5)), key=lambda person: person.pk)
    for person in people:
        _follow_up(person, DAY)
    refused, real_send = people[0].email, locmem.EmailBackend.send_messages
    throttling = [True]

    def answer(backend, messages):
        (message,) = messages
        if message.to == [refused]:
            raise smtplib.SMTPRecipientsRefused({refused: (550, b"5.1.1 no such mailbox")})
        if throttling[0]:
            raise smtplib.SMTPSenderRefused(421, b"4.7.0 try again later", "crm@example.test")
        return real_send(backend, messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", answer)
    with pytest.raises(notification_mail.MailServerLost):
        reminders.send_reminders(DAY)
    assert mail.outbox == []
    assert list(NotificationMark.objects.values_list("user__email", flat=True)) == [refused]  # kept: not sent again

    throttling[0] = False
    outcome = reminders.send_reminders(DAY)
    assert (outcome.sent, outcome.already) == (4, 1)
    assert refused not in [message.to[0] for message in mail.outbox]


def test_the_command_says_when_the_mail_server_is_lost(monkeypatch):
    _follow_up(UserFactory(), DAY)

    def lost(day, **kwargs):
        raise notification_mail.MailServerLost("The mail server could not be reached for 3 e-mails in a row")

    monkeypatch.setattr(reminders, "send_reminders", lost)
    with pytest.raises(CommandError, match="run the command again later"):
        _remind("--date", DAY.isoformat())


def test_a_stop_between_mark_and_send_loses_that_mail_and_the_next_run_logs_it(caplog):
    owner = UserFactory(email="lost@example.test")
    _follow_up(owner, DAY)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    NotificationMark.objects.create(user=owner, day=DAY, kind="reminder", run="c" * 32, marked_at=an_hour_ago)
    with caplog.at_level(logging.WARNING, logger="crm.notifications"):
        assert _remind("--date", DAY.isoformat()) == "Reminders for 2026-12-07: 0 sent, 1 already sent.\n"
    assert mail.outbox == []
    assert "marked but never sent" in caplog.text
    assert "lost@example.test" in caplog.text


def test_those_who_turned_it_off_or_cannot_sign_in_get_nothing():
    _follow_up(UserFactory(wants_reminders=False), DAY)
    _follow_up(UserFactory(is_active=False), DAY)
    assert _remind("--date", DAY.isoformat()) == "Reminders for 2026-12-07: nothing due.\n"
    assert mail.outbox == []


def test_a_removed_engagements_follow_ups_are_left_out():
    follow_up = _follow_up(UserFactory(), DAY)
    follow_up.engagement.is_removed = True
    follow_up.engagement.save()
    assert _remind("--date", DAY.isoformat()) == "Reminders for 2026-12-07: nothing due.\n"


def test_the_mail_is_in_the_users_language_else_the_sites(settings):
    amadou = UserFactory(first_name="Amadou", preferred_language="fr")
    _follow_up(amadou, DAY - timedelta(days=1), description="Envoyer le compte rendu")
    _follow_up(amadou, DAY)
    _follow_up(UserFactory(), DAY)
    _remind("--date", DAY.isoformat())
    french = next(message for message in mail.outbox if message.to == [amadou.email])
    assert french.subject == "2 suivis à traiter"
    assert "Bonjour Amadou," in french.body
    assert "1 jour de retard" in french.body
    assert "En retard" in french.body
    assert "Pour aujourd’hui" in french.body
    assert 'lang="fr"' in french.alternatives[0][0]
    english = next(message for message in mail.outbox if message.to != [amadou.email])
    assert english.subject == "1 follow-up to see to"


def test_the_day_of_the_schedules_slot_is_its_local_date(settings):
    settings.TIME_ZONE = "Africa/Bamako"
    assert reminders.slot_day("2026-12-07T07:00:00+00:00") == DAY


def test_reminders_cost_a_bounded_number_of_queries():
    for _ in range(12):
        owner = UserFactory()
        for days in (-3, 0, 1):
            _follow_up(owner, DAY + timedelta(days=days))
    with CaptureQueriesContext(connection) as context:
        outcome = reminders.send_reminders(DAY, batch=5)
    assert outcome.sent == 12
    statements = [
        query["sql"] for query in context.captured_queries if not query["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    assert len(statements) == 1 + 5 * 3 + 1  # who; per batch: mark, marks won, follow-ups, organizations, sent; lost
