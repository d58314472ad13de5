"""Demo engagements written by the database itself, so seed_demo reaches national scale quickly.

Building every engagement and link row in Python (six million link rows at a million engagements)
was most of the seeding's 218 s. Here each table is filled by one
INSERT … SELECT: the random choices are computed in SQL from each engagement's index (the number at
the end of its title), so the same seed still gives the same data, and a second run adds only the
engagements that are missing. The mixes are communications.demo's own (kinds, depth, sentiment,
subjects, actions, three years of dates, one to three organizations, follow-ups, commitments,
concerns); every row gets its "created" history entry from crm.lib.bulk.insert_created_history, and
organizations' last_engaged_on is set by the engagement log's definition
(communications.services.last_engaged_dates).

The SQL runs on SQLite and PostgreSQL; its building blocks are in crm.demo.sql.
"""

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from communications import kept_links, rollups
from communications.choices import DEFAULT_TOPICS, KeyFactorCode
from communications.demo import ACTIONS, DAYS, DEPTHS, KINDS, MODE_OF, SENTIMENTS, SUBJECTS, TITLE_MARK
from communications.models import Commitment, Concern, Engagement, FollowUp, KeyFactor, OrganizationReach, Topic
from communications.services import last_engaged_dates
from crm.demo.sql import (
    Draws,
    analyze,
    date_before,
    execute,
    insert,
    insert_links,
    keys_checked_at_the_end,
    literal,
    lookup,
    scalar,
    table,
    year_before,
)
from crm.lib import changes
from crm.lib.bulk import insert_created_history, next_ids, reset_sequences
from crm.lib.search import fold
from stakeholders.models import Contact, Organization

GROUP_KINDS = ["workshop", "training", "awareness_session", "consultative_committee", "press_event"]
ORGANIZATIONS_MET = [1, 1, 1, 2, 2, 3]  # how many organizations an engagement names (repeats are weights)
# As in communications.demo: the people met are recorded for the first 50 000 demo organizations
# only (their first contact), which keeps the data comparable with earlier benchmarks.
ORGANIZATIONS_WITH_CONTACTS = 50_000
# Up to three organizations per engagement, two topics, two key factors: the k of a link row.
LINK_NUMBERS = "(SELECT 0 AS k UNION ALL SELECT 1 UNION ALL SELECT 2)"
SCRATCH_TABLES = ["seed_organization", "seed_engagement", "seed_last_engaged"]


def _drop_scratch_tables() -> None:
    """They would go with the connection anyway; dropped as soon as done with, to free their memory."""
    for name in SCRATCH_TABLES:
        execute(f"DROP TABLE IF EXISTS {name}")


def _fill_organizations() -> int:
    """seed_organization: the demo organizations numbered from 0 (so an engagement picks one by
    arithmetic), with what an engagement takes from them. Returns how many there are."""
    execute(
        "CREATE TEMPORARY TABLE seed_organization (position INTEGER PRIMARY KEY, organization_id BIGINT NOT NULL, "
        "region_id BIGINT, customs_office_id BIGINT, contact_id BIGINT)"
    )
    execute(
        f"""
        INSERT INTO seed_organization (position, organization_id, region_id, customs_office_id, contact_id)
        SELECT ROW_NUMBER() OVER (ORDER BY o.id) - 1, o.id, o.region_id, o.customs_office_id, c.first_id
        FROM {table(Organization)} o
        LEFT JOIN (SELECT organization_id, MIN(id) AS first_id FROM {table(Contact)} GROUP BY organization_id) c
            ON c.organization_id = o.id
        WHERE o.registration_number LIKE 'DEMO-%%'
        """
    )
    execute(
        "UPDATE seed_organization SET contact_id = NULL WHERE position >= %(limit)s",
        {"limit": ORGANIZATIONS_WITH_CONTACTS},
    )
    analyze("seed_organization")
    return scalar("SELECT COUNT(*) FROM seed_organization")


