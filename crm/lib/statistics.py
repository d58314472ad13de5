"""The query planner's statistics, kept through migrations.

SQLite plans from the statistics `ANALYZE` writes (sqlite_stat1), and forgets a table's when a
migration rebuilds the table (how it alters a column or adds one with a default). Without them it
may start a list of a million engagements from the three users who logged them, and sort (0.6 s
instead of 0.05). After every `migrate`, the tables that lost theirs get them again. A database
never analysed is left as it is (it plans as it always did); PostgreSQL keeps its own up to date.
"""

from typing import Any

from django.db import connections


def analyze_tables_without_statistics(using: str = "default", **kwargs: Any) -> list[str]:
    """ANALYZE each table holding rows but no statistics, where others have some; their names."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if not cursor.fetchone():
            return []
        cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
        analysed = {row[0] for row in cursor.fetchall()}
        missing = []
        for table in sorted(set(connection.introspection.django_table_names(only_existing=True)) - analysed):
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
            if cursor.fetchone():  # an empty table has no statistics to keep
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
                missing.append(table)
    return missing
