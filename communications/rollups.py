"""Roll-ups of the engagement log, kept in the transaction of every write, so that the dashboard's
first view after a change reads a few thousand rows instead of a million engagements.

The rule is one function, `refresh`: the roll-up rows of the days given (and of the days of the
engagements given) are worked out again from the live rows, and the difference written. One write
takes a shortcut: a new engagement (`added`) has its own counts added to its day's rows rather than
the whole day worked out again (a day of a thousand meetings cost 40 ms a meeting logged); the
roll-ups' property test takes both paths and compares every table with a rebuild. The reach's
rule is a query (`_reach_rows`): `refresh` reads it for the days written, `rebuild` inserts it
whole in one statement. Every
write path calls it (the services, merges, the demo seeding through `rebuild`, the admin); nothing
else writes the roll-up tables. What a roll-up row holds, and why:

- EngagementTally: held engagements (not removed) per day, scope and measure (kind, sentiment,
  depth, region, key factor), with their participants. One measure per row: the dashboard's charts
  are each one measure per month, and a day of a thousand engagements folds into a few dozen rows.
- OrganizationReach: each organization met on a day, per scope (everyone's, one author's, or one
  campaign's), with the day it was met before. "Organizations reached" is a distinct count, never
  a sum of days: an organization met on two days of a period is counted on the first of them only,
  the row whose previous day falls before the period.
- FollowUpTally: open follow-ups of engagements not removed, per scope and due date (open ones,
  and overdue ones as those due before today).

Writers take turns (`crm.lib.changes.take_turn`, first in the services): each works its days out again from what it reads, so
on PostgreSQL, where several transactions write at once, a second writer that read the day before
the first committed would write its counts over the first's (or fail on the unique constraint of a
day's first rows). SQLite takes one writer at a time anyway.

A scope is "" (everyone's work) or one dimension the dashboard filters on ("author:<id>",
"region:<id>", "office:<id>", "campaign:<id>"); reach is kept for "", authors and campaigns (the
campaigns list counts each campaign's organizations reached from it). Filters beyond one
dimension, or by stakeholder type, are counted live (crm/dashboard/selectors.py).
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, CharField, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Concat

from communications.choices import OPEN_FOLLOW_UP_STATUSES
from communications.models import Engagement, EngagementTally, FollowUp, FollowUpTally, OrganizationReach
from crm.lib import changes
from crm.lib.bulk import insert_rows
from stakeholders.choices import HIGH_SCORE
from stakeholders.models import Organization

# The dimensions a scope can name, and the engagement's field for each.
DIMENSIONS = {"author": "author_id", "region": "region_id", "office": "customs_office_id", "campaign": "campaign_id"}
MEASURES = {"kind": "kind", "sentiment": "sentiment", "depth": "depth", "region": "region_id"}
REACH_DIMENSIONS = ("author", "campaign")
# A key stakeholder, as the dashboard's coverage figure counts them.
KEY_FIELDS = {"influence__gte": HIGH_SCORE, "is_archived": False}
KEY = Q(**KEY_FIELDS)
DAYS_AT_ONCE = 31
IDS_AT_ONCE = 5000
ENGAGEMENT_FIELDS = ["pk", "occurred_on", "kind", "sentiment", "depth", *DIMENSIONS.values()]


def _one_writer_at_a_time() -> None:
    """Writers of the roll-ups take turns (crm/lib/changes.py): the services take theirs first,
    before any write; here it is taken again (free) for any other caller."""
    changes.take_turn()


def _batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def scopes_of(row: dict, dimensions: Iterable[str] = DIMENSIONS) -> list[str]:
    """The scopes an engagement counts in: everyone's, and one per dimension it has a value for."""
    return [""] + [f"{name}:{row[DIMENSIONS[name]]}" for name in dimensions if row[DIMENSIONS[name]] is not None]


