"""What an engagement links to, kept by the database for the exports and the API (EngagementLinks).

The engagement export writes four many-to-many columns (organizations, people met, topics, key
factors); the API's list pages five lists of keys (organizations, contacts, staff, topics, key
factors). Read through a look-up per column and row, they cost a million-row export about fourteen
seconds of the database's time (seven times its own dump of the table), and an API page most of
its query. Kept on a row of their own, they are read with the engagement.

The database keeps them, not the services: triggers on the link tables and on the names they
show, so that every writer keeps them right (the services, the bulk writers, merges, raw SQL), and
an erased person's name is gone from them in the transaction that erases it.

- SQLite: a trigger per row on each event.
- PostgreSQL: a trigger per statement, which reads the rows the statement changed (transition
  tables): a bulk insert of links refreshes its engagements in one UPDATE.

`ensure()` makes them after every `migrate` (post_migrate), not a migration, as the search index
does (crm/lib/search.py): SQLite drops a table's triggers when a migration rebuilds the table. When
anything had to be made, every engagement's links are worked out again.
"""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.backends.utils import CursorWrapper

from communications.models import Engagement, EngagementLinks, KeyFactor, Topic
from stakeholders.models import Contact, Organization

PREFIX = "kept_links"


@dataclass(frozen=True)
class Kept:
    """One kept column: what an engagement links to through `link`, as `value` (SQL over the
    link as `l` and the record as `x`). "names": the values joined by "; " in the database's
    text order, empty ones left out (the exports, as crm.lib.expressions.JoinedValues joins them);
    "keys": a JSON array in the values' own order, text by code point (the API's serializer)."""

    column: str  # EngagementLinks' column
    form: str  # "names" or "keys"
    link: str  # the link table
    target_key: str  # its column naming the record
    target: str  # the record's table
    value: str
    watched: tuple[str, ...] = ()  # the record's columns the value is made of (none: the link's own)


def kept_columns() -> list[Kept]:
    def link(name: str) -> tuple[str, str]:
        field = Engagement._meta.get_field(name)
        through = field.remote_field.through  # type: ignore[union-attr]
        return through._meta.db_table, through._meta.get_field(field.m2m_reverse_field_name()).column  # type: ignore[union-attr]

    organizations, contacts, staff = link("organizations"), link("contacts"), link("staff")
    topics, key_factors = link("topics"), link("key_factors")
    users = Engagement._meta.get_field("staff").related_model._meta.db_table  # type: ignore[union-attr]
    full_name = "x.first_name || ' ' || x.last_name"
    org, contact, topic, factor = (m._meta.db_table for m in (Organization, Contact, Topic, KeyFactor))
    return [
        Kept("organizations", "names", *organizations, org, "x.name", ("name",)),
        Kept("contacts", "names", *contacts, contact, full_name, ("first_name", "last_name")),
        Kept("topics", "names", *topics, topic, "x.code", ("code",)),
        Kept("key_factors", "names", *key_factors, factor, "x.code", ("code",)),
        Kept("organization_ids", "keys", *organizations, org, f"l.{organizations[1]}"),
        Kept("contact_ids", "keys", *contacts, contact, f"l.{contacts[1]}"),
        Kept("staff_emails", "keys", *staff, users, "x.email", ("email",)),
        Kept("topic_codes", "keys", *topics, topic, "x.code", ("code",)),
        Kept("key_factor_codes", "keys", *key_factors, factor, "x.code", ("code",)),
    ]


