"""The services tell what happened (crm/lib/events.py), once, in the words listeners expect."""

from datetime import date

import pytest

from communications import services
from communications.models import Commitment, Concern, Engagement
from crm.lib import events
from tests.factories import EngagementFactory, FollowUpFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard(monkeypatch):
    told: list[tuple] = []
    monkeypatch.setattr(events, "LISTENERS", {"*": [lambda name, **data: told.append((name, data))]})
    return told


def _log(author, owner):
    engagement = Engagement(title="Brokers' meeting", kind="meeting", occurred_on=date(2026, 12, 1), author=author)
    drafts = [services.FollowUpDraft(description="Send the minutes", owner=owner, due_on=date(2026, 12, 8))]
    org = OrganizationFactory()
    return services.engagement_save(
        engagement=engagement, organizations=[org], contacts=[], staff=[], topics=[], key_factors=[], follow_ups=drafts
    )


def test_logging_an_engagement_tells_it_and_the_follow_ups_given_to_others(heard):
    author, colleague = UserFactory(), UserFactory()
    engagement = _log(author, colleague)
    follow_up = engagement.follow_ups.get()
    assert heard == [
        ("follow_up.assigned", {"follow_up": follow_up.pk, "by": author.pk}),
        ("engagement.logged", {"engagement": engagement.pk}),
    ]
    heard.clear()
    services.engagement_save(
        engagement=engagement,
        organizations=list(engagement.organizations.all()),
        contacts=[],
        staff=[],
        topics=[],
        key_factors=[],
    )
    assert heard == []  # an edit is not a new engagement


def test_ones_own_follow_up_is_not_announced(heard):
    author = UserFactory()
    _log(author, author)
    assert [name for name, _ in heard] == ["engagement.logged"]


def test_done_is_told_once_and_a_reassignment_to_its_new_owner(heard):
    follow_up = FollowUpFactory()
    boss, other = UserFactory(), UserFactory()
    services.follow_up_update(
        follow_up=follow_up, description="x", owner=other, due_on=follow_up.due_on, status="open", by=boss
    )
    services.follow_up_set_status(follow_up=follow_up, status="done", by=other)
    services.follow_up_set_status(follow_up=follow_up, status="done", by=other)
    assert heard == [
        ("follow_up.assigned", {"follow_up": follow_up.pk, "by": boss.pk}),
        ("follow_up.done", {"follow_up": follow_up.pk, "by": other.pk}),
    ]


def test_a_concern_raised_then_resolved_and_a_commitment_signed(heard):
    concern = services.concern_save(
        concern=Concern(organization=OrganizationFactory(), summary="Delays", author=UserFactory())
    )
    concern.status = "resolved"
    services.concern_save(concern=concern)
    services.concern_save(concern=concern)
    engagement = EngagementFactory()
    commitment = Commitment(engagement=engagement, title="MoU", type="mou", status="draft", author=engagement.author)
    services.commitment_save(commitment=commitment, parties=list(engagement.organizations.all()))
    commitment.status = "signed"
    commitment.signed_on = date(2026, 12, 2)
    services.commitment_save(commitment=commitment, parties=list(engagement.organizations.all()))
    assert heard == [
        ("concern.raised", {"concern": concern.pk}),
        ("concern.resolved", {"concern": concern.pk}),
        ("commitment.signed", {"commitment": commitment.pk}),
    ]


def test_an_unknown_event_is_refused():
    with pytest.raises(ValueError, match="no event is named 'engagement.deleted'"):
        events.emit("engagement.deleted")