def refresh(
    *, engagements: Iterable[int] = (), days: Iterable[date | None] = (), due_days: Iterable[date] = ()
) -> None:
    """Bring the roll-ups in step after a write: `engagements` are the ids written (their days and
    their follow-ups' due dates are refreshed); `days` and `due_days` are days the write may have
    taken rows away from (an engagement's former date, a follow-up's former due date). Call it
    inside the write's transaction, after the write."""
    _one_writer_at_a_time()
    ids = sorted(set(engagements))
    days, due_days = set(days), set(due_days)
    for batch in _batches(ids, IDS_AT_ONCE):
        days |= set(Engagement.objects.filter(pk__in=batch).values_list("occurred_on", flat=True))
        due_days |= set(FollowUp.objects.filter(engagement_id__in=batch).values_list("due_on", flat=True))
    days.discard(None)
    for batch in _batches(sorted(days), DAYS_AT_ONCE):
        _refresh_tallies(batch)
        _refresh_reach(batch)
    for batch in _batches(sorted(due_days), DAYS_AT_ONCE):
        _refresh_follow_ups(batch)


def added(engagement_id: int) -> None:
    """A new engagement was logged (nothing else changed): its counts are added to the rows of its
    day, its organizations' reach rows made where missing, its follow-ups' due days worked out
    again. The same rows as `refresh(engagements=[engagement_id])`. Call it inside the write's
    transaction, after the write."""
    _one_writer_at_a_time()
    fields = [*ENGAGEMENT_FIELDS, "participants", "women_participants", "is_held", "is_removed"]
    row = Engagement.objects.filter(pk=engagement_id).values(*fields).first()
    if row is None:
        return
    if row["is_held"] and not row["is_removed"]:
        _add_tallies(row)
        _add_reach(row)
    due_days = set(FollowUp.objects.filter(engagement_id=engagement_id).values_list("due_on", flat=True))
    for batch in _batches(sorted(due_days), DAYS_AT_ONCE):
        _refresh_follow_ups(batch)


def _add_tallies(row: dict) -> None:
    """One held engagement counted in the tally rows of its day: +1, and its participants."""
    day, scopes = row["occurred_on"], scopes_of(row)
    codes = [(measure, _code(row[field])) for measure, field in MEASURES.items()]
    factors = Engagement.key_factors.through.objects.filter(engagement_id=row["pk"]).values_list(
        "keyfactor__code", flat=True
    )
    codes += [("factor", code) for code in set(factors)]
    keys = {(day, scope, measure, code) for scope in scopes for measure, code in codes}
    existing = {
        (day, scope, measure, code): pk
        for pk, scope, measure, code in EngagementTally.objects.filter(day=day, scope__in=scopes).values_list(
            "pk", "scope", "measure", "code"
        )
        if (day, scope, measure, code) in keys
    }
    people, women = row["participants"] or 0, row["women_participants"] or 0
    EngagementTally.objects.filter(pk__in=list(existing.values())).update(
        n=F("n") + 1, participants=F("participants") + people, women=F("women") + women
    )
    insert_rows(
        EngagementTally,
        (
            _row_of(EngagementTally, key) | {"n": 1, "participants": people, "women": women}
            for key in sorted(keys - existing.keys())
        ),
        record=False,
    )


def _add_reach(row: dict) -> None:
    """One held engagement's organizations reached on its day, in its scopes: the rows missing made,
    and those organizations' previous days worked out again."""
    day, scopes = row["occurred_on"], scopes_of(row, REACH_DIMENSIONS)
    organizations = set(
        Engagement.organizations.through.objects.filter(engagement_id=row["pk"]).values_list(
            "organization_id", flat=True
        )
    )
    existing = set(
        OrganizationReach.objects.filter(day=day, scope__in=scopes, organization_id__in=organizations).values_list(
            "scope", "organization_id"
        )
    )
    missing = sorted({(scope, organization) for scope in scopes for organization in organizations} - existing)
    if not missing:
        return
    _reach_changed(scope for scope, _organization in missing)
    facts = _organization_facts({organization for _scope, organization in missing})
    insert_rows(
        OrganizationReach,
        (
            {"scope": scope, "organization_id": organization, "day": day, "previous": None} | facts[organization]
            for scope, organization in missing
        ),
        record=False,
    )
    _set_previous(sorted({organization for _scope, organization in missing}))


