"""SQL building blocks of the demo seeding (crm.demo.seeding): deterministic pseudo-random draws
computed from an index column, constants as literals, date arithmetic on SQLite and PostgreSQL (they
differ only there), INSERT … SELECT statements, and PostgreSQL's foreign keys checked once at the end.
"""

import itertools
import random
from collections.abc import Sequence
from contextlib import contextmanager

from django.db import connection

# A prime just under 2**31: the square of a number below it still fits in a 64-bit integer, which
# both databases compute exactly (SQLite would turn an overflow into an inexact float).
PRIME = 2_147_483_647


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def literal(value) -> str:
    """A constant of the seeding as an SQL literal (never user input): numbers as they are, text
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


def date_before(offset: str) -> str:
    """SQL for the date `offset` days before %(today)s (a negative offset is in the future)."""
    if connection.vendor == "postgresql":
        return f"(CAST(%(today)s AS DATE) - CAST({offset} AS INTEGER))"  # date - bigint is not defined
    return f"date(%(today)s, (-({offset})) || ' days')"


def year_before(offset: str) -> str:
    """SQL for the year (as text) of the date `offset` days before %(today)s."""
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {date_before(offset)}) AS TEXT)"
    return f"substr({date_before(offset)}, 1, 4)"


def execute(sql: str, params: dict | Sequence | None = None) -> int:
    """Run one statement; params always given (even empty), so `%%` always means `%`."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params or {})
        return cursor.rowcount


def scalar(sql: str, params: dict | None = None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or {})
        return cursor.fetchone()[0]


def analyze(*tables: str) -> None:
    """PostgreSQL plans each statement from its statistics, and tables filled moments ago have
    none yet (scratch tables never get any from autovacuum): without them it may pick a nested
    loop over a million rows. SQLite's plans here do not depend on statistics."""
    if connection.vendor == "postgresql":
        for name in tables:
            execute(f"ANALYZE {name}")


def check_columns(model, columns: list[str]) -> None:
    """The INSERTs of the seeding name every column; a field added to the model must be added here too."""
    missing = {f.column for f in model._meta.concrete_fields} - set(columns)
    if missing:
        raise RuntimeError(f"crm.demo.seeding does not fill {model.__name__}.{', '.join(sorted(missing))}")


def insert(model, values: dict[str, str], source: str, params: dict) -> int:
    """INSERT INTO model's table (columns) SELECT expressions <source>; values: column → SQL."""
    check_columns(model, [*values, "id"])  # the id may be left to the database
    columns = ", ".join(connection.ops.quote_name(c) for c in values)
    return execute(f"INSERT INTO {table(model)} ({columns}) SELECT {', '.join(values.values())} {source}", params)


def insert_links(through, columns: tuple[str, str], select: str, source: str, params: dict) -> int:
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    return execute(f"INSERT INTO {table(through)} ({names}) SELECT {select} {source}", params)


@contextmanager
def keys_checked_at_the_end(models: list, also: Sequence = ()):
    """PostgreSQL: the foreign keys of the tables filled are taken off meanwhile and put back at the
    end, each checked by one pass over its table (as pg_restore does), rather than one check per
    row written (about 70 s of 200 at a million engagements). `models` with their history and link
    tables; `also`, models without history (the roll-ups). Inside the seeding's transaction: if
    anything fails, the keys are back as they were. Meanwhile the filled tables, and the tables
    their keys point to (users, organizations, contacts…), are locked: seeding is for a demo or
    scratch database, not one officers are using."""
    if connection.vendor != "postgresql":
        yield
        return
    tables = sorted(
        {table(m) for model in models for m in (model, model.history.model)}
        | {table(field.remote_field.through) for model in models for field in model._meta.many_to_many}
        | {table(model) for model in also}
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