def _fill_engagements(seed: int, *, indexes: range, first_id: int, organizations: int, authors: list) -> None:
    """seed_engagement: one row per engagement to add, with the choices several tables share (its
    id, date, kind, subject, author and organizations); the others are drawn where they are used."""
    execute(
        "CREATE TEMPORARY TABLE seed_engagement (id INTEGER PRIMARY KEY, n BIGINT NOT NULL, "
        "day_offset INTEGER NOT NULL, kind VARCHAR(30) NOT NULL, subject INTEGER NOT NULL, "
        "author_id BIGINT NOT NULL, org_count INTEGER NOT NULL, org_first INTEGER NOT NULL, "
        "org_step INTEGER NOT NULL)"
    )
    draws = Draws(seed, index="n")
    # As in communications.demo: any day from 30 days ahead to three years back, and 3 % more
    # planned within the next 30 days.
    day_offset = (
        f"CASE WHEN {draws.chance('planned', 3)} THEN -1 - {draws.number('day', 30)} "
        f"ELSE {draws.number('day', DAYS + 31)} - 30 END"
    )
    # Up to three distinct organizations: the first anywhere, the next ones a stride further on
    # (round the list); a stride under half the list never comes back to one already taken.
    met = [min(count, organizations) for count in ORGANIZATIONS_MET]
    longest_stride = (organizations - 1) // 2
    # Ids follow the dates, as if each engagement had been logged on its day: the engagement
    # table's many date indexes then grow at their end instead of everywhere at once (on SQLite
    # that made the engagements' INSERT about four times faster at a million rows).
    execute(
        f"""
        INSERT INTO seed_engagement (id, n, day_offset, kind, subject, author_id, org_count, org_first, org_step)
        WITH RECURSIVE seq(n) AS (
            SELECT CAST(%(first_index)s AS BIGINT) UNION ALL SELECT n + 1 FROM seq WHERE n < %(last_index)s
        )
        SELECT %(first_id)s - 1 + ROW_NUMBER() OVER (ORDER BY day_offset DESC, n), drawn.*
        FROM (
            SELECT n, {day_offset} AS day_offset, {draws.choice("kind", KINDS)} AS kind,
                   {draws.number("subject", len(SUBJECTS))} AS subject,
                   {draws.choice("author", [a.pk for a in authors])} AS author_id,
                   {draws.choice("organizations", met)} AS org_count,
                   {draws.number("first organization", organizations)} AS org_first,
                   1 + {draws.number("stride", longest_stride)} AS org_step
            FROM seq
        ) drawn
        """,
        {"first_index": indexes.start, "last_index": indexes.stop - 1, "first_id": first_id},
    )


def _insert_engagements(draws: Draws, params: dict) -> int:
    kind_labels = {kind: kind.replace("_", " ").capitalize() for kind in set(KINDS)}
    subject = lookup("d.subject", dict(enumerate(SUBJECTS)))
    participants = (
        f"(CASE WHEN d.kind IN ({', '.join(literal(k) for k in GROUP_KINDS)}) "
        f"THEN 2 + {draws.number('participants', 59)} ELSE 1 + {draws.number('participants', 6)} END)"
    )
    values = {
        "id": "d.id",
        "occurred_on": date_before("d.day_offset"),
        "kind": "d.kind",
        "title": f"{lookup('d.kind', kind_labels)} || ' on ' || {subject} || {literal(TITLE_MARK)} || CAST(d.n AS TEXT)",
        "mode": lookup("d.kind", MODE_OF, default="in_person"),
        "location": "''",
        "participants": participants,
        "women_participants": f"({participants} + 1) * {draws.number('women', 1000)} / 1000",  # 0 to all, evenly
        "depth": draws.choice("depth", DEPTHS),
        "summary": f"'Discussed ' || {subject} || '. Fictional demo record.'",
        "sentiment": draws.choice("sentiment", SENTIMENTS),
        "is_held": "d.day_offset >= 0",
        "is_removed": "FALSE",
        # search_text_of(title, ""): the title's parts folded one by one, as fold() joins them.
        "search_text": f"{lookup('d.kind', {k: fold(v) for k, v in kind_labels.items()})} || ' on ' || "
        f"{lookup('d.subject', {i: fold(s) for i, s in enumerate(SUBJECTS)})} || {literal(f' {fold(TITLE_MARK)} ')} || CAST(d.n AS TEXT)",
        "created_at": "%(now)s",
        "updated_at": "%(now)s",
        "author_id": "d.author_id",
        "campaign_id": "NULL",
        "customs_office_id": "o.customs_office_id",
        "region_id": "o.region_id",
    }
    source = "FROM seed_engagement d JOIN seed_organization o ON o.position = d.org_first ORDER BY d.id"
    return insert(Engagement, values, source, params)