@transaction.atomic
def rebuild() -> None:
    """Every roll-up worked out afresh from the live rows (after a bulk write, or to check them)."""
    _one_writer_at_a_time()
    changes.record_for([changes.EVERYTHING])  # every campaign's reach, among the rest
    EngagementTally.objects.all().delete()
    OrganizationReach.objects.all().delete()
    FollowUpTally.objects.all().delete()
    days = Engagement.objects.filter(is_held=True, is_removed=False).values_list("occurred_on", flat=True)
    for batch in _batches(sorted(set(days)), DAYS_AT_ONCE):
        _refresh_tallies(batch)
    _insert_reach()
    due_days = FollowUp.objects.filter(status__in=OPEN_FOLLOW_UP_STATUSES).values_list("due_on", flat=True)
    for batch in _batches(sorted(set(due_days)), DAYS_AT_ONCE):
        _refresh_follow_ups(batch)


def organizations_changed(organization_ids: Iterable[int]) -> None:
    """An organization's type, influence or archiving changed: its reach rows follow."""
    _one_writer_at_a_time()
    ids = sorted(set(organization_ids))
    organization = Organization.objects.filter(pk=OuterRef("organization_id"))
    for batch in _batches(ids, IDS_AT_ONCE):
        OrganizationReach.objects.filter(organization_id__in=batch).update(
            type=Subquery(organization.values("type")[:1]), key=Exists(organization.filter(KEY))
        )


def _write(model: Any, old: dict, new: dict, fields: list[str]) -> None:
    """Make the rows of `model` keyed as in `old` (key → row) hold `new` (key → values)."""
    gone = [row.pk for key, row in old.items() if key not in new]
    if gone:
        model.objects.filter(pk__in=gone).delete()
    changed = []
    for key, values in new.items():
        row = old.get(key)
        if row is not None and [getattr(row, f) for f in fields] != list(values):
            for name, value in zip(fields, values, strict=True):
                setattr(row, name, value)
            changed.append(row)
    if changed:
        model.objects.bulk_update(changed, fields, batch_size=1000)
    insert_rows(
        model,
        (_row_of(model, key) | dict(zip(fields, new[key], strict=True)) for key in new if key not in old),
        record=False,  # the write these figures follow records its own change
    )


KEYS = {
    EngagementTally: ["day", "scope", "measure", "code"],
    FollowUpTally: ["due_on", "scope"],
}


def _row_of(model: Any, key: tuple) -> dict:
    return dict(zip(KEYS[model], key, strict=True))


def _refresh_tallies(days: list[date]) -> None:
    live = Engagement.objects.filter(occurred_on__in=days, is_held=True, is_removed=False).order_by()
    engagements = {row["pk"]: row for row in live.values(*ENGAGEMENT_FIELDS, "participants", "women_participants")}
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in engagements.values():
        people = (row["participants"] or 0, row["women_participants"] or 0)
        for scope in scopes_of(row):
            for measure, field in MEASURES.items():
                _add(counts[(row["occurred_on"], scope, measure, _code(row[field]))], people)
    factors = Engagement.key_factors.through.objects.filter(engagement__in=live).values_list(
        "engagement_id", "keyfactor__code"
    )
    for engagement_id, code in factors:
        row = engagements[engagement_id]
        people = (row["participants"] or 0, row["women_participants"] or 0)
        for scope in scopes_of(row):
            _add(counts[(row["occurred_on"], scope, "factor", code)], people)
    rows = EngagementTally.objects.filter(scope__in=_scopes(EngagementTally), day__in=days)
    old = {(t.day, t.scope, t.measure, t.code): t for t in rows}
    _write(EngagementTally, old, counts, ["n", "participants", "women"])


