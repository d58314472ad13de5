"""Demo engagements written by the database itself, so seed_demo reaches national scale quickly.

Building every engagement and link row in Python (six million link rows at a million engagements)
was most of the seeding's 218 s. Here each table is filled by one
INSERT … SELECT: the random choices are computed in SQL from each engagement's index (the number at
the end of its title), so the same seed still gives the same data, and a second run adds only the
engagements that are missing. The mixes are communications.demo's own (kinds, depth, sentiment,
subjects, actions, three years of dates, one to three organizations, follow-ups, commitments,
concerns); every row gets its "created" history entry, as crm.lib.bulk gives it, and organizations'
last_engaged_on is set by the engagement service's rule (communications.services.refresh_last_engaged).

The SQL runs on SQLite and PostgreSQL; they differ only in date arithmetic (`_day`, `_year`).
"""

import itertools
import random
from contextlib import contextmanager

from django.db import connection, transaction
from django.utils import timezone

from communications.choices import DEFAULT_TOPICS, KeyFactorCode
from communications.demo import ACTIONS, DAYS, DEPTHS, KINDS, MODE_OF, SENTIMENTS, SUBJECTS, TITLE_MARK
from communications.models import Commitment, Concern, Engagement, FollowUp, KeyFactor, Topic
from crm.lib import changes
from crm.lib.bulk import next_ids, reset_sequences
from stakeholders.models import Contact, Organization

# A prime just under 2**31: the square of a number below it still fits in a 64-bit integer, which
# both databases compute exactly (SQLite would turn an overflow into an inexact float).
PRIME = 2_147_483_647
GROUP_KINDS = ["workshop", "training", "awareness_session", "consultative_committee", "press_event"]
ORGANIZATIONS_MET = [1, 1, 1, 2, 2, 3]  # how many organizations an engagement names (repeats are weights)
# As in communications.demo: the people met are recorded for the first 50 000 demo organizations
# only (their first contact), which keeps the data comparable with earlier benchmarks.
ORGANIZATIONS_WITH_CONTACTS = 50_000
# Up to three organizations per engagement, two topics, two key factors: the k of a link row.
LINK_NUMBERS = "(SELECT 0 AS k UNION ALL SELECT 1 UNION ALL SELECT 2)"
SCRATCH_TABLES = ["seed_organization", "seed_engagement", "seed_last_engaged"]


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def literal(value) -> str:
    """A constant of this module as an SQL literal (never user input): numbers as they are, text
    quoted the standard way, which both databases read alike."""
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def pick(position: str, values: list) -> str:
    """SQL for values[position], position being an SQL integer in [0, len(values)): one branch
    per run of equal values, so communications.demo's weighted lists stay a few branches."""
    branches, upper = [], 0
    for value, run in itertools.groupby(values):
        upper += len(list(run))
        branches.append(f"WHEN {position} < {upper} THEN {literal(value)}")
    if len(branches) == 1:
        return literal(values[0])
    return f"(CASE {' '.join(branches[:-1])} ELSE {literal(values[-1])} END)"


def lookup(expression: str, mapping: dict, default=None) -> str:
    """SQL for mapping[expression] (the expression is computed once)."""
    branches = " ".join(f"WHEN {literal(key)} THEN {literal(value)}" for key, value in mapping.items())
    otherwise = f" ELSE {literal(default)}" if default is not None else ""
    return f"(CASE {expression} {branches}{otherwise} END)"


class Draws:
    """SQL for deterministic pseudo-random choices computed from an index column (an engagement's n).

    Each choice has a name, from which two constants are derived with the seed: the index is
    mapped to (index × a + b) mod PRIME, then squared mod PRIME. The squaring breaks the straight
    lines a purely linear formula would draw between two choices (dates against kinds, say), so the
    mixes look random together as well as one by one.
    """

    def __init__(self, seed: int, index: str = "d.n"):
        self.seed, self.index = seed, index

    def number(self, name: str, modulus: int) -> str:
        """An integer in [0, modulus), evenly spread."""
        rng = random.Random(f"{self.seed}/{name}")
        a, b = rng.randrange(1, PRIME), rng.randrange(PRIME)
        mixed = f"(({self.index} * {a} + {b}) %% {PRIME})"
        return f"({mixed} * {mixed} %% {PRIME} %% {max(1, modulus)})"

    def choice(self, name: str, values: list) -> str:
        """One of `values`, repeats giving the weights (as random.choice on communications.demo's lists)."""
        if len(set(values)) == len(values):  # no weights: one lookup, the number computed once
            return lookup(self.number(name, len(values)), dict(enumerate(values)))
        return pick(self.number(name, len(values)), values)

    def chance(self, name: str, percent: int) -> str:
        """A condition true for `percent` per cent of the rows."""
        return f"{self.number(name, 100)} < {percent}"