def _insert_engagement_links(draws: Draws, params: dict) -> None:
    """Organizations, people met, staff present, topics and key factors of the new engagements."""
    organizations = (
        f"FROM seed_engagement d JOIN {LINK_NUMBERS} k ON k.k < d.org_count "
        "JOIN seed_organization o ON o.position = (d.org_first + k.k * d.org_step) %% %(organizations)s"
    )
    insert_links(
        Engagement.organizations.through,
        ("engagement_id", "organization_id"),
        "d.id, o.organization_id",
        f"{organizations} ORDER BY d.id",
        params,
    )
    insert_links(
        Engagement.contacts.through,
        ("engagement_id", "contact_id"),
        "d.id, o.contact_id",
        f"{organizations} WHERE o.contact_id IS NOT NULL ORDER BY d.id",
        params,
    )
    insert_links(
        Engagement.staff.through, ("engagement_id", "user_id"), "d.id, d.author_id", "FROM seed_engagement d", params
    )
    topics = list(Topic.objects.filter(code__in=[t[0] for t in DEFAULT_TOPICS]).values_list("pk", flat=True))
    if topics:
        # One topic, or two (40 %): the second a stride away from the first, so never the same.
        first = draws.number("topic", len(topics))
        position = f"({first} + k.k * (1 + {draws.number('second topic', len(topics) - 1)})) %% {len(topics)}"
        two = draws.chance("two topics", 40 if len(topics) > 1 else 0)
        insert_links(
            Engagement.topics.through,
            ("engagement_id", "topic_id"),
            f"d.id, {lookup(position, dict(enumerate(topics)))}",
            f"FROM seed_engagement d JOIN {LINK_NUMBERS} k ON k.k = 0 OR (k.k = 1 AND {two}) ORDER BY d.id",
            params,
        )
    # The relationship with the private sector always, and one key factor drawn among the ten
    # (the same one nine times in ten, so then only one link).
    factors = dict(KeyFactor.objects.values_list("code", "pk"))
    main = factors[KeyFactorCode.PRIVATE_SECTOR_RELATIONSHIP]
    drawn = draws.choice("key factor", [factors[code] for code in KeyFactorCode.values])
    insert_links(
        Engagement.key_factors.through,
        ("engagement_id", "keyfactor_id"),
        f"d.id, CASE WHEN k.k = 0 THEN {main} ELSE {drawn} END",
        f"FROM seed_engagement d JOIN {LINK_NUMBERS} k ON k.k = 0 OR (k.k = 1 AND {drawn} <> {main}) ORDER BY d.id",
        params,
    )


def _insert_follow_ups(draws: Draws, params: dict) -> int:
    """Four engagements in ten have a follow-up, due 3 to 45 days later; three in four of those
    already due are done (on their due date)."""
    due = f"(d.day_offset - 3 - {draws.number('due', 43)})"  # days before today
    done = f"({due} > 0 AND {draws.chance('done', 75)})"
    values = {
        "description": draws.choice("action", ACTIONS),
        "search_text": draws.choice("action", [fold(action) for action in ACTIONS]),  # FollowUp.folded_text()
        "owner_id": "d.author_id",
        "due_on": date_before(due),
        "status": f"CASE WHEN {done} THEN 'done' ELSE 'open' END",
        "completed_on": f"CASE WHEN {done} THEN {date_before(due)} END",
        "created_at": "%(now)s",
        "engagement_id": "d.id",
        "overdue_told_on": "NULL",  # the daily job tells those gone overdue in the last week
    }
    source = f"FROM seed_engagement d WHERE {draws.chance('follow-up', 40)} ORDER BY d.id"
    return insert(FollowUp, values, source, params)