def _add(count: list[int], people: tuple[int, int]) -> None:
    count[0] += 1
    count[1] += people[0]
    count[2] += people[1]


def _code(value: Any) -> str:
    return "" if value is None else str(value)


def _refresh_reach(days: list[date]) -> None:
    """The (scope, organization, day) rows of these days; the previous days of the organizations
    whose rows came or went are worked out again."""
    new = {(row["r_scope"], row["r_organization"], row["r_day"]) for row in _reach_rows(days)}
    rows = OrganizationReach.objects.filter(scope__in=_scopes(OrganizationReach), day__in=days)
    old = {
        (scope, organization_id, day): pk
        for scope, organization_id, day, pk in rows.values_list("scope", "organization_id", "day", "pk")
    }
    gone, added = [old[key] for key in old.keys() - new], sorted(new - old.keys())
    _reach_changed(scope for scope, _organization_id, _day in old.keys() ^ new)
    for batch in _batches(gone, IDS_AT_ONCE):
        OrganizationReach.objects.filter(pk__in=batch).delete()
    facts = _organization_facts({organization_id for _scope, organization_id, _day in added})
    insert_rows(
        OrganizationReach,
        (
            {"scope": scope, "organization_id": organization_id, "day": day, "previous": None} | facts[organization_id]
            for scope, organization_id, day in added
        ),
        record=False,
    )
    _set_previous(sorted({organization_id for _scope, organization_id, _day in old.keys() ^ new}))


def _reach_rows(days: list[date] | None, *, facts: bool = False) -> QuerySet:
    """The rule of OrganizationReach, as a query: each organization met at held engagements (not
    removed) on a day, per scope (everyone's, the engagement's author's, its campaign's), for these
    days (None: every day). `facts`: with the organization's type and whether it is a key
    stakeholder. One UNION ALL branch per scope dimension; `refresh` reads it for the days written,
    `rebuild` inserts it whole."""
    links = Engagement.organizations.through.objects.filter(engagement__is_held=True, engagement__is_removed=False)
    if days is not None:
        links = links.filter(engagement__occurred_on__in=days)
    branches = []
    for dimension in (None, *REACH_DIMENSIONS):
        scope: Any
        if dimension is None:
            rows, scope = links, Value("")
        else:
            field = f"engagement__{DIMENSIONS[dimension]}"
            rows = links.filter(**{f"{field}__isnull": False})
            scope = Concat(Value(f"{dimension}:"), Cast(field, CharField()))
        keys = {"r_scope": scope, "r_organization": F("organization_id"), "r_day": F("engagement__occurred_on")}
        if facts:
            key = Q(**{f"organization__{name}": value for name, value in KEY_FIELDS.items()})
            keys |= {"r_type": F("organization__type"), "r_key": Case(When(key, then=True), default=False)}
        branches.append(rows.order_by().values(**keys).distinct())
    return branches[0].union(*branches[1:], all=True)


def _insert_reach() -> None:
    """Every reach row inserted by one INSERT … SELECT of the rule, each row's previous day read by
    the database as the day of the row before it in its organization and scope (the day
    `_set_previous` finds), in the order of the table's unique index."""
    sql, params = _reach_rows(None, facts=True).query.sql_with_params()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in ["scope", "organization_id", "day", "previous", "type", "key"])
    previous = "LAG(r_day) OVER (PARTITION BY r_organization, r_scope ORDER BY r_day)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(OrganizationReach._meta.db_table)} ({columns}) "
            f"SELECT r_scope, r_organization, r_day, {previous}, r_type, r_key FROM ({sql}) reach_rows "
            "ORDER BY r_organization, r_scope, r_day",
            params,
        )


