"""A consistent copy of the whole database while the app runs, and its restore.

SQLite: the online backup API (pages copied under a read lock; writers wait a moment, nothing is
torn). PostgreSQL: pg_dump in its custom format (one snapshot), pg_restore with --clean.
"""

import os
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection

from crm.lib import changes


class BackupError(Exception):
    pass


def _pg_env_and_name() -> tuple[dict, str]:
    settings = connection.settings_dict
    env = os.environ.copy()
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings.get(key):
            env[name] = str(settings[key])
    return env, settings["NAME"]


def backup(path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    elif connection.vendor == "postgresql":
        env, name = _pg_env_and_name()
        result = subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--file", str(path), name],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise BackupError(result.stderr.strip() or "pg_dump failed")
    else:
        raise BackupError(f"backups of {connection.vendor} databases are not supported")


def restore(path: Path) -> None:
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        source = sqlite3.connect(path)
        try:
            source.execute("PRAGMA quick_check").fetchone()
            source.backup(connection.connection)
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{path}: not a database backup ({error})") from error
        finally:
            source.close()
    elif connection.vendor == "postgresql":
        env, name = _pg_env_and_name()
        connection.close()
        result = subprocess.run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", "--dbname", name, str(path)],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise BackupError(result.stderr.strip() or "pg_restore failed")
    else:
        raise BackupError(f"restoring {connection.vendor} databases is not supported")
    # Everything may differ from what was kept from the registers (with a database cache, its table
    # came back from the copy too): all of it is counted again, what is kept under named marks too.
    changes.record(everything=True)


def table_counts() -> dict[str, int]:
    """Rows per table: what a backup must bring back."""
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts
