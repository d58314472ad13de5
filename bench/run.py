"""make bench: seed a scratch database at national scale and print the benchmark table.

    python bench/run.py [--organizations 100000] [--engagements 1000000] [--runs 7] [--load-seconds 60]
                        [--only pages,api,jobs,export,import,load,weight] [--databases sqlite,postgresql]
                        [--output docs/performance.md]

SQLite in a temporary folder (removed at the end, also when the run is cut short); PostgreSQL too
when DATABASE_URL names one (its database must be an empty scratch database); --databases keeps one
of the two. The table is printed and written to docs/performance.md (with --only or one database of
two, a partial table: written only where --output says).
The page weight (bench/weight.py) is measured in chromium on the SQLite database only, and skipped
when Playwright or chromium is missing. Timings are medians of several runs; query counts come from
Django's own counter. Nothing here is asserted: speed lives in the bench, not in the tests.
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


class Bench:
    def __init__(self, database_url: str, folder: Path, label: str):
        self.database_url, self.folder, self.label = database_url, folder, label
        self.rows: list[tuple] = []  # (measure, value, queries, note)
        self.weights: list = []  # bench.weight.Weight, one per page, when measured

    def env(self, **extra) -> dict:
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        return (
            env
            | {
                "DATABASE_URL": self.database_url,
                "CRM_VAR_DIR": str(self.folder),
                "DEBUG": "0",
                "SECRET_KEY": "bench-" + "x" * 50,
                "SECURE_SSL_REDIRECT": "0",
                "SESSION_COOKIE_SECURE": "0",
                "CSRF_COOKIE_SECURE": "0",
                "MFA_REQUIRED_ROLES": "",
                "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
                "LOG_LEVEL": "WARNING",
            }
            | extra
        )

    def manage(self, *args, **env):
        return subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=self.env(**env), check=True, capture_output=True, text=True
        )

    def add(self, measure, value, queries="", note=""):
        self.rows.append((measure, value, queries, note))
        print(f"  {measure:<58} {value:>14} {queries!s:>8}  {note}", flush=True)


def seed(bench: Bench, organizations: int, engagements: int):
    bench.manage("migrate", "--no-input")
    bench.manage("collectstatic", "--no-input")
    started = time.monotonic()
    bench.manage(
        "seed_demo",
        "--organizations",
        str(organizations),
        "--contacts-per-org",
        "2",
        "--engagements",
        str(engagements),
        "--password",
        "bench-password-1",
    )
    seconds = time.monotonic() - started
    bench.add(
        f"seed {organizations:,} organizations, {2 * organizations:,} contacts, {engagements:,} engagements",
        f"{seconds:.0f} s",
        note="target < 120 s",
    )
    if bench.label == "postgresql":
        # Not timed: pages are measured on a database autovacuum has caught up with (statistics
        # and visibility map up to date), as a live one would be, not while it works through
        # the seeded rows.
        bench.manage("shell", "-c", "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')")


MEASURES = ["pages", "api", "jobs", "export", "import", "load", "weight"]
DATABASES = ["sqlite", "postgresql"]


def run_measures(bench: Bench, folder: Path, options):
    """The measures asked for, in the table's order; the browser's page weight on SQLite only,
    since what it measures (bytes sent to the phone) does not depend on the database."""
    from bench import measures

    if "pages" in options.only:
        measures.pages(bench, options.runs)
        measures.edits(bench, options.runs)
    if "api" in options.only:
        measures.api(bench, options.runs)
    if "jobs" in options.only:
        measures.jobs(bench)
    if "export" in options.only:
        measures.export(bench)
    if "import" in options.only:
        with measures.imported_organizations_forgotten(bench):
            measures.import_file(bench, folder)
            measures.import_job(bench)
            measures.import_undo(bench)
    if "load" in options.only:
        measures.load(bench, options.load_seconds)
    if "weight" in options.only and bench.label == "sqlite":
        measures.weight(bench)


def _subset(text: str, choices: list[str]) -> list[str]:
    """A comma-separated subset of `choices` (an argparse type)."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names or any(name not in choices for name in names):
        raise argparse.ArgumentTypeError(f"choose among {', '.join(choices)}")
    return names


def measure_names(text: str) -> list[str]:
    """--only pages,weight."""
    return _subset(text, MEASURES)


def database_names(text: str) -> list[str]:
    """--databases postgresql."""
    return _subset(text, DATABASES)


def output_path(options) -> Path | None:
    """Where the table goes: docs/performance.md for a full run; a partial run (--only, or one
    database when both could be measured) is printed and written only where --output says, so it
    never replaces the full table by accident."""
    if options.output:
        return Path(options.output)
    if set(options.only) == set(MEASURES) and getattr(options, "complete", True):
        return ROOT / "docs" / "performance.md"
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--organizations", type=int, default=100_000)
    parser.add_argument("--engagements", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--load-seconds", type=int, default=60)
    parser.add_argument("--only", type=measure_names, default=MEASURES, help=f"some of {','.join(MEASURES)}")
    parser.add_argument("--databases", type=database_names, default=DATABASES, help="sqlite, postgresql or both")
    parser.add_argument("--output", help="default: docs/performance.md (a full run only)")
    options = parser.parse_args()

    targets = [("sqlite", None)]
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        targets.append(("postgresql", os.environ["DATABASE_URL"]))
    elif os.environ.get("DATABASE_URL"):
        print(f"DATABASE_URL is not PostgreSQL ({os.environ['DATABASE_URL'].split(':')[0]}); SQLite only.")
    else:
        print("No PostgreSQL named (DATABASE_URL): SQLite only.")
    kept = [(label, url) for label, url in targets if label in options.databases]
    options.complete = len(kept) == len(targets)  # no database left out by --databases
    targets = kept
    if not targets:
        parser.error("no database to measure: --databases postgresql needs DATABASE_URL to name one")

    folder = Path(tempfile.mkdtemp(prefix="crm-bench-"))
    cleanup = lambda *_: (shutil.rmtree(folder, ignore_errors=True), sys.exit(1))  # noqa: E731
    signal.signal(signal.SIGINT, cleanup)
    signal.signal(signal.SIGTERM, cleanup)
    results = []
    try:
        for label, url in targets:
            print(f"\n== {label}", flush=True)
            database_url = url or f"sqlite:///{folder / 'bench.sqlite3'}"
            bench = Bench(database_url, folder, label)
            seed(bench, options.organizations, options.engagements)
            run_measures(bench, folder, options)
            results.append(bench)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    from bench import report

    report.write(results, options, output_path(options))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
