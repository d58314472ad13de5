"""Scratch databases for tests that run `manage.py` in a child process, and a schema's description.

A scratch database is of the kind the suite runs on: a SQLite file, or a PostgreSQL database made
beside the test database (and dropped afterwards) when the suite runs on PostgreSQL.
"""

import contextlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

import dj_database_url
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def scratch_database(folder: Path):
    """The URL of an empty database, removed on leaving (a SQLite file goes with `folder`)."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        yield f"sqlite:///{folder / 'fresh.sqlite3'}"
        return
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = f"crm_fresh_{uuid.uuid4().hex[:10]}"
    server = {k: v for k, v in dj_database_url.parse(url).items() if k in {"USER", "PASSWORD", "HOST", "PORT"}}
    with psycopg.connect(
        dbname="postgres",
        user=server["USER"],
        password=server["PASSWORD"],
        host=server["HOST"],
        port=server["PORT"] or 5432,
        autocommit=True,
    ) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
        try:
            yield url.rsplit("/", 1)[0] + "/" + name
        finally:
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def manage(database_url, var_dir, *args):
    """`manage.py *args` with the real settings (not the test ones) on that database; its stdout."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "CACHE_URL"}}
    env |= {"DATABASE_URL": database_url, "CRM_VAR_DIR": str(var_dir), "DEBUG": "1", "SECRET_KEY": "x" * 50}
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def describe_schema(connection) -> dict:
    """Every model's table as the database holds it: columns (name, type, size, null) and constraints
    (indexes included) by name, with what each covers. Column order is left out: SQLite moves a
    self-referencing column last when it rebuilds a table, which changes nothing a query sees.
    Constraints SQLite leaves unnamed (its foreign keys, an inline unique) go by their columns."""
    tables = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.django_table_names(only_existing=True)):
            columns = {
                column.name: [
                    str(column.type_code),
                    column.internal_size,
                    column.precision,
                    column.scale,
                    column.null_ok,
                ]
                for column in connection.introspection.get_table_description(cursor, table)
            }
            constraints = {}
            for name, constraint in connection.introspection.get_constraints(cursor, table).items():
                if name.startswith("__") or (connection.vendor == "sqlite" and constraint["foreign_key"]):
                    name = "on " + ", ".join(constraint["columns"])
                constraints[name] = {
                    key: list(value) if isinstance(value, tuple) else value
                    for key, value in constraint.items()
                    if key != "definition"
                }
            tables[table] = {"columns": columns, "constraints": constraints}
    return tables