def _kept_of(kept: Kept, engagement: str, vendor: str) -> str:
    """The kept value of one engagement (`engagement`: SQL for its id)."""
    record = f" JOIN {kept.target} x ON x.id = l.{kept.target_key}" if kept.watched else ""
    source = f"FROM {kept.link} l{record} WHERE l.engagement_id = {engagement}"
    if kept.form == "keys":
        bytewise = ' COLLATE "C"' if vendor == "postgresql" and kept.watched else ""
        if vendor == "postgresql":
            return f"to_json(ARRAY(SELECT {kept.value} {source} ORDER BY {kept.value}{bytewise}))::text"
        return f"COALESCE((SELECT json_group_array(v) FROM (SELECT {kept.value} AS v {source} ORDER BY v)), '[]')"
    rows = f"SELECT NULLIF({kept.value}, '') AS v {source}"
    if vendor == "postgresql":
        return f"COALESCE((SELECT STRING_AGG(v, '; ' ORDER BY v) FROM ({rows}) AS joined), '')"
    # SQLite keeps the order of a subquery in FROM for GROUP_CONCAT (see crm.lib.expressions.JoinedValues).
    return f"COALESCE((SELECT GROUP_CONCAT(v, '; ') FROM ({rows} ORDER BY v)), '')"


def _links_table() -> str:
    return EngagementLinks._meta.db_table


def _columns() -> str:
    return ", ".join(["engagement_id"] + [kept.column for kept in kept_columns()])


def _by_link() -> dict[str, list[Kept]]:
    """The kept columns of each link table."""
    tables: dict[str, list[Kept]] = {}
    for kept in kept_columns():
        tables.setdefault(kept.link, []).append(kept)
    return tables


# SQLite ------------------------------------------------------------------------------------------


def sqlite_statements() -> dict[str, str]:
    """Every trigger, by name."""
    links, engagements = _links_table(), Engagement._meta.db_table
    all_of = ", ".join(_kept_of(kept, "new.id", "sqlite") for kept in kept_columns())
    statements = {
        f"{PREFIX}_engagement_insert": (
            f"CREATE TRIGGER {PREFIX}_engagement_insert AFTER INSERT ON {engagements} BEGIN "
            f"INSERT OR REPLACE INTO {links} ({_columns()}) VALUES (new.id, {all_of}); END"
        ),
        f"{PREFIX}_engagement_delete": (
            f"CREATE TRIGGER {PREFIX}_engagement_delete AFTER DELETE ON {engagements} BEGIN "
            f"DELETE FROM {links} WHERE engagement_id = old.id; END"
        ),
    }
    for table, kept_list in _by_link().items():
        name = f"{PREFIX}_{kept_list[0].column}"

        def refresh(engagement: str, kept_list: list[Kept] = kept_list) -> str:
            values = ", ".join(f"{kept.column} = {_kept_of(kept, engagement, 'sqlite')}" for kept in kept_list)
            return f"UPDATE {links} SET {values} WHERE engagement_id = {engagement};"

        statements |= {
            f"{name}_insert": f"CREATE TRIGGER {name}_insert AFTER INSERT ON {table} BEGIN {refresh('new.engagement_id')} END",
            f"{name}_delete": f"CREATE TRIGGER {name}_delete AFTER DELETE ON {table} BEGIN {refresh('old.engagement_id')} END",
            f"{name}_update": (
                f"CREATE TRIGGER {name}_update AFTER UPDATE ON {table} BEGIN "
                f"{refresh('old.engagement_id')} {refresh('new.engagement_id')} END"
            ),
        }
    for kept in kept_columns():
        if not kept.watched:
            continue
        name = f"{PREFIX}_{kept.column}_rename"
        renamed = " OR ".join(f"old.{column} IS NOT new.{column}" for column in kept.watched)
        statements[name] = (
            f"CREATE TRIGGER {name} AFTER UPDATE OF {', '.join(kept.watched)} ON {kept.target} "
            f"WHEN {renamed} BEGIN "
            f"UPDATE {links} SET {kept.column} = {_kept_of(kept, f'{links}.engagement_id', 'sqlite')} "
            f"WHERE engagement_id IN (SELECT engagement_id FROM {kept.link} WHERE {kept.target_key} = new.id); END"
        )
    return statements


