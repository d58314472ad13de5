"""The dashboard's roll-ups (communications.rollups) stay equal to the live rows they stand for,
whatever sequence of writes the services take them through: the tables equal a rebuild from
scratch, and every figure read from them equals the same figure counted live."""

import contextlib
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communications import rollups
from communications.apps import ensure_reference_rows
from communications.models import (
    Campaign,
    Engagement,
    EngagementTally,
    FollowUp,
    FollowUpTally,
    KeyFactor,
    OrganizationReach,
)
from communications.services import (
    FollowUpDraft,
    engagement_mark_held,
    engagement_remove,
    engagement_save,
    follow_up_update,
)
from crm.dashboard import rolled_up, selectors
from stakeholders.models import CustomsOffice, Organization
from stakeholders.services import MergeRefused, organization_merge, organization_save, organization_set_archived
from tests.factories import OrganizationFactory, RegionFactory

TODAY = timezone.localdate()
TYPES = ["bank", "importer", "customs_broker"]

day_offsets = st.integers(min_value=-200, max_value=10)
writes = st.lists(
    st.one_of(
        st.tuples(
            st.just("log"),
            day_offsets,
            st.integers(0, 1),  # author
            st.lists(st.integers(0, 5), min_size=1, max_size=3, unique=True),  # organizations
            st.sampled_from(["meeting", "workshop", "phone_call"]),
            st.sampled_from(["", "positive", "negative"]),
            st.sampled_from(["", "inform", "consult"]),
            st.booleans(),  # at a customs office
            st.booleans(),  # in the campaign
            st.integers(0, 2),  # key factors
            st.lists(st.integers(-5, 40), max_size=2),  # follow-ups, days after it
        ),
        st.tuples(st.just("edit"), st.integers(0, 30), day_offsets, st.integers(0, 1), st.integers(0, 5)),
        st.tuples(st.just("held"), st.integers(0, 30)),
        st.tuples(st.just("remove"), st.integers(0, 30)),
        st.tuples(
            st.just("follow-up"), st.integers(0, 30), st.sampled_from(["done", "open", "cancelled"]), day_offsets
        ),
        st.tuples(st.just("organization"), st.integers(0, 5), st.sampled_from(TYPES), st.integers(1, 5)),
        st.tuples(st.just("archive"), st.integers(0, 5), st.booleans()),
        st.tuples(st.just("merge"), st.integers(0, 5), st.integers(0, 5)),
    ),
    max_size=12,
)


@pytest.fixture
def world(db, officer, manager):
    ensure_reference_rows()
    regions = [RegionFactory(name="Kayes"), RegionFactory(name="Dosso")]
    office = CustomsOffice.objects.create(name="Diboli", kind="border_post", region=regions[0])
    organizations = [
        OrganizationFactory(type=TYPES[i % 3], influence=1 + i % 5, region=regions[i % 2]) for i in range(6)
    ]
    campaign = Campaign.objects.create(name="Integrity week", status="active", owner=manager)
    return {
        "authors": [officer, manager],
        "organizations": organizations,
        "office": office,
        "campaign": campaign,
        "factors": list(KeyFactor.objects.order_by("pk")[:2]),
        "regions": regions,
    }


def _pick(rows, index):
    rows = list(rows)
    return rows[index % len(rows)] if rows else None


def _log(world, offset, author, picks, kind, sentiment, depth, at_office, in_campaign, factors, follow_ups):
    author = world["authors"][author]
    on = TODAY + timedelta(days=offset)
    organizations = list(Organization.objects.filter(pk__in=[world["organizations"][i].pk for i in picks]))
    engagement = Engagement(
        author=author,
        occurred_on=on,
        kind=kind,
        title="Met",
        sentiment=sentiment,
        depth=depth,
        participants=10,
        women_participants=3,
        customs_office=world["office"] if at_office else None,
        campaign=world["campaign"] if in_campaign else None,
    )
    drafts = [FollowUpDraft("Send the minutes", author, on + timedelta(days=abs(d))) for d in follow_ups]
    engagement_save(
        engagement=engagement,
        organizations=organizations,
        contacts=[],
        staff=[],
        topics=[],
        key_factors=world["factors"][:factors],
        follow_ups=drafts,
    )


def _edit(world, index, offset, author, organization):
    engagement = _pick(Engagement.objects.order_by("pk").filter(is_removed=False), index)
    if engagement is None:
        return
    engagement.occurred_on = TODAY + timedelta(days=offset)
    engagement.author = world["authors"][author]
    if all(f.due_on >= engagement.occurred_on for f in FollowUp.objects.filter(engagement=engagement)):
        organizations = [Organization.objects.get(pk=world["organizations"][organization].pk)]
        engagement_save(
            engagement=engagement, organizations=organizations, contacts=[], staff=[], topics=[], key_factors=[]
        )


