"""The checked rows of a large import, kept in a SQLite file of their own beside the upload
(var/imports/<token>.rows), never in the application's database: the check writes them while
officers work (on SQLite a write to the database would take its lock), the preview pages through
them by status, and the write reads their parsed values back without checking a cell twice.

One row a file row: its number, its status as the check found it (new, update, duplicate, error),
the cells as typed (shown), what the check said of it (changes, a note, problems) and its parsed
values (pickled: written and read by this code only, from a file under the server's own folder)."""

import json
import pickle
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

from stakeholders.imports.preview import RowPreview

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS row (number INTEGER PRIMARY KEY, status TEXT NOT NULL, cells TEXT NOT NULL, "
    "note TEXT NOT NULL, changes TEXT NOT NULL, problems TEXT NOT NULL, match_id INTEGER, parsed BLOB NOT NULL)"
)
INDEX = "CREATE INDEX IF NOT EXISTS row_status ON row (status, number)"


def _open(path: Path) -> sqlite3.Connection:
    database = sqlite3.connect(path, isolation_level=None)
    database.execute("PRAGMA journal_mode=OFF")  # a scratch file: made again by a new check if need be
    database.execute("PRAGMA synchronous=OFF")
    return database


def start(path: Path) -> None:
    """An empty file for a check that starts (or starts again, after a worker was stopped)."""
    path.unlink(missing_ok=True)
    with closing(_open(path)) as database:
        database.execute(SCHEMA)


def add(path: Path, rows: list[RowPreview], headers: dict[str, str]) -> None:
    """One checked batch. `headers`: field → the file's own name for its column (problems name it)."""
    values = [
        (
            row.number,
            row.status,
            json.dumps(list(row.cells.values())),
            str(row.note),
            json.dumps(row.changes),
            json.dumps([[headers.get(p.column, p.column), str(p.message)] for p in row.problems]),
            row.match.pk if row.match is not None else None,
            pickle.dumps(row.values, protocol=pickle.HIGHEST_PROTOCOL),
        )
        for row in rows
    ]
    with closing(_open(path)) as database:
        database.execute("BEGIN")
        database.executemany("INSERT OR REPLACE INTO row VALUES (?, ?, ?, ?, ?, ?, ?, ?)", values)
        database.execute("COMMIT")


def finish(path: Path) -> None:
    """The index the preview's status filter reads, made once every row is in."""
    with closing(_open(path)) as database:
        database.execute(INDEX)


def page(path: Path, status: str, offset: int, limit: int) -> list[dict]:
    """Rows for the preview, in file order, those of one status if given."""
    condition, params = ("WHERE status = ?", [status]) if status else ("", [])
    with closing(_open(path)) as database:
        found = database.execute(
            f"SELECT number, status, cells, note, changes, problems, match_id FROM row {condition} "  # noqa: S608
            "ORDER BY number LIMIT ? OFFSET ?",
            [*params, limit, offset],
        ).fetchall()
    return [
        {
            "number": number,
            "status": row_status,
            "cells": json.loads(cells),
            "note": note,
            "changes": json.loads(changes),
            "problems": json.loads(problems),
            "match_id": match_id,
        }
        for number, row_status, cells, note, changes, problems, match_id in found
    ]


def batches(path: Path, size: int) -> Iterator[list[RowPreview]]:
    """The rows the check found good, in file order, as rows ready to be classified again (the
    write asks the database once more: it may have changed since the check)."""
    with closing(_open(path)) as database:
        last = 0
        while True:
            found = database.execute(
                "SELECT number, parsed FROM row WHERE number > ? AND status != 'error' ORDER BY number LIMIT ?",
                [last, size],
            ).fetchall()
            if not found:
                return
            last = found[-1][0]
            yield [RowPreview(number=number, cells={}, values=pickle.loads(parsed)) for number, parsed in found]  # noqa: S301
