"""An engagement's related names, kept by the database for the exports (EngagementNames).

The engagement export writes four many-to-many columns: organizations, people met, topics and
key factors. Read through four look-ups per row, they cost a million-row export about fourteen
seconds of the database's time, seven times its own dump of the table. Kept on a row of their own,
they are read with the engagement.

The database keeps them, not the services: triggers on the link tables and on the names they
show, so that every writer keeps them right (the services, the bulk writers, merges, raw SQL), and
an erased person's name is gone from them in the transaction that erases it.

- SQLite: a trigger per row on each event.
- PostgreSQL: a trigger per statement, which reads the rows the statement changed (transition
  tables): a bulk insert of links refreshes its engagements in one UPDATE.

`ensure()` makes them after every `migrate` (post_migrate), not a migration, as the search index
does (crm/lib/search.py): SQLite drops a table's triggers when a migration rebuilds the table. When
anything had to be made, the kept names are worked out again for every engagement.
"""

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.backends.utils import CursorWrapper

from communications.models import Engagement, EngagementNames, KeyFactor, Topic
from stakeholders.models import Contact, Organization

PREFIX = "kept_names"


@dataclass(frozen=True)
class Kept:
    """One kept column: the names of the records an engagement links to through `link`."""

    column: str  # EngagementNames' column
    link: str  # the link table
    target_key: str  # its column naming the record
    target: str  # the record's table
    value: str  # the text listed, in SQL over the record as `x` (empty text is left out)
    watched: tuple[str, ...]  # the record's columns the text is made of


def kept_columns() -> list[Kept]:
    def link(field: Any) -> tuple[str, str]:
        through = field.remote_field.through
        return through._meta.db_table, through._meta.get_field(field.m2m_reverse_field_name()).column

    organizations, contacts = Engagement._meta.get_field("organizations"), Engagement._meta.get_field("contacts")
    topics, key_factors = Engagement._meta.get_field("topics"), Engagement._meta.get_field("key_factors")
    return [
        Kept("organizations", *link(organizations), Organization._meta.db_table, "x.name", ("name",)),
        Kept(
            "contacts",
            *link(contacts),
            Contact._meta.db_table,
            "x.first_name || ' ' || x.last_name",
            ("first_name", "last_name"),
        ),
        Kept("topics", *link(topics), Topic._meta.db_table, "x.code", ("code",)),
        Kept("key_factors", *link(key_factors), KeyFactor._meta.db_table, "x.code", ("code",)),
    ]


def _joined(kept: Kept, engagement: str, vendor: str) -> str:
    """The kept text of one engagement (`engagement`: SQL for its id), as JoinedValues joins it."""
    rows = (
        f"SELECT NULLIF({kept.value}, '') AS v FROM {kept.link} l JOIN {kept.target} x ON x.id = l.{kept.target_key} "
        f"WHERE l.engagement_id = {engagement}"
    )
    if vendor == "postgresql":
        return f"COALESCE((SELECT STRING_AGG(v, '; ' ORDER BY v) FROM ({rows}) AS joined), '')"
    # SQLite keeps the order of a subquery in FROM for GROUP_CONCAT (see crm.lib.expressions.JoinedValues).
    return f"COALESCE((SELECT GROUP_CONCAT(v, '; ') FROM ({rows} ORDER BY v)), '')"


def _names_table() -> str:
    return EngagementNames._meta.db_table


def _columns() -> str:
    return ", ".join(["engagement_id"] + [kept.column for kept in kept_columns()])


# SQLite ------------------------------------------------------------------------------------------