def _scopes(model: Any) -> list[str]:
    """The scopes that have rows in a roll-up table, found by one seek per scope in its index led by
    the scope (a loose index scan): a day's rows are then read as (scope, day) ranges of that index,
    where asking for the day alone reads the whole table (a million tally rows, three million reach
    rows: 60 to 400 ms at each edit of an engagement)."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE scopes(scope) AS (SELECT MIN(scope) FROM {table} UNION ALL "
            f"SELECT (SELECT MIN(scope) FROM {table} WHERE scope > scopes.scope) FROM scopes "
            "WHERE scopes.scope IS NOT NULL) SELECT scope FROM scopes WHERE scope IS NOT NULL"
        )
        return [scope for (scope,) in cursor.fetchall()]


def _reach_changed(scopes: Iterable[str]) -> None:
    """Reach rows of these scopes came or went: what is kept of a campaign's reach (its figures on
    the campaigns list, communications/campaigns.py) is counted again, under the named mark of its
    scope ("campaign:12"). Other scopes' reach is read by the dashboard, kept under the registers'
    mark."""
    changes.record_for(scope for scope in set(scopes) if scope.startswith("campaign:"))


def _organization_facts(ids: set[int]) -> dict[int, dict]:
    facts: dict[int, dict] = {}
    for batch in _batches(sorted(ids), IDS_AT_ONCE):
        rows = Organization.objects.filter(pk__in=batch).annotate(is_key=Q(KEY)).values_list("pk", "type", "is_key")
        facts |= {pk: {"type": type_, "key": bool(is_key)} for pk, type_, is_key in rows}
    return facts


def _set_previous(organization_ids: list[int]) -> None:
    """Each reach row's previous day: the latest day before it the organization was met in its scope
    (`rebuild` has the database read it as the day of the row before, `_insert_reach`)."""
    earlier = OrganizationReach.objects.filter(
        organization_id=OuterRef("organization_id"), scope=OuterRef("scope"), day__lt=OuterRef("day")
    ).order_by("-day")
    update = {"previous": Subquery(earlier.values("day")[:1])}
    for batch in _batches(organization_ids, IDS_AT_ONCE):
        OrganizationReach.objects.filter(organization_id__in=batch).update(**update)


def _refresh_follow_ups(due_days: list[date]) -> None:
    rows = (
        FollowUp.objects.filter(due_on__in=due_days, status__in=OPEN_FOLLOW_UP_STATUSES, engagement__is_removed=False)
        .order_by()
        .values_list("due_on", *[f"engagement__{field}" for field in DIMENSIONS.values()])
    )
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0])
    for due_on, *dimensions in rows:
        for scope in scopes_of(dict(zip(DIMENSIONS.values(), dimensions, strict=True))):
            counts[(due_on, scope)][0] += 1
    old = {
        (t.due_on, t.scope): t
        for t in FollowUpTally.objects.filter(scope__in=_scopes(FollowUpTally), due_on__in=due_days)
    }
    _write(FollowUpTally, old, counts, ["n"])


def tallies(scope: str, start: date, end: date) -> QuerySet[EngagementTally]:
    """The tally rows of a period."""
    return EngagementTally.objects.filter(scope=scope, day__gte=start, day__lte=end)


def held_counts(scopes: Iterable[str]) -> dict[str, int]:
    """Held engagements (not removed) of each scope, on every day: each is counted once under the
    measure "kind" (it has one kind)."""
    rows = (
        EngagementTally.objects.filter(scope__in=list(scopes), measure="kind")
        .values_list("scope")
        .annotate(n=Sum("n"))
        .order_by()
    )
    return dict(rows)


def reached(scope: str, start: date, end: date) -> QuerySet[OrganizationReach]:
    """One row per organization reached in the period: its first day met in it."""
    return OrganizationReach.objects.filter(scope=scope, day__gte=start, day__lte=end).filter(
        Q(previous__lt=start) | Q(previous__isnull=True)
    )


def open_follow_ups(scope: str) -> QuerySet[FollowUpTally]:
    return FollowUpTally.objects.filter(scope=scope)
