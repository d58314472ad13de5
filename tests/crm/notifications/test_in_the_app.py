"""In the app: the header's count of one's due follow-ups, and notices of follow-ups others gave."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communications import services
from communications.models import FollowUp
from crm.jobs.loop import run_due_jobs
from crm.models import Notice
from crm.notifications import notices
from tests.factories import FollowUpFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_header_counts_ones_open_follow_ups_due_today_or_overdue(officer_client, officer):
    today = timezone.localdate()
    FollowUpFactory(owner=officer, due_on=today)
    FollowUpFactory(owner=officer, due_on=today - timedelta(days=4))
    FollowUpFactory(owner=officer, due_on=today + timedelta(days=1))  # not yet
    FollowUpFactory(owner=officer, due_on=today, status="done")
    FollowUpFactory(owner=UserFactory(), due_on=today)  # someone else's
    html = officer_client.get("/").content.decode()
    assert "2 follow-ups due" in html  # the words screen readers read
    assert f'href="/communications/follow-ups/?due_to={today.isoformat()}"' in html
    listed = officer_client.get(f"/communications/follow-ups/?due_to={today.isoformat()}")
    assert len(listed.context["table"].rows) == 2  # the link shows the rows counted


def test_past_99_the_header_says_99_plus_and_counts_no_further(officer_client, officer, monkeypatch):
    """The figure is read on every page: it stops counting at its cap (here 5, shown "4+")."""
    monkeypatch.setattr(notices, "BADGE_CAP", 5)
    monkeypatch.setattr("crm.notifications.context_processors.Header.most_shown", 4)
    FollowUpFactory.create_batch(4, owner=officer, due_on=date(2020, 1, 1))
    html = officer_client.get("/").content.decode()
    assert "4 follow-ups due" in html
    FollowUpFactory.create_batch(3, owner=officer, due_on=date(2020, 1, 1))
    html = officer_client.get("/").content.decode()
    assert "More than 4 follow-ups due" in html
    assert '<span aria-hidden="true">4+</span>' in html
    assert notices.counts(officer).due == 5  # counted up to the cap, not 7
    french = officer_client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Plus de 4 suivis à échéance" in french


def test_no_badge_when_nothing_is_due(officer_client):
    assert "follow-ups due" not in officer_client.get("/").content.decode()
    assert "follow-up due" not in officer_client.get("/").content.decode()


def test_the_header_costs_no_query_of_its_own(officer, officer_client):
    """Its figures are read in the signed-in user's own query (crm/accounts/backends.py)."""
    FollowUpFactory(owner=officer, due_on=date(2020, 1, 1))
    officer_client.get("/communications/commitments/")  # warm up
    with CaptureQueriesContext(connection) as context:
        html = officer_client.get("/communications/commitments/").content.decode()
    mine = [query["sql"] for query in context.captured_queries if "crm_notice" in query["sql"]]
    assert len(mine) == 1
    assert mine[0].startswith('SELECT "crm_user".')
    assert "communications_followup" in mine[0]
    assert "header-badge" in html


def _reassign(follow_up, to, by):
    return services.follow_up_update(
        follow_up=follow_up, description=follow_up.description, owner=to, due_on=follow_up.due_on, status="open", by=by
    )


def test_a_follow_up_given_by_someone_else_is_announced_in_the_app_and_by_mail(officer_client, officer, settings):
    settings.SITE_URL = "https://crm.customs.example"
    colleague = UserFactory(first_name="Fatou", last_name="Diallo")
    follow_up = FollowUpFactory(owner=colleague, due_on=timezone.localdate() + timedelta(days=5))
    _reassign(follow_up, officer, colleague)
    html = officer_client.get("/").content.decode()
    assert "1 new notice" in html
    assert "Fatou Diallo gave you a follow-up:" in html
    assert follow_up.description in html
    assert run_due_jobs() == 1
    assert [message.to for message in mail.outbox] == [[officer.email]]
    assert follow_up.description in mail.outbox[0].body
    assert "https://crm.customs.example/communications/engagements/" in mail.outbox[0].body
    notice = Notice.objects.get()
    officer_client.post(f"/notices/{notice.pk}/dismiss/", {"next": "/"})
    assert "new notice" not in officer_client.get("/").content.decode()
    assert run_due_jobs() == 0
    assert len(mail.outbox) == 1


def test_no_notice_for_ones_own_and_no_mail_for_those_who_turned_it_off(officer):
    follow_up = FollowUpFactory(owner=officer)
    _reassign(follow_up, officer, officer)
    assert not Notice.objects.exists()
    quiet = UserFactory(wants_reminders=False)
    _reassign(FollowUp.objects.get(pk=follow_up.pk), quiet, officer)
    assert Notice.objects.filter(user=quiet).exists()  # told in the app
    run_due_jobs()
    assert mail.outbox == []


def test_the_mail_job_sends_once(officer):
    follow_up = FollowUpFactory(owner=UserFactory())
    _reassign(follow_up, officer, follow_up.owner)
    notice = Notice.objects.get()
    notices.mail_assignment.call(notice.pk)
    notices.mail_assignment.call(notice.pk)
    assert len(mail.outbox) == 1


def test_someone_cannot_dismiss_anothers_notice(officer_client):
    follow_up = FollowUpFactory(owner=UserFactory())
    other = UserFactory()
    _reassign(follow_up, other, follow_up.owner)
    notice = Notice.objects.get()
    officer_client.post(f"/notices/{notice.pk}/dismiss/")
    notice.refresh_from_db()
    assert notice.read_at is None


def test_the_dismissal_goes_back_only_to_this_site(officer_client):
    response = officer_client.post("/notices/dismiss/", {"next": "https://evil.example/"})
    assert response.url == "/"