def _insert_commitments(draws: Draws, params: dict) -> int:
    """Every MoU signing held and 2 % of the other held engagements end in a signed commitment, whose
    parties are the engagement's organizations (a planned engagement has signed nothing yet)."""
    first_id = next_ids(Commitment, 1).start
    chosen = (
        "(SELECT %(first_commitment)s - 1 + ROW_NUMBER() OVER (ORDER BY d.id) AS commitment_id, d.* "
        "FROM seed_engagement d WHERE d.day_offset >= 0 "
        f"AND (d.kind = 'mou_signing' OR {draws.number('outcome', 100)} < 2)) d"
    )
    values = {
        "id": "d.commitment_id",
        "type": "CASE WHEN d.kind = 'mou_signing' THEN 'mou' ELSE 'integrity_charter' END",
        "title": "'Integrity commitment ' || CAST(d.commitment_id AS TEXT)",
        "status": "'signed'",
        "signed_on": date_before("d.day_offset"),
        "valid_until": date_before("d.day_offset - 730"),
        "review_on": date_before("d.day_offset - 365"),
        "document_reference": "''",
        "search_text": "'integrity commitment ' || CAST(d.commitment_id AS TEXT)",  # Commitment.folded_text()
        "notes": "''",
        "author_id": "d.author_id",
        "created_at": "%(now)s",
        "engagement_id": "d.id",
    }
    params = params | {"first_commitment": first_id}
    added = insert(Commitment, values, f"FROM {chosen} ORDER BY d.id", params)
    through = Commitment.parties.through
    links = Engagement.organizations.through
    insert_links(
        through,
        ("commitment_id", "organization_id"),
        "c.id, l.organization_id",
        f"FROM {table(Commitment)} c JOIN {table(links)} l ON l.engagement_id = c.engagement_id "
        "WHERE c.id >= %(first_commitment)s ORDER BY c.id",
        params,
    )
    return added


def _insert_concerns(draws: Draws, params: dict) -> int:
    """8 % of the held engagements raise a concern with their first organization (a planned one has
    raised nothing yet); one in eight of those is referred to Internal Affairs (no narrative, no
    topic), and 60 % of the others are resolved."""
    outcome = draws.number("outcome", 100)
    referred = f"({outcome} >= 99)"
    resolved = f"(NOT {referred} AND d.day_offset >= 0 AND {draws.chance('resolved', 60)})"
    topics = list(Topic.objects.filter(code__in=[t[0] for t in DEFAULT_TOPICS]).values_list("pk", flat=True))
    topic = lookup(draws.number("concern topic", len(topics)), dict(enumerate(topics))) if topics else "NULL"
    # Resolved 2 to 90 days later, but not after today; IA-2025-00042: the index, five digits at least.
    resolved_offset = f"(d.day_offset - 2 - {draws.number('resolution', 89)})"
    resolved_on = date_before(f"CASE WHEN {resolved_offset} < 0 THEN 0 ELSE {resolved_offset} END")
    reference = "CASE WHEN d.n < 100000 THEN substr(CAST(100000 + d.n AS TEXT), 2) ELSE CAST(d.n AS TEXT) END"
    subject = lookup("d.subject", dict(enumerate(SUBJECTS)))
    values = {
        "organization_id": "o.organization_id",
        "engagement_id": "d.id",
        "raised_on": date_before("d.day_offset"),
        "topic_id": f"CASE WHEN {referred} THEN NULL ELSE {topic} END",
        "summary": f"CASE WHEN {referred} THEN '' ELSE 'Raised ' || {subject} || ' (fictional).' END",
        "status": f"CASE WHEN {resolved} THEN 'resolved' WHEN {draws.chance('in progress', 50)} THEN 'in_progress' "
        "ELSE 'open' END",
        "response": f"CASE WHEN {resolved} THEN 'Explained the procedure and followed up.' ELSE '' END",
        "resolved_on": f"CASE WHEN {resolved} THEN {resolved_on} END",
        "referred_to_internal_affairs": referred,
        "referral_reference": f"CASE WHEN {referred} THEN 'IA-' || {year_before('d.day_offset')} || '-' || {reference} ELSE '' END",
        "author_id": "d.author_id",
        "created_at": "%(now)s",
        # Concern.folded_text(): the summary's and response's parts folded, nothing for a referral.
        "search_text": f"CASE WHEN {referred} THEN '' ELSE 'raised ' || "
        f"{lookup('d.subject', {i: fold(s) for i, s in enumerate(SUBJECTS)})} || ' fictional' || "
        f"CASE WHEN {resolved} THEN ' explained the procedure and followed up' ELSE '' END END",
    }
    source = (
        "FROM seed_engagement d JOIN seed_organization o ON o.position = d.org_first "
        f"WHERE d.day_offset >= 0 AND {outcome} >= 92 ORDER BY d.id"
    )
    return insert(Concern, values, source, params)


