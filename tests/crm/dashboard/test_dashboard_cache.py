"""The dashboard's figures are kept until the data behind them changes (crm/dashboard/cache.py):
a view of unchanged data costs a few queries; any change shows at once; nobody sees another's.

Every write path records its change (crm.lib.changes): each one below is taken through its own
door (a page, a command, the admin), and the next view of the dashboard counts afresh."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communications.services import engagement_remove, follow_up_set_status
from communications.surveys import import_survey
from crm.accounts.roles import Role
from crm.lib import changes
from stakeholders.models import Organization
from stakeholders.services import organization_save
from tests.factories import (
    EngagementFactory,
    FollowUpFactory,
    OrganizationFactory,
)

TODAY = timezone.localdate()
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SURVEY = b"wave,year,respondent_group,key_factor,score,respondents\nW1,2026,brokers,transparency,61,12\n"


def _view(client, query="period=30"):
    """(figures counted for this view or None when they were kept, queries, body)"""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/dashboard/?{query}")
    assert response.status_code == 200
    cards = response.context.get("cards")
    figures = {card["label"]: card["value"] for card in cards} if cards else None
    return figures, len(queries), response


def _engagement_figure(response) -> int:
    """The 'Engagements held' figure as the page shows it."""
    body = response.content.decode()
    card = body[body.index("Engagements held") :]
    return int(re.search(r">(\d+)<", card).group(1))


def test_unchanged_data_is_not_counted_again(manager_client, officer):
    EngagementFactory(author=officer, occurred_on=TODAY - timedelta(days=2), organizations=[OrganizationFactory()])
    counted, counting_queries, first = _view(manager_client)
    kept, kept_queries, again = _view(manager_client)
    assert counted["engagements"] == 1
    assert kept is None
    assert kept_queries <= 8 < counting_queries
    assert _engagement_figure(again) == _engagement_figure(first) == 1
    assert "Figures counted at" in again.content.decode()


def test_every_kind_of_change_is_counted_at_once(manager_client, officer, django_capture_on_commit_callbacks):
    broker = OrganizationFactory(influence=5)
    engagement = EngagementFactory(author=officer, occurred_on=TODAY - timedelta(days=2), organizations=[broker])
    follow_up = FollowUpFactory(engagement=engagement, due_on=TODAY - timedelta(days=1))
    figures, _n, _r = _view(manager_client)
    assert figures["engagements"] == 1
    assert figures["follow_ups"] == 1
    assert _view(manager_client)[0] is None  # kept

    def committed(write):
        with django_capture_on_commit_callbacks(execute=True):
            write()

    committed(lambda: follow_up_set_status(follow_up=follow_up, status="done", by=officer))
    assert _view(manager_client)[0]["follow_ups"] == 0

    committed(lambda: engagement_remove(engagement=engagement))
    figures, _n, response = _view(manager_client)
    assert figures["engagements"] == 0
    assert _engagement_figure(response) == 0

    broker.influence = 1
    committed(lambda: organization_save(organization=broker))
    assert _view(manager_client)[0]["coverage"] is None  # no key stakeholder left

    committed(lambda: import_survey(SURVEY, "cips.csv"))  # written in bulk
    assert _view(manager_client)[0] is not None


def test_each_user_role_and_language_has_its_own_figures(client, manager, officer):
    EngagementFactory(author=manager, occurred_on=TODAY - timedelta(days=2), organizations=[OrganizationFactory()])
    client.force_login(manager)
    assert _view(client)[0]["engagements"] == 1
    client.force_login(officer)
    assert _view(client)[0]["engagements"] == 0  # an officer's dashboard counts their own work
    officer.groups.clear()
    officer.groups.add(*manager.groups.all())  # promoted: the officer's kept figures are not theirs any more
    assert officer.role == Role.MANAGER
    client.force_login(officer)
    assert _view(client)[0]["engagements"] == 1
    client.cookies["django_language"] = "fr"
    figures, _n, response = _view(client)
    assert figures is not None
    assert "Échanges tenus" in response.content.decode()


def test_kept_charts_need_no_nonce(manager_client, officer):
    """The kept figures serve every request under the strict Content-Security-Policy: their charts
    carry no script and no style, which a nonce would have to allow."""
    EngagementFactory(author=officer, occurred_on=TODAY - timedelta(days=2), organizations=[OrganizationFactory()])
    for _ in range(2):
        response = _view(manager_client)[2]
        policy = response["Content-Security-Policy"]
        assert "'unsafe-inline'" not in policy
        figures = response.content.decode().split("<main")[1]
        assert "<svg " in figures
        assert "<style" not in figures
        assert "<script" not in figures.split("</main>")[0]
        assert " style=" not in figures.split("</main>")[0]


def _write_then_roll_back():
    with transaction.atomic():
        OrganizationFactory()
        raise RuntimeError


def test_a_commit_counts_again_even_when_it_wrote_no_history(transactional_db, manager_client):
    """On PostgreSQL a long transaction can commit history older than the newest entry already
    read: what counts is its commit (here a commit that wrote no history at all)."""
    assert _view(manager_client)[0] is not None
    assert _view(manager_client)[0] is None  # kept
    with transaction.atomic():
        changes.record()
    assert _view(manager_client)[0] is not None  # counted again


def test_a_write_that_rolls_back_leaves_the_kept_figures(transactional_db, manager_client):
    assert _view(manager_client)[0] is not None
    with pytest.raises(RuntimeError), transaction.atomic():  # noqa: PT012 (the write and the error that rolls it back are the point)
        organization_save(organization=Organization(name="Never written", type="bank"))
        raise RuntimeError
    assert _view(manager_client)[0] is None  # still kept


# Every write path, through its own door ----------------------------------------------------------