def _ensure_sqlite(cursor: CursorWrapper) -> bool:
    cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [f"{PREFIX}_%"])
    existing = dict(cursor.fetchall())
    wanted = sqlite_statements()
    if existing == wanted:
        return False
    for name in existing:
        cursor.execute(f"DROP TRIGGER {name}")
    for sql in wanted.values():
        cursor.execute(sql)
    return True


# PostgreSQL --------------------------------------------------------------------------------------


def postgresql_statements() -> list[str]:
    """The functions and the triggers, in the order they are made."""
    links, engagements = _links_table(), Engagement._meta.db_table
    kept_list = kept_columns()
    statements = [
        f"CREATE OR REPLACE FUNCTION {PREFIX}_{kept.column}(engagement bigint) RETURNS text "
        f"LANGUAGE sql STABLE AS $$ SELECT {_kept_of(kept, 'engagement', 'postgresql')} $$"
        for kept in kept_list
    ]
    all_of = ", ".join(f"{PREFIX}_{kept.column}(id)" for kept in kept_list)
    updates = ", ".join(f"{kept.column} = EXCLUDED.{kept.column}" for kept in kept_list)
    statements += [
        _pg_function(
            "engagement_added",
            f"INSERT INTO {links} ({_columns()}) SELECT id, {all_of} FROM changed "
            f"ON CONFLICT (engagement_id) DO UPDATE SET {updates}",
        ),
        _pg_function("engagement_removed", f"DELETE FROM {links} WHERE engagement_id IN (SELECT id FROM changed)"),
        _pg_trigger("engagement_insert", engagements, "INSERT", "NEW TABLE AS changed", "engagement_added"),
        _pg_trigger("engagement_delete", engagements, "DELETE", "OLD TABLE AS changed", "engagement_removed"),
    ]
    for table, kept_on_table in _by_link().items():
        name = kept_on_table[0].column
        values = ", ".join(f"{kept.column} = {PREFIX}_{kept.column}(engagement_id)" for kept in kept_on_table)
        refresh = f"UPDATE {links} SET {values} WHERE engagement_id IN"
        both = "OLD TABLE AS changed_before NEW TABLE AS changed"
        statements += [
            _pg_function(f"{name}_changed", f"{refresh} (SELECT engagement_id FROM changed)"),
            _pg_function(
                f"{name}_moved",
                f"{refresh} (SELECT engagement_id FROM changed UNION SELECT engagement_id FROM changed_before)",
            ),
            _pg_trigger(f"{name}_insert", table, "INSERT", "NEW TABLE AS changed", f"{name}_changed"),
            _pg_trigger(f"{name}_delete", table, "DELETE", "OLD TABLE AS changed", f"{name}_changed"),
            _pg_trigger(f"{name}_update", table, "UPDATE", both, f"{name}_moved"),
        ]
    for kept in kept_list:
        if not kept.watched:
            continue
        old, new = (", ".join(f"{side}.{column}" for column in kept.watched) for side in ("o", "n"))
        statements += [
            _pg_function(
                f"{kept.column}_renamed",
                f"UPDATE {links} SET {kept.column} = {PREFIX}_{kept.column}(engagement_id) WHERE engagement_id IN "
                f"(SELECT l.engagement_id FROM {kept.link} l JOIN changed n ON n.id = l.{kept.target_key} "
                f"JOIN changed_before o ON o.id = n.id WHERE ROW({old}) IS DISTINCT FROM ROW({new}))",
            ),
            _pg_trigger(
                f"{kept.column}_rename",
                kept.target,
                "UPDATE",
                "OLD TABLE AS changed_before NEW TABLE AS changed",
                f"{kept.column}_renamed",
            ),
        ]
    return statements


def _pg_function(name: str, body: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {PREFIX}_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {body}; RETURN NULL; END $$"
    )


