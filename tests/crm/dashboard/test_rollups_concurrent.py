"""Two officers logging a meeting on the same day at the same moment, on PostgreSQL (several
workers write at once; SQLite takes one writer at a time): the roll-ups count both meetings.

Each write works its day's roll-ups out again from the live rows. Without a lock, the second
transaction read the day before the first committed and then wrote its counts over the first's
(or, on a day with no roll-up rows yet, failed on the unique constraint)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from communications import rollups
from communications.models import Engagement, EngagementTally, FollowUpTally, OrganizationReach
from communications.services import FollowUpDraft, engagement_save
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite takes one writer at a time")

DAY = timezone.localdate() - timedelta(days=3)


def _tables() -> dict:
    return {
        "tallies": sorted(
            EngagementTally.objects.values_list("day", "scope", "measure", "code", "n", "participants", "women")
        ),
        "reach": sorted(OrganizationReach.objects.values_list("scope", "day", "organization_id", "previous")),
        "follow-ups": sorted(FollowUpTally.objects.values_list("scope", "due_on", "n")),
    }


def _log(author, organization, title):
    engagement = Engagement(author=author, occurred_on=DAY, kind="meeting", title=title, participants=4)
    engagement_save(
        engagement=engagement,
        organizations=[organization],
        contacts=[],
        staff=[],
        topics=[],
        key_factors=[],
        follow_ups=[FollowUpDraft("Send the minutes", author, DAY + timedelta(days=7))],
    )


@pytest.mark.parametrize("day_has_rows", [True, False], ids=["a day with roll-ups", "a first meeting that day"])
def test_two_meetings_logged_at_once_on_the_same_day_are_both_counted(transactional_db, day_has_rows):
    awa, moussa = UserFactory(email="awa@example.test"), UserFactory(email="moussa@example.test")
    saloum, nere = OrganizationFactory(), OrganizationFactory()
    if day_has_rows:
        _log(awa, saloum, "Earlier that day")
    first_written, second_started = threading.Event(), threading.Event()
    failures = []

    def first():
        try:
            with transaction.atomic():
                _log(awa, saloum, "First")
                first_written.set()
                second_started.wait(10)
                threading.Event().wait(1.0)  # the second has read its day meanwhile (or waits for us)
        except Exception as error:  # noqa: BLE001 (reported below)
            failures.append(error)
        finally:
            first_written.set()
            connections.close_all()

    def second():
        try:
            first_written.wait(10)
            second_started.set()
            _log(moussa, nere, "Second")
        except Exception as error:  # noqa: BLE001 (reported below)
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert failures == []
    assert Engagement.objects.filter(occurred_on=DAY).count() == (3 if day_has_rows else 2)
    kept = _tables()
    rollups.rebuild()
    assert kept == _tables()


def test_a_meeting_logged_while_its_organization_is_merged_waits_its_turn(transactional_db):
    """The services take their turn before any write: a meeting with an organization, logged while
    a merge into that organization holds the turn, waits for the merge instead of locking the
    organization's row first (the merge would then wait for that row and the meeting for the turn:
    a deadlock, which PostgreSQL breaks by failing one of the two)."""
    from crm.lib import changes
    from stakeholders.services import organization_merge

    awa = UserFactory(email="awa@example.test")
    survivor, duplicate = OrganizationFactory(name="Transit Saloum"), OrganizationFactory(name="Transit Saloum SA")
    _log(awa, duplicate, "Before the merge")
    merging, failures = threading.Event(), []

    def merge():
        try:
            with transaction.atomic():
                changes.take_turn()
                merging.set()
                threading.Event().wait(1.0)  # the meeting is being logged meanwhile
                organization_merge(survivor=survivor, duplicate=duplicate)
        except Exception as error:  # noqa: BLE001 (reported below)
            failures.append(error)
        finally:
            merging.set()
            connections.close_all()

    def log():
        try:
            merging.wait(10)
            _log(awa, survivor, "During the merge")
        except Exception as error:  # noqa: BLE001 (reported below)
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=merge), threading.Thread(target=log)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert failures == []
    assert set(Engagement.objects.values_list("organizations", flat=True)) == {survivor.pk}
    kept = _tables()
    rollups.rebuild()
    assert kept == _tables()