def _refresh_last_engaged(first_id: int) -> None:
    """Organization.last_engaged_on of every organization the new engagements name, by the
    engagement log's one definition (communications.services.last_engaged_dates): its rows are
    gathered in one pass over the engagements, then copied in one UPDATE."""
    dates = (
        last_engaged_dates()
        .annotate(newest=Max("id"))
        .filter(newest__gte=first_id)
        .values_list("organization", "last_engaged_on")
    )
    sql, params = dates.query.sql_with_params()
    execute("CREATE TEMPORARY TABLE seed_last_engaged (organization_id BIGINT UNIQUE, day DATE)")
    execute(f"INSERT INTO seed_last_engaged (organization_id, day) {sql}", params)
    analyze("seed_last_engaged")
    organizations = table(Organization)
    execute(
        f"""
        UPDATE {organizations} SET last_engaged_on = (
            SELECT s.day FROM seed_last_engaged s WHERE s.organization_id = {organizations}.id
        )
        WHERE id IN (SELECT organization_id FROM seed_last_engaged)
        """
    )


FILLED = [Engagement, FollowUp, Commitment, Concern]  # with their links and history


def seed_engagements(*, count: int, seed: int, authors: list) -> dict:
    """Create the first `count` demo engagements (and what came of them); return what was added.

    The engagements already made (counted by their title's mark) are kept and numbering goes on
    after them.

    SQLite does not check the foreign keys row by row meanwhile (a third of the time at a million
    engagements): every id written is read from the rows it refers to, and the tests check the
    keys. Inside an outer transaction (tests) SQLite checks as usual. PostgreSQL checks every key
    once, at the end (keys_checked_at_the_end).
    """
    totals = {"engagements": 0, "follow-ups": 0, "commitments": 0, "concerns": 0}
    if not count or not authors or not Organization.objects.filter(registration_number__startswith="DEMO-").exists():
        return {"engagements": 0}
    existing = Engagement.objects.filter(title__contains=TITLE_MARK).count()
    if existing >= count:  # nothing to add: the keys stay as they are
        return totals
    rollups_filled = [OrganizationReach]  # millions of rows, each pointing at an organization
    with connection.constraint_checks_disabled(), transaction.atomic(), keys_checked_at_the_end(FILLED, rollups_filled):
        changes.record()
        with kept_links.paused():  # what each engagement links to, worked out once at the end
            totals = _seed_engagements(totals, count=count, seed=seed, existing=existing, authors=authors)
        rollups.rebuild()  # the dashboard's roll-ups, by their one rule, over the rows just written
        return totals


def _seed_engagements(totals: dict, *, count: int, seed: int, existing: int, authors: list) -> dict:
    organizations = _fill_organizations()
    first_ids = {model: next_ids(model, 1).start for model in FILLED}
    first_id = first_ids[Engagement]
    now = timezone.now()
    params = {
        "today": connection.ops.adapt_datefield_value(timezone.localdate()),
        "now": connection.ops.adapt_datetimefield_value(now),
        "organizations": organizations,
    }
    _fill_engagements(
        seed, indexes=range(existing, count), first_id=first_id, organizations=organizations, authors=authors
    )
    analyze("seed_engagement")
    draws = Draws(seed)
    totals["engagements"] = _insert_engagements(draws, params)
    _insert_engagement_links(draws, params)
    analyze(table(Engagement), table(Engagement.organizations.through))  # read by the steps below
    totals["follow-ups"] = _insert_follow_ups(draws, params)
    totals["commitments"] = _insert_commitments(draws, params)
    totals["concerns"] = _insert_concerns(draws, params)
    for model, first in first_ids.items():
        insert_created_history(model, range(first, next_ids(model, 1).start), reason="Demo data", date=now)
    reset_sequences(*FILLED)
    _refresh_last_engaged(first_id)
    _drop_scratch_tables()
    return totals