def _pg_trigger(name: str, table: str, event: str, tables: str, function: str) -> str:
    return (
        f"CREATE TRIGGER {PREFIX}_{name} AFTER {event} ON {table} REFERENCING {tables} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {PREFIX}_{function}()"
    )


def _pg_triggers() -> dict[str, str]:
    """Each trigger's name and its table."""
    made = {}
    for sql in postgresql_statements():
        if sql.startswith("CREATE TRIGGER"):
            words = sql.split()
            made[words[2]] = words[words.index("ON") + 1]
    return made


def _ensure_postgresql(cursor: CursorWrapper) -> bool:
    """Made again when a trigger is missing or the statements differ from those that made them
    (their digest is kept as the comment of the engagement trigger's function)."""
    statements = postgresql_statements()
    digest = hashlib.sha256("\n".join(statements).encode()).hexdigest()
    marker = f"{PREFIX}_engagement_added"
    cursor.execute(
        "SELECT obj_description(p.oid, 'pg_proc') FROM pg_proc p WHERE p.proname = %s AND pg_function_is_visible(p.oid)",
        [marker],
    )
    row = cursor.fetchone()
    cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE %s AND NOT tgisinternal", [f"{PREFIX}_%"])
    present = {name for (name,) in cursor.fetchall()}
    triggers = _pg_triggers()
    if row and row[0] == digest and present == set(triggers):
        return False
    for name, table in triggers.items():
        cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    for sql in statements:
        cursor.execute(sql)
    cursor.execute(f"COMMENT ON FUNCTION {marker}() IS %s", [digest])
    return True


# Both --------------------------------------------------------------------------------------------


def rebuild(cursor: CursorWrapper, vendor: str) -> None:
    """Every engagement's kept links worked out again, by the expressions the triggers' functions
    hold, written into the statement: PostgreSQL calling the nine functions for each of a million
    engagements took 118 s, the same expressions inline 50 s."""
    links, engagements = _links_table(), Engagement._meta.db_table
    values = ", ".join(_kept_of(kept, "e.id", vendor) for kept in kept_columns())
    cursor.execute(f"DELETE FROM {links}")
    cursor.execute(f"INSERT INTO {links} ({_columns()}) SELECT e.id, {values} FROM {engagements} e")


@contextmanager
def paused(using: str = "default") -> Iterator[None]:
    """For a writer of millions of links at once (the demo seeding): the triggers are taken off while
    it writes and made again at the end, every engagement's links then worked out once. Kept per row
    or per statement, a million engagements' links cost the seeding minutes on SQLite and more than
    a quarter of an hour on PostgreSQL (one trigger's UPDATE of a million rows per link table);
    worked out once, about 30 s and 100 s. Inside the writer's transaction, so that a failure takes
    the dropping back too."""
    connection = connections[using]
    if (
        connection.vendor not in ("postgresql", "sqlite")
        or _links_table() not in connection.introspection.table_names()
    ):
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("the kept links are paused inside the writer's transaction")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name, table in _pg_triggers().items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        else:
            for name in sqlite_statements():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    yield
    if connection.vendor == "postgresql":
        # Read by the functions that work the links out: planned without statistics of the rows just
        # written, each call would read a whole link table (minutes at a hundred thousand engagements).
        tables = {Engagement._meta.db_table} | {table for kept in kept_columns() for table in (kept.link, kept.target)}
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(sorted(tables))}")
    ensure(using)  # the triggers are missing: made again, and every engagement's links worked out


def ensure(using: str = "default", **kwargs: Any) -> bool:
    """After every migrate (post_migrate): the triggers are there, as written here, and the kept
    links right. True when something was made (and the links then worked out again)."""
    connection = connections[using]
    if _links_table() not in connection.introspection.table_names():
        return False
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            made = _ensure_postgresql(cursor)
        elif connection.vendor == "sqlite":
            made = _ensure_sqlite(cursor)
        else:
            return False
        if made:
            rebuild(cursor, connection.vendor)
    return made