def _day(offset: str) -> str:
    """SQL for the date `offset` days before %(today)s (a negative offset is in the future)."""
    if connection.vendor == "postgresql":
        return f"(CAST(%(today)s AS DATE) - CAST({offset} AS INTEGER))"  # date - bigint is not defined
    return f"date(%(today)s, (-({offset})) || ' days')"


def _year(offset: str) -> str:
    """SQL for the year (as text) of the date `offset` days before %(today)s."""
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {_day(offset)}) AS TEXT)"
    return f"substr({_day(offset)}, 1, 4)"


def _execute(sql: str, params: dict | None = None) -> int:
    """Run one statement; params always given (even empty), so `%%` always means `%`."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params or {})
        return cursor.rowcount


def _scalar(sql: str, params: dict | None = None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or {})
        return cursor.fetchone()[0]


def _analyze(*tables: str) -> None:
    """PostgreSQL plans each statement from its statistics, and tables filled moments ago have
    none yet (scratch tables never get any from autovacuum): without them it may pick a nested
    loop over a million rows. SQLite's plans here do not depend on statistics."""
    if connection.vendor == "postgresql":
        for name in tables:
            _execute(f"ANALYZE {name}")


def _drop_scratch_tables() -> None:
    """They would go with the connection anyway; dropped as soon as done with, to free their memory."""
    for name in SCRATCH_TABLES:
        _execute(f"DROP TABLE IF EXISTS {name}")


def _check_columns(model, columns: list[str]) -> None:
    """The INSERTs below name every column; a field added to the model must be added here too."""
    missing = {f.column for f in model._meta.concrete_fields} - set(columns)
    if missing:
        raise RuntimeError(f"crm.demo.seeding does not fill {model.__name__}.{', '.join(sorted(missing))}")


def _insert(model, values: dict[str, str], source: str, params: dict) -> int:
    """INSERT INTO model's table (columns) SELECT expressions <source>; values: column → SQL."""
    _check_columns(model, [*values, "id"])  # the id may be left to the database
    columns = ", ".join(connection.ops.quote_name(c) for c in values)
    return _execute(f"INSERT INTO {table(model)} ({columns}) SELECT {', '.join(values.values())} {source}", params)


def _insert_links(through, columns: tuple[str, str], select: str, source: str, params: dict) -> int:
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    return _execute(f"INSERT INTO {table(through)} ({names}) SELECT {select} {source}", params)


def _copy_history(model, first_id: int, params: dict) -> None:
    """One "created" history entry per new row (ids from first_id), as crm.lib.bulk writes them."""
    history = model.history.model
    extra = {
        "history_date": "%(now)s",
        "history_type": "'+'",
        "history_change_reason": "%(reason)s",
        "history_user_id": "NULL",
    }
    fields = [f for f in history._meta.concrete_fields if f.attname != "history_id"]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = ", ".join(extra.get(f.attname, connection.ops.quote_name(f.column)) for f in fields)
    _execute(
        f"INSERT INTO {table(history)} ({columns}) SELECT {values} FROM {table(model)} WHERE id >= %(first_id)s "
        "ORDER BY id",
        params | {"first_id": first_id, "reason": "Demo data"},
    )


def _fill_organizations() -> int:
    """seed_organization: the demo organizations numbered from 0 (so an engagement picks one by
    arithmetic), with what an engagement takes from them. Returns how many there are."""
    _execute(
        "CREATE TEMPORARY TABLE seed_organization (position INTEGER PRIMARY KEY, organization_id BIGINT NOT NULL, "
        "region_id BIGINT, customs_office_id BIGINT, contact_id BIGINT)"
    )
    _execute(
        f"""
        INSERT INTO seed_organization (position, organization_id, region_id, customs_office_id, contact_id)
        SELECT ROW_NUMBER() OVER (ORDER BY o.id) - 1, o.id, o.region_id, o.customs_office_id, c.first_id
        FROM {table(Organization)} o
        LEFT JOIN (SELECT organization_id, MIN(id) AS first_id FROM {table(Contact)} GROUP BY organization_id) c
            ON c.organization_id = o.id
        WHERE o.registration_number LIKE 'DEMO-%%'
        """
    )
    _execute(
        "UPDATE seed_organization SET contact_id = NULL WHERE position >= %(limit)s",
        {"limit": ORGANIZATIONS_WITH_CONTACTS},
    )
    _analyze("seed_organization")
    return _scalar("SELECT COUNT(*) FROM seed_organization")


