"""`migrate` alone makes every table the app needs, with the real settings (not the test ones).

The test settings keep the cache in local memory; these tests run `manage.py` in a child process
on the default database cache (`CACHE_URL` unset), on a database made for the test: a SQLite file,
or a scratch PostgreSQL database when the suite runs on PostgreSQL.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import dj_database_url
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PAGE_AND_CACHE = """
from django.core.cache import cache
from django.test import Client
cache.set("fresh", "kept")
assert cache.get("fresh") == "kept"
print(Client(HTTP_HOST="localhost").get("/accounts/login/").status_code)
"""


@pytest.fixture
def fresh_database(tmp_path):
    """The URL of an empty database of the kind the suite runs on."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
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
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "CACHE_URL"}}
    env |= {"DATABASE_URL": database_url, "CRM_VAR_DIR": str(var_dir), "DEBUG": "1", "SECRET_KEY": "x" * 50}
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_migrate_then_seed_demo_and_a_page_work_with_no_other_step(fresh_database, tmp_path):
    manage(fresh_database, tmp_path, "migrate", "--no-input")
    out = manage(fresh_database, tmp_path, "seed_demo", "--password", "fresh-demo-1", "--organizations", "5")
    assert "officer@demo.test" in out
    assert manage(fresh_database, tmp_path, "shell", "--no-imports", "-c", PAGE_AND_CACHE).strip() == "200"


def test_a_database_where_createcachetable_already_ran_keeps_working(fresh_database, tmp_path):
    manage(fresh_database, tmp_path, "createcachetable")
    manage(fresh_database, tmp_path, "migrate", "--no-input")
    manage(fresh_database, tmp_path, "migrate", "--no-input")  # again: nothing to make, nothing fails
    assert manage(fresh_database, tmp_path, "shell", "--no-imports", "-c", PAGE_AND_CACHE).strip() == "200"
