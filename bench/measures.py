"""The measures of make bench, each run against the seeded scratch database."""

import contextlib
import csv
import json
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _probe(bench, *args) -> list[dict]:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "probe.py"), *args],
        cwd=ROOT,
        env=bench.env(),
        check=True,
        capture_output=True,
        text=True,
    )
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def pages(bench, runs: int):
    for row in _probe(bench, "pages", str(runs)):
        note = f"{row['kb']:.0f} KB"
        if row["largest_select"] > 500:
            note += f", a <select> of {row['largest_select']} options"
        if row["status"] != 200:
            note += f", HTTP {row['status']}"
        bench.add(row["measure"], f"{row['ms']:.0f} ms", row["queries"], note)


def edits(bench, runs: int):
    """A write officers feel: an engagement edited (the service, in-process, taken back each time)."""
    for row in _probe(bench, "edits", str(runs)):
        bench.add(row["measure"], f"{row['ms']:.0f} ms", row["queries"], f"a day of {row['day']} held engagements")


def api(bench, runs: int):
    """The API's list page (target: under 50 ms, at most 8 queries with the token's look-up), then a
    walk through every engagement by cursor (target: at least 20 000 rows a second)."""
    for row in _probe(bench, "api", str(runs)):
        note = f"{row['kb']:.0f} KB" + (f", HTTP {row['status']}" if row["status"] != 200 else "")
        bench.add(row["measure"], f"{row['ms']:.0f} ms", row["queries"], note)
    api_walk(bench)


def api_walk(bench):
    """Every engagement by cursor, 1 000 a page, as a client reads it: over HTTP from a process of
    its own (bench/walk.py) to gunicorn, uncompressed and then gzip-compressed. In-process, the
    client's decoding would make Python's collector sweep the server's heap too (about 12 ms a page)."""
    from bench import load as load_test

    try:
        with load_test.serve(bench, workers=1) as base:
            for encoding in ("identity", "gzip"):
                # a token for each walk: a walk is about 1 000 requests a minute, within one token's
                # allowance (API_RATE, 1 200 a minute), two walks in a row are not
                [made] = _probe(bench, "walk_token", "make")
                result = subprocess.run(
                    [sys.executable, str(ROOT / "bench" / "walk.py"), base, encoding],
                    cwd=ROOT,
                    env=bench.env(BENCH_TOKEN=made["key"]),
                    check=True,
                    capture_output=True,
                    text=True,
                )
                row = json.loads(result.stdout)
                rate = row["rows"] / row["seconds"] if row["seconds"] else 0
                label = "gzip-compressed" if encoding == "gzip" else "uncompressed"
                bench.add(
                    f"API: every engagement by cursor, HTTP, {label}",
                    f"{rate:,.0f} rows/s",
                    "",
                    f"{row['rows']:,} rows, {row['pages']} pages of 1 000, {row['seconds']:.1f} s, "
                    f"median page {row['median_page_ms']:.0f} ms; gunicorn, 1 worker",
                )
    finally:
        _probe(bench, "walk_token", "forget")


def _script(bench, name: str, *args) -> list[dict]:
    """A bench script of its own (bench/NAME.py) on the scratch database: its JSON lines."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / f"{name}.py"), *args],
        cwd=ROOT,
        env=bench.env(),
        check=True,
        capture_output=True,
        text=True,
    )
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def jobs(bench):
    """Work done by the worker: 1 000 webhook deliveries to a receiver on loopback (each signed,
    each signature checked), through the real path (event → delivery and job → worker → POST)."""
    reminders(bench)
    for row in _script(bench, "webhooks", "1000"):
        bench.add(
            "jobs: 1 000 webhook deliveries to a local receiver",
            f"{row['per_second']:,.0f} /s",
            "",
            f"{row['deliveries']:,} delivered, {row['verified']:,} signatures checked, {row['seconds']:.1f} s "
            f"({row['made_seconds']:.1f} s to make them)",
        )


def reminders(bench):
    """The morning's reminders for 10 000 users with follow-ups due (one e-mail each, composed and
    kept in memory, not sent), then the same day again (all already sent: nothing goes twice)."""
    for row in _script(bench, "reminders", "10000"):
        if row["measure"].startswith("seed"):
            continue
        note = f"{row['sent']:,} sent, {row['already']:,} already sent"
        bench.add(f"jobs: {row['measure']}", f"{row['seconds']:.1f} s", row["queries"], note)


def _floor_seconds(bench) -> float | None:
    """The database's own CSV dump of the engagement table: no export can beat it."""
    started = time.monotonic()
    if bench.database_url.startswith("sqlite"):
        path = bench.database_url.removeprefix("sqlite:///")
        command = ["sqlite3", "-csv", "-header", path, "SELECT * FROM communications_engagement"]
    else:
        command = ["psql", bench.database_url, "-c", "\\copy communications_engagement TO STDOUT WITH CSV HEADER"]
    try:
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    except (FileNotFoundError, subprocess.CalledProcessError):
        return None
    return time.monotonic() - started


def export(bench):
    [row] = _probe(bench, "export")
    floor = _floor_seconds(bench)
    ratio = f"{row['seconds'] / floor:.1f}× the database's dump ({floor:.1f} s)" if floor else "no dump tool found"
    bench.add(
        f"export of {row['rows']:,} engagements to CSV",
        f"{row['seconds']:.1f} s",
        "",
        f"{ratio}; first byte {row['first_byte']:.2f} s; peak {row['peak_mb']:.0f} MB; {row['mb']:.0f} MB",
    )
    [job] = _probe(bench, "export_job")
    ratio = f"{job['seconds'] / floor:.1f}× the database's dump" if floor else "no dump tool found"
    bench.add(
        f"export of {job['rows']:,} engagements to CSV as a job ({job['status']})",
        f"{job['seconds']:.1f} s",
        "",
        f"{ratio}; asked in {job['asked']:.2f} s; peak {job['peak_mb']:.0f} MB; {job['mb']:.0f} MB",
    )