def _fill_engagements(seed: int, *, indexes: range, first_id: int, organizations: int, authors: list) -> None:
    """seed_engagement: one row per engagement to add, with the choices several tables share (its
    id, date, kind, subject, author and organizations); the others are drawn where they are used."""
    _execute(
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
    _execute(
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
        "occurred_on": _day("d.day_offset"),
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
        "created_at": "%(now)s",
        "updated_at": "%(now)s",
        "author_id": "d.author_id",
        "campaign_id": "NULL",
        "customs_office_id": "o.customs_office_id",
        "region_id": "o.region_id",
    }
    source = "FROM seed_engagement d JOIN seed_organization o ON o.position = d.org_first ORDER BY d.id"
    return _insert(Engagement, values, source, params)


def _insert_engagement_links(draws: Draws, params: dict) -> None:
    """Organizations, people met, staff present, topics and key factors of the new engagements."""
    organizations = (
        f"FROM seed_engagement d JOIN {LINK_NUMBERS} k ON k.k < d.org_count "
        "JOIN seed_organization o ON o.position = (d.org_first + k.k * d.org_step) %% %(organizations)s"
    )
    _insert_links(
        Engagement.organizations.through,
        ("engagement_id", "organization_id"),
        "d.id, o.organization_id",
        f"{organizations} ORDER BY d.id",
        params,
    )
    _insert_links(
        Engagement.contacts.through,
        ("engagement_id", "contact_id"),
        "d.id, o.contact_id",
        f"{organizations} WHERE o.contact_id IS NOT NULL ORDER BY d.id",
        params,
    )
    _insert_links(
        Engagement.staff.through, ("engagement_id", "user_id"), "d.id, d.author_id", "FROM seed_engagement d", params
    )
    topics = list(Topic.objects.filter(code__in=[t[0] for t in DEFAULT_TOPICS]).values_list("pk", flat=True))
    if topics:
        # One topic, or two (40 %): the second a stride away from the first, so never the same.
        first = draws.number("topic", len(topics))
        position = f"({first} + k.k * (1 + {draws.number('second topic', len(topics) - 1)})) %% {len(topics)}"
        two = draws.chance("two topics", 40 if len(topics) > 1 else 0)
        _insert_links(
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
    _insert_links(
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
        "owner_id": "d.author_id",
        "due_on": _day(due),
        "status": f"CASE WHEN {done} THEN 'done' ELSE 'open' END",
        "completed_on": f"CASE WHEN {done} THEN {_day(due)} END",
        "created_at": "%(now)s",
        "engagement_id": "d.id",
    }
    source = f"FROM seed_engagement d WHERE {draws.chance('follow-up', 40)} ORDER BY d.id"
    return _insert(FollowUp, values, source, params)


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
        "signed_on": _day("d.day_offset"),
        "valid_until": _day("d.day_offset - 730"),
        "review_on": _day("d.day_offset - 365"),
        "document_reference": "''",
        "notes": "''",
        "author_id": "d.author_id",
        "created_at": "%(now)s",
        "engagement_id": "d.id",
    }
    params = params | {"first_commitment": first_id}
    added = _insert(Commitment, values, f"FROM {chosen} ORDER BY d.id", params)
    through = Commitment.parties.through
    links = Engagement.organizations.through
    _insert_links(
        through,
        ("commitment_id", "organization_id"),
        "c.id, l.organization_id",
        f"FROM {table(Commitment)} c JOIN {table(links)} l ON l.engagement_id = c.engagement_id "
        "WHERE c.id >= %(first_commitment)s ORDER BY c.id",
        params,
    )
    _copy_history(Commitment, first_id, params)
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
    resolved_on = _day(f"CASE WHEN {resolved_offset} < 0 THEN 0 ELSE {resolved_offset} END")
    reference = "CASE WHEN d.n < 100000 THEN substr(CAST(100000 + d.n AS TEXT), 2) ELSE CAST(d.n AS TEXT) END"
    subject = lookup("d.subject", dict(enumerate(SUBJECTS)))
    values = {
        "organization_id": "o.organization_id",
        "engagement_id": "d.id",
        "raised_on": _day("d.day_offset"),
        "topic_id": f"CASE WHEN {referred} THEN NULL ELSE {topic} END",
        "summary": f"CASE WHEN {referred} THEN '' ELSE 'Raised ' || {subject} || ' (fictional).' END",
        "status": f"CASE WHEN {resolved} THEN 'resolved' WHEN {draws.chance('in progress', 50)} THEN 'in_progress' "
        "ELSE 'open' END",
        "response": f"CASE WHEN {resolved} THEN 'Explained the procedure and followed up.' ELSE '' END",
        "resolved_on": f"CASE WHEN {resolved} THEN {resolved_on} END",
        "referred_to_internal_affairs": referred,
        "referral_reference": f"CASE WHEN {referred} THEN 'IA-' || {_year('d.day_offset')} || '-' || {reference} ELSE '' END",
        "author_id": "d.author_id",
        "created_at": "%(now)s",
    }
    source = (
        "FROM seed_engagement d JOIN seed_organization o ON o.position = d.org_first "
        f"WHERE d.day_offset >= 0 AND {outcome} >= 92 ORDER BY d.id"
    )
    return _insert(Concern, values, source, params)


def _refresh_last_engaged(first_id: int) -> None:
    """Organization.last_engaged_on of every organization in the new engagements, by the rule of
    communications.services.refresh_last_engaged (its latest held engagement not removed, else
    empty), computed in one pass over the links: that function's per-organization lookups took
    45 s for 100 000 organizations."""
    links = table(Engagement.organizations.through)
    _execute("CREATE TEMPORARY TABLE seed_last_engaged (organization_id BIGINT PRIMARY KEY, day DATE)")
    # The engagements are read in id order and their links found by engagement (CROSS JOIN keeps
    # that order on SQLite), rather than organization by organization all over the table.
    _execute(
        f"""
        INSERT INTO seed_last_engaged (organization_id, day)
        SELECT l.organization_id, MAX(CASE WHEN e.is_held AND NOT e.is_removed THEN e.occurred_on END)
        FROM {table(Engagement)} e CROSS JOIN {links} l
        WHERE l.engagement_id = e.id
        GROUP BY l.organization_id
        HAVING MAX(l.engagement_id) >= %(first_id)s
        """,
        {"first_id": first_id},
    )
    _analyze("seed_last_engaged")
    organizations = table(Organization)
    _execute(
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
    once, at the end (_keys_checked_at_the_end).
    """
    totals = {"engagements": 0, "follow-ups": 0, "commitments": 0, "concerns": 0}
    if not count or not authors or not Organization.objects.filter(registration_number__startswith="DEMO-").exists():
        return {"engagements": 0}
    existing = Engagement.objects.filter(title__contains=TITLE_MARK).count()
    if existing >= count:  # nothing to add: the keys stay as they are
        return totals
    with connection.constraint_checks_disabled(), transaction.atomic(), _keys_checked_at_the_end(FILLED):
        changes.record()
        return _seed_engagements(totals, count=count, seed=seed, existing=existing, authors=authors)


@contextmanager
def _keys_checked_at_the_end(models: list):
    """PostgreSQL: the foreign keys of the tables filled are taken off meanwhile and put back at the
    end, each checked by one pass over its table (as pg_restore does), rather than one check per
    row written (about 70 s of 200 at a million engagements). Inside the seeding's transaction: if
    anything fails, the keys are back as they were. Meanwhile the filled tables, and the tables
    their keys point to (users, organizations, contacts…), are locked: seeding is for a demo or
    scratch database, not one officers are using."""
    if connection.vendor != "postgresql":
        yield
        return
    tables = sorted(
        {table(m) for model in models for m in (model, model.history.model)}
        | {table(field.remote_field.through) for model in models for field in model._meta.many_to_many}
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY 1, 2",
            [tables],
        )
        keys = cursor.fetchall()
        # Checks what is pending now: a table with pending checks cannot change.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name, key, _definition in keys:
            cursor.execute(f"ALTER TABLE {name} DROP CONSTRAINT {connection.ops.quote_name(key)}")
    yield
    with connection.cursor() as cursor:
        for name, key, definition in keys:
            cursor.execute(f"ALTER TABLE {name} ADD CONSTRAINT {connection.ops.quote_name(key)} {definition}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # as Django's keys are, for the rest of the transaction


def _seed_engagements(totals: dict, *, count: int, seed: int, existing: int, authors: list) -> dict:
    organizations = _fill_organizations()
    first_id = next_ids(Engagement, 1).start
    params = {
        "today": connection.ops.adapt_datefield_value(timezone.localdate()),
        "now": connection.ops.adapt_datetimefield_value(timezone.now()),
        "organizations": organizations,
    }
    _fill_engagements(
        seed, indexes=range(existing, count), first_id=first_id, organizations=organizations, authors=authors
    )
    _analyze("seed_engagement")
    draws = Draws(seed)
    totals["engagements"] = _insert_engagements(draws, params)
    _copy_history(Engagement, first_id, params)
    _insert_engagement_links(draws, params)
    _analyze(table(Engagement), table(Engagement.organizations.through))  # read by the steps below
    first_follow_up = next_ids(FollowUp, 1).start
    totals["follow-ups"] = _insert_follow_ups(draws, params)
    _copy_history(FollowUp, first_follow_up, params)
    totals["commitments"] = _insert_commitments(draws, params)
    first_concern = next_ids(Concern, 1).start
    totals["concerns"] = _insert_concerns(draws, params)
    _copy_history(Concern, first_concern, params)
    reset_sequences(Engagement, FollowUp, Commitment, Concern)
    _refresh_last_engaged(first_id)
    _drop_scratch_tables()
    return totals