def _held(world, index):
    if engagement := _pick(Engagement.objects.order_by("pk").filter(is_held=False, is_removed=False), index):
        engagement_mark_held(engagement=engagement)


def _remove(world, index):
    if engagement := _pick(Engagement.objects.order_by("pk").filter(is_removed=False), index):
        engagement_remove(engagement=engagement)


def _follow_up(world, index, status, offset):
    if follow_up := _pick(FollowUp.objects.order_by("pk"), index):
        due = max(follow_up.engagement.occurred_on, TODAY + timedelta(days=offset))
        follow_up_update(
            follow_up=follow_up, description="Call back", owner=follow_up.owner, due_on=due, status=status, by=None
        )


def _organization(world, index, type_, influence):
    organization = Organization.objects.get(pk=world["organizations"][index].pk)
    organization.type, organization.influence = type_, influence
    organization_save(organization=organization)


def _archive(world, index, archived):
    organization = Organization.objects.get(pk=world["organizations"][index].pk)
    organization_set_archived(organization=organization, archived=archived)


def _merge(world, first, second):
    if first == second:
        return
    survivor, duplicate = (Organization.objects.get(pk=world["organizations"][i].pk) for i in (first, second))
    with contextlib.suppress(MergeRefused):  # an archived or merged record: refused, nothing written
        organization_merge(survivor=survivor, duplicate=duplicate)


WRITES = {
    "log": _log,
    "edit": _edit,
    "held": _held,
    "remove": _remove,
    "follow-up": _follow_up,
    "organization": _organization,
    "archive": _archive,
    "merge": _merge,
}


def _apply(world, write):
    name, *args = write
    WRITES[name](world, *args)


def _tables() -> dict:
    return {
        "tallies": sorted(
            EngagementTally.objects.values_list("day", "scope", "measure", "code", "n", "participants", "women")
        ),
        "reach": sorted(
            OrganizationReach.objects.values_list("scope", "day", "organization_id", "previous", "type", "key")
        ),
        "follow-ups": sorted(FollowUpTally.objects.values_list("scope", "due_on", "n")),
    }


def _scopes(world, manager, officer):
    """Filters the roll-ups answer (everyone's, an officer's, a region, an office, a campaign)."""
    region = world["regions"][0]
    forms = [
        ({}, manager),
        ({}, officer),
        ({"officer": officer.email}, manager),
        ({"region": region.name}, manager),
        ({"customs_office": world["office"].name}, manager),
        ({"campaign": world["campaign"].pk}, manager),
    ]
    for data, user in forms:
        for period in ("30", "365"):
            form = selectors.DashboardForm({"period": period, **data})
            assert form.is_valid(), form.errors
            yield selectors.scope_from(form, user), user


def _compare(world, rf, manager, officer, monkeypatch):
    for scope, user in _scopes(world, manager, officer):
        request = rf.get("/dashboard/")
        request.user = user
        assert rolled_up.scope_key(scope, request) is not None
        kept = _read(scope, request)
        with monkeypatch.context() as live:
            live.setattr(rolled_up, "scope_key", lambda scope, request: None)
            counted = _read(scope, request)
        assert kept == counted, scope


def _read(scope, request) -> dict:
    facts = selectors.engagement_facts(scope, request)
    shown = facts[facts["measure"] != "factor"].drop(columns=["factor"])
    rows = sorted(tuple(str(v) for v in row) for row in shown[shown["n"] > 0].itertuples(index=False))
    reach = selectors.reach(scope, request)
    types = sorted(reach.by_type)
    now = selectors.figures(scope, request, facts, reach)
    return {
        "facts": rows,
        "types": types,
        "now": now,
        "before": selectors.figures(scope.previous(), request, later=now),
        "alone": selectors.figures(scope, request),
    }


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=writes)
def test_rollups_equal_the_live_rows_after_any_writes(world, rf, manager, officer, monkeypatch, sequence):
    try:
        with transaction.atomic():
            for write in sequence:
                _apply(world, write)
            kept = _tables()
            _compare(world, rf, manager, officer, monkeypatch)
            rollups.rebuild()
            assert _tables() == kept
            raise _Undo
    except _Undo:
        pass


class _Undo(Exception):
    """Leaves the example's writes behind (each example starts from the same world)."""