@contextlib.contextmanager
def imported_organizations_forgotten(bench):
    """The import measures add 300,000 organizations: taken away when they have measured, so that
    the load test and the page weights after them measure the registry as seeded."""
    [newest] = _probe(bench, "newest_organization")
    try:
        yield
    finally:
        _probe(bench, "forget_organizations", str(newest["newest"]))


def import_file(bench, folder: Path, rows: int = 100_000):
    path = folder / "organizations-100k.csv"
    rng = random.Random(6)
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(
            [
                "name",
                "acronym",
                "type",
                "sector",
                "region",
                "city",
                "email",
                "phone",
                "registration_number",
                "aeo_status",
                "influence",
                "interest",
                "preferred_language",
                "tags",
            ]
        )
        for i in range(rows):
            writer.writerow(
                [
                    f"Entreprise Importée {i} SARL",
                    "EI",
                    rng.choice(["customs_broker", "importer", "carrier"]),
                    "transport_logistics",
                    rng.choice(["Kayes", "Sikasso", "Dakar"]),
                    "Kayes",
                    f"contact{i}@importee{i}.example",
                    "+223 20 00 00 00",
                    f"RC-IMPORT-{i:06d}",
                    "none",
                    rng.randint(1, 5),
                    rng.randint(1, 5),
                    "fr",
                    "AEO pilot",
                ]
            )
    started = time.monotonic()
    result = bench.manage("import_stakeholders", str(path))
    bench.add(
        f"import of a {rows:,}-row organizations CSV",
        f"{time.monotonic() - started:.1f} s",
        "",
        result.stdout.strip().split(";")[0],
    )


def import_job(bench, rows: int = 200_000):
    """The import page's large import, checked and written by jobs, while an officer logs an
    engagement every 100 ms: time to done, how long the write's transaction held (on SQLite, the
    whole database), and the longest an engagement waited (target: 2 s)."""
    [row] = _probe(bench, "import_job", str(rows))
    bench.add(
        f"import of {row['rows']:,} organizations as a job (page), to done",
        f"{row['done']:.1f} s",
        "",
        f"{row['status']}; checked in {row['checked']:.1f} s; longest write transaction {row['held'] or 0:.2f} s",
    )
    bench.add(
        "longest wait of an engagement logged during that import",
        f"{row['max_wait']:.2f} s",
        "",
        f"{row['logs']} logged every 100 ms, {row['failed']} refused (database is locked), "
        f"median {row['median_wait'] * 1000:.0f} ms; target 2 s",
    )


def import_undo(bench, rows: int = 200_000, cancel_at: int = 8):
    """The same import cancelled by its user once 8 slices are written (SQLite writes a large
    import in slices of about a second): every slice taken back, while the officer logs as before.
    PostgreSQL writes in one transaction, so there is nothing to measure there."""
    [row] = _probe(bench, "import_job", str(rows), str(cancel_at))
    if row["database"] != "sqlite3":
        return
    bench.add(
        f"import of {rows:,} organizations cancelled after {cancel_at} slices, taken back",
        f"{row['done']:.1f} s",
        "",
        f"{row['status']}; {row['organizations_added']} organizations left; longest undo transaction "
        f"{row['held'] or 0:.2f} s; longest wait of an engagement logged meanwhile {row['max_wait']:.2f} s, "
        f"{row['failed']} refused",
    )


def load(bench, seconds: int):
    """20 officers against 4 gunicorn workers (target: 60 requests a second, p95 under 500 ms),
    reading only, then with a call logged every fourth round. The sign-in's rate limit (30 a minute
    from one address) is left a minute between the two."""
    from bench import load as load_test

    for writes in (False, True):
        summary = load_test.run(bench, seconds, writes=writes)
        mix = "browsing and logging calls" if writes else "browsing only"
        bench.add(
            f"load: {summary['users']} officers {mix}, {seconds} s, gunicorn 4 workers",
            f"{summary['per_second']:.0f} req/s",
            "",
            f"p95 {summary['p95']:.0f} ms, median {summary['median']:.0f} ms; {summary['requests']} requests, "
            f"{summary['failures']} failed {summary['statuses'] or ''}, {summary['locked']} 'database is locked'",
        )
        if not writes:  # a minute after the first run's sign-ins
            time.sleep(max(0.0, 61 - (time.monotonic() - summary["signed_in_from"])))


def weight(bench):
    """Page weight in chromium (bench/weight.py). Skipped, with the reason in the table, when
    Playwright or chromium is missing or the browser fails: the server figures stand on their own."""
    from bench import weight as browser_weight

    reason = browser_weight.missing()
    if reason is None:
        from playwright.sync_api import Error as PlaywrightError

        try:
            bench.weights = browser_weight.run(bench)
        except (PlaywrightError, RuntimeError) as error:
            reason = f"the browser run failed: {str(error).splitlines()[0]}"
    if reason:
        print(f"  Page weight not measured: {reason}.", flush=True)
        bench.add("page weight in chromium at 360 px", "skipped", "", reason)
        return
    for line in bench.weights:
        bench.add(f"weight: {line.page}", f"{line.kb:.1f} KB", "", line.note)
