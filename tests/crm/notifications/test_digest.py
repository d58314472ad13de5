"""The managers' weekly digest: the week's figures for what they may see, referrals as a count only."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import call_command

from communications.models import Campaign
from crm.accounts.roles import Role
from crm.notifications import digest
from crm.notifications import mail as notification_mail
from tests.factories import ConcernFactory, EngagementFactory, FollowUpFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 12, 7)
IN_THE_WEEK = date(2026, 12, 3)


@pytest.fixture
def week(settings):
    settings.SITE_URL = "https://crm.customs.example"
    officer = UserFactory(role=Role.OFFICER)
    EngagementFactory(author=officer, occurred_on=IN_THE_WEEK, is_held=True)
    EngagementFactory(author=officer, occurred_on=IN_THE_WEEK, is_held=True)
    EngagementFactory(author=officer, occurred_on=MONDAY - timedelta(days=10), is_held=True)  # the week before
    ConcernFactory(author=officer, raised_on=IN_THE_WEEK, summary="Release delays at Diboli")
    ConcernFactory(
        author=officer, raised_on=date(2026, 11, 2), resolved_on=IN_THE_WEEK, status="resolved", summary="Fees"
    )
    ConcernFactory(
        author=officer,
        raised_on=IN_THE_WEEK,
        referred_to_internal_affairs=True,
        referral_reference="IA-2026-0042",
        summary="",
        organization=OrganizationFactory(name="Secretive Forwarders"),
    )
    FollowUpFactory(owner=officer, due_on=date(2020, 1, 2), engagement__occurred_on=date(2020, 1, 1))
    return officer


def _remind(day: date) -> str:
    from io import StringIO

    out = StringIO()
    call_command("remind", "--date", day.isoformat(), stdout=out)
    return out.getvalue()


def test_each_manager_gets_the_weeks_figures_once_and_officers_none(week):
    first, second = UserFactory(role=Role.MANAGER), UserFactory(role=Role.MANAGER)
    out = _remind(MONDAY)
    assert "Digests for 2026-12-07: 2 sent, 0 already sent." in out
    digests = [message for message in mail.outbox if message.subject == "The week in the Customs CRM"]
    assert sorted(message.to[0] for message in digests) == sorted([first.email, second.email])
    text = digests[0].body
    assert "The week from 30/11/2026 to 06/12/2026:" in text
    assert "- Engagements held: 2" in text
    assert "- Concerns raised: 1" in text
    assert "- Concerns resolved: 1" in text
    assert "- Concerns referred to Internal Affairs: 1" in text
    assert "- Follow-ups overdue: 1" in text
    assert "https://crm.customs.example/communications/engagements/?held=yes&date_from=2026-11-30" in text
    assert "https://crm.customs.example/dashboard/?period=custom&date_from=2026-11-30&date_to=2026-12-06" in text
    assert "Digests for 2026-12-07: 0 sent, 2 already sent." in _remind(MONDAY)  # once a week
    assert "Digests" not in _remind(MONDAY + timedelta(days=1))  # not the digest's day


def test_a_referral_is_a_count_never_a_row(week):
    UserFactory(role=Role.MANAGER)
    _remind(MONDAY)
    message = next(message for message in mail.outbox if message.subject == "The week in the Customs CRM")
    for body in (message.body, message.alternatives[0][0]):
        assert "Secretive Forwarders" not in body
        assert "IA-2026-0042" not in body
        assert "referred=yes" not in body  # no link to the rows either


def test_a_manager_who_turned_it_off_gets_none(week):
    UserFactory(role=Role.MANAGER, wants_digest=False)
    assert "Digests for 2026-12-07: nothing due." in _remind(MONDAY)


def test_the_digest_day_is_a_setting(week, settings):
    UserFactory(role=Role.MANAGER)
    settings.DIGEST_DAY = "wednesday"
    assert "Digests" not in _remind(MONDAY)
    assert "Digests for 2026-12-09: 1 sent" in _remind(MONDAY + timedelta(days=2))


def test_campaigns_behind_an_even_pace_are_named(week):
    manager = UserFactory(role=Role.MANAGER)
    Campaign.objects.create(
        name="Integrity week",
        status="active",
        starts_on=date(2026, 11, 1),
        ends_on=date(2026, 12, 31),
        target_events=10,
        owner=manager,
    )
    Campaign.objects.create(name="No pace to judge", status="active", target_events=10, owner=manager)
    _remind(MONDAY)
    text = next(message for message in mail.outbox if message.to == [manager.email]).body
    assert "Integrity week (ends 31/12/2026)" in text
    assert "events held: 0 of 10 (an even pace would be at 6)" in text
    assert "No pace to judge" not in text


def test_the_figures_are_those_the_manager_may_see(week):
    manager = UserFactory(role=Role.MANAGER)
    figures = {figure.label: figure.count for figure in digest.digest_for(manager, *digest.week_before(MONDAY)).figures}
    assert figures["Engagements held"] == 2
    assert figures["Concerns referred to Internal Affairs"] == 1


def test_a_mail_server_lost_midway_gives_the_unsent_digests_back(week, monkeypatch):
    managers = [UserFactory(role=Role.MANAGER) for _ in range(4)]
    real_send, sends = locmem.EmailBackend.send_messages, []

    def first_only(backend, messages):
        sends.append(1)
        if len(sends) > 1:
            raise ConnectionResetError("Connection reset by peer")
        return real_send(backend, messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", first_only)
    with pytest.raises(notification_mail.MailServerLost):
        digest.send_digests(MONDAY)
    assert len(mail.outbox) == 1
    monkeypatch.setattr(locmem.EmailBackend, "send_messages", real_send)
    outcome = digest.send_digests(MONDAY)
    assert (outcome.sent, outcome.already) == (3, 1)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(manager.email for manager in managers)