def test_a_stakeholder_type_or_two_filters_are_counted_live(world, rf, manager, officer):
    request = rf.get("/dashboard/")
    request.user = manager
    both = selectors.DashboardForm({"period": "30", "officer": officer.email, "region": "Kayes"})
    typed = selectors.DashboardForm({"period": "30", "type": "bank"})
    for form in (both, typed):
        assert form.is_valid()
        assert rolled_up.scope_key(selectors.scope_from(form, manager), request) is None


def test_the_migration_and_the_command_build_them_for_existing_data(world, officer):
    from django.core.management import call_command

    _log(world, -3, 0, [0, 1], "meeting", "positive", "inform", True, True, 2, [4])
    kept = _tables()
    EngagementTally.objects.all().delete()
    OrganizationReach.objects.all().delete()
    FollowUpTally.objects.all().delete()
    call_command("build_rollups")
    assert _tables() == kept
    assert all(kept.values())


def test_an_upgrade_works_out_the_campaigns_reach_kept_since(world, officer):
    from communications.apps import ensure_rollups

    _log(world, -3, 0, [0, 1], "meeting", "positive", "inform", True, True, 2, [4])
    kept = _tables()
    assert any(scope.startswith("campaign:") for scope, *_rest in kept["reach"])
    OrganizationReach.objects.filter(scope__startswith="campaign:").delete()
    ensure_rollups()
    assert _tables() == kept
    ensure_rollups()  # nothing missing: nothing done
    assert _tables() == kept


def test_meetings_logged_on_days_that_already_have_roll_ups_add_up_as_a_rebuild_counts_them(world):
    """A new engagement adds its counts to its day's rows (rollups.added) rather than working the
    day out again: meetings on the same day, in the same and in other scopes, with the same and
    other organizations, one on an earlier day (the later rows' previous day moves), one planned
    (not counted), and follow-ups due on the same days; after each, the tables equal a rebuild."""
    logs = [
        (-10, 0, [0, 1], "meeting", "positive", "inform", True, True, 2, [3]),
        (-10, 0, [0], "workshop", "", "consult", False, False, 1, [3, 5]),
        (-10, 1, [1, 2], "meeting", "negative", "", True, False, 0, []),
        (-20, 0, [0, 2], "phone_call", "", "", False, True, 2, [13]),
        (-15, 1, [0], "meeting", "positive", "inform", True, True, 1, [8]),
        (4, 0, [0], "meeting", "", "", False, False, 0, [0]),  # planned: no tally, its follow-up counts
        (-10, 1, [3], "meeting", "", "", False, False, 2, [3]),
    ]
    for log in logs:
        _log(world, *log)
        kept = _tables()
        rollups.rebuild()
        assert _tables() == kept, log


def test_an_edit_finds_its_days_rows_through_every_scope_the_tables_hold(world):
    """A day's roll-up rows are read through the scopes each table holds (a loose index scan, so an
    edit never reads a whole table): every scope is found, once, and an engagement moved to another
    officer and organization on the same day leaves no row behind in the scopes it left."""
    _log(world, -3, 0, [0, 1], "meeting", "positive", "inform", True, True, 2, [4])
    _log(world, -3, 1, [2], "workshop", "", "", False, False, 1, [2])
    for model in (EngagementTally, OrganizationReach, FollowUpTally):
        scopes = rollups._scopes(model)
        assert len(scopes) == len(set(scopes))
        assert set(scopes) == set(model.objects.values_list("scope", flat=True)), model
    left = f"author:{world['authors'][0].pk}"
    assert OrganizationReach.objects.filter(scope=left).exists()
    _edit(world, 0, -3, 1, 3)  # the first meeting: the other officer, another organization, the same day
    assert not OrganizationReach.objects.filter(scope=left).exists()
    assert not EngagementTally.objects.filter(scope=left).exists()
    kept = _tables()
    rollups.rebuild()
    assert _tables() == kept


def test_a_key_stakeholder_archived_after_being_met_is_no_longer_key_in_a_rebuild_either(world):
    """The reach rows' key flag (influence 4 or 5, not archived) is the same whether the services
    keep it (organizations_changed) or a rebuild works it out in SQL."""
    key = world["organizations"][4]  # influence 5
    _log(world, -3, 0, [4], "meeting", "positive", "inform", False, True, 0, [])
    assert OrganizationReach.objects.filter(organization=key, key=True).exists()
    organization_set_archived(organization=Organization.objects.get(pk=key.pk), archived=True)
    assert not OrganizationReach.objects.filter(organization=key, key=True).exists()
    kept = _tables()
    rollups.rebuild()
    assert _tables() == kept