def sqlite_statements() -> dict[str, str]:
    """Every trigger, by name."""
    names, engagements = _names_table(), Engagement._meta.db_table
    all_of = ", ".join(_joined(kept, "new.id", "sqlite") for kept in kept_columns())
    statements = {
        f"{PREFIX}_engagement_insert": (
            f"CREATE TRIGGER {PREFIX}_engagement_insert AFTER INSERT ON {engagements} BEGIN "
            f"INSERT OR REPLACE INTO {names} ({_columns()}) VALUES (new.id, {all_of}); END"
        ),
        f"{PREFIX}_engagement_delete": (
            f"CREATE TRIGGER {PREFIX}_engagement_delete AFTER DELETE ON {engagements} BEGIN "
            f"DELETE FROM {names} WHERE engagement_id = old.id; END"
        ),
    }
    for kept in kept_columns():
        name = f"{PREFIX}_{kept.column}"

        def refresh(engagement: str, kept: Kept = kept) -> str:
            return (
                f"UPDATE {names} SET {kept.column} = {_joined(kept, engagement, 'sqlite')} "
                f"WHERE engagement_id = {engagement};"
            )

        renamed = " OR ".join(f"old.{column} IS NOT new.{column}" for column in kept.watched)
        statements |= {
            f"{name}_insert": (
                f"CREATE TRIGGER {name}_insert AFTER INSERT ON {kept.link} BEGIN {refresh('new.engagement_id')} END"
            ),
            f"{name}_delete": (
                f"CREATE TRIGGER {name}_delete AFTER DELETE ON {kept.link} BEGIN {refresh('old.engagement_id')} END"
            ),
            f"{name}_update": (
                f"CREATE TRIGGER {name}_update AFTER UPDATE ON {kept.link} BEGIN "
                f"{refresh('old.engagement_id')} {refresh('new.engagement_id')} END"
            ),
            f"{name}_rename": (
                f"CREATE TRIGGER {name}_rename AFTER UPDATE OF {', '.join(kept.watched)} ON {kept.target} "
                f"WHEN {renamed} BEGIN "
                f"UPDATE {names} SET {kept.column} = {_joined(kept, f'{names}.engagement_id', 'sqlite')} "
                f"WHERE engagement_id IN (SELECT engagement_id FROM {kept.link} WHERE {kept.target_key} = new.id); END"
            ),
        }
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
    names, engagements = _names_table(), Engagement._meta.db_table
    kept_list = kept_columns()
    statements = [
        f"CREATE OR REPLACE FUNCTION {PREFIX}_{kept.column}(engagement bigint) RETURNS text "
        f"LANGUAGE sql STABLE AS $$ SELECT {_joined(kept, 'engagement', 'postgresql')} $$"
        for kept in kept_list
    ]
    all_of = ", ".join(f"{PREFIX}_{kept.column}(id)" for kept in kept_list)
    updates = ", ".join(f"{kept.column} = EXCLUDED.{kept.column}" for kept in kept_list)
    statements += [
        _pg_function(
            f"{PREFIX}_engagement_added",
            f"INSERT INTO {names} ({_columns()}) SELECT id, {all_of} FROM changed "
            f"ON CONFLICT (engagement_id) DO UPDATE SET {updates}",
        ),
        _pg_function(
            f"{PREFIX}_engagement_removed",
            f"DELETE FROM {names} WHERE engagement_id IN (SELECT id FROM changed)",
        ),
        _pg_trigger(f"{PREFIX}_engagement_insert", engagements, "INSERT", "NEW TABLE AS changed", "engagement_added"),
        _pg_trigger(f"{PREFIX}_engagement_delete", engagements, "DELETE", "OLD TABLE AS changed", "engagement_removed"),
    ]
    for kept in kept_list:
        name = f"{PREFIX}_{kept.column}"
        refresh = f"UPDATE {names} SET {kept.column} = {name}(engagement_id) WHERE engagement_id IN"
        old, new = (", ".join(f"{side}.{column}" for column in kept.watched) for side in ("o", "n"))
        statements += [
            _pg_function(f"{name}_changed", f"{refresh} (SELECT engagement_id FROM changed)"),
            _pg_function(
                f"{name}_moved",
                f"{refresh} (SELECT engagement_id FROM changed UNION SELECT engagement_id FROM changed_before)",
            ),
            _pg_function(
                f"{name}_renamed",
                f"{refresh} (SELECT l.engagement_id FROM {kept.link} l JOIN changed n ON n.id = l.{kept.target_key} "
                f"JOIN changed_before o ON o.id = n.id WHERE ROW({old}) IS DISTINCT FROM ROW({new}))",
            ),
            _pg_trigger(f"{name}_insert", kept.link, "INSERT", "NEW TABLE AS changed", f"{kept.column}_changed"),
            _pg_trigger(f"{name}_delete", kept.link, "DELETE", "OLD TABLE AS changed", f"{kept.column}_changed"),
            _pg_trigger(
                f"{name}_update",
                kept.link,
                "UPDATE",
                "OLD TABLE AS changed_before NEW TABLE AS changed",
                f"{kept.column}_moved",
            ),
            _pg_trigger(
                f"{name}_rename",
                kept.target,
                "UPDATE",
                "OLD TABLE AS changed_before NEW TABLE AS changed",
                f"{kept.column}_renamed",
            ),
        ]
    return statements


def _pg_function(name: str, body: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body}; RETURN NULL; END $$"
    )


def _pg_trigger(name: str, table: str, event: str, tables: str, function: str) -> str:
    return (
        f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {tables} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {PREFIX}_{function.removeprefix(PREFIX + '_')}()"
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
    """Every engagement's kept names worked out again from the links."""
    names, engagements = _names_table(), Engagement._meta.db_table
    if vendor == "postgresql":
        values = ", ".join(f"{PREFIX}_{kept.column}(e.id)" for kept in kept_columns())
    else:
        values = ", ".join(_joined(kept, "e.id", vendor) for kept in kept_columns())
    cursor.execute(f"DELETE FROM {names}")
    cursor.execute(f"INSERT INTO {names} ({_columns()}) SELECT e.id, {values} FROM {engagements} e")


def ensure(using: str = "default", **kwargs: Any) -> bool:
    """After every migrate (post_migrate): the triggers are there, as written here, and the kept
    names right. True when something was made (and the names then worked out again)."""
    connection = connections[using]
    if _names_table() not in connection.introspection.table_names():
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
