"""`migrate` alone makes every table the app needs, with the real settings (not the test ones).

The test settings keep the cache in local memory; these tests run `manage.py` in a child process
on the default database cache (`CACHE_URL` unset), on a database made for the test (the
`fresh_database` fixture: a SQLite file, or a scratch PostgreSQL database when the suite runs on it).
"""

from tests.databases import manage

PAGE_AND_CACHE = """
from django.core.cache import cache
from django.test import Client
cache.set("fresh", "kept")
assert cache.get("fresh") == "kept"
print(Client(HTTP_HOST="localhost").get("/accounts/login/").status_code)
"""


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
