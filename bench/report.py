"""The benchmark table and the page-weight table, printed and written to docs/performance.md above
its hand-kept part (everything after the marker)."""

import os
import platform
import time
from pathlib import Path


def _machine() -> str:
    memory = ""
    try:
        kb = int(
            next(
                line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
            ).split()[1]
        )
        memory = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{platform.machine()}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}, {platform.platform()}"


def weight_section(results) -> list[str]:
    """The browser's page weight as its own table (bench/weight.py), before the hand-kept part of
    docs/performance.md, so the figures there are always those of the last make bench."""
    measured = [bench for bench in results if bench.weights]
    lines = ["## Weight", ""]
    if not measured:
        return lines + [
            "Not measured in this run (no Playwright or chromium, or not asked for): see the table above.",
            "",
        ]
    lines += [
        f"Measured by `make bench` (`bench/weight.py`) on the {measured[0].label} database: gunicorn with `DEBUG=0`,",
        "whitenoise serving the collected static files, chromium at 360×780 px in French, bytes counted as they",
        "came over the wire (compressed, headers included). The first two lines start from an empty cache; the",
        "pages after them use the cache those filled, as an officer going from page to page; last, a manager",
        "signs in in the same tab and opens the dashboard (service workers blocked in this tab: the app's",
        "worker would fetch the pages where the meter cannot see them); the last three rows are what a device",
        "copies for offline use after the first page (issue 18), the pickers' records being the whole registry",
        "of the bench (the 2 MB target is for 5,000 organizations and their people: tests/crm/offline).",
        "Targets: under 300 KB to the first page after sign-in, under 60 KB for each page after it; no request",
        "leaving the machine; no sideways scroll.",
        "",
        "| page | transferred | requests (not from the cache) | requests that left the machine | sideways scroll at 360 px | target |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for bench in measured:
        for line in bench.weights:
            target = f"under {line.target_kb} KB" if line.target_kb else ""
            left = ", ".join(line.external[:3]) if line.external else "none"
            sideways = f"{line.scroll_width} px wide" if line.sideways else "none"
            lines.append(f"| {line.page} | {line.kb:.1f} KB | {line.requests} | {left} | {sideways} | {target} |")
    return lines + [""]


def write(results, options, path: Path | None):
    lines = [
        "# Performance",
        "",
        f"Measured by `make bench` on {time.strftime('%Y-%m-%d')}: {_machine()}.",
        (
            f"Scratch database seeded with {options.organizations:,} organizations, {2 * options.organizations:,} contacts and "
            f"{options.engagements:,} engagements (with their follow-ups, commitments, concerns and history)."
        ),
        (
            f"Pages: median of {options.runs} requests through Django's test client, signed in (dashboard as a manager, the rest as an officer); "
            "queries counted by Django. The dashboard twice: with its figures kept (nothing changed since they were counted), "
            "and counted afresh (the kept figures forgotten before each request, as any change to the data does)."
        ),
        "",
    ]
    for bench in results:
        lines += [f"## {bench.label}", "", "| measure | result | queries | notes |", "| --- | --- | --- | --- |"]
        lines += [f"| {measure} | {value} | {queries} | {note} |" for measure, value, queries, note in bench.rows]
        lines.append("")
    lines += [
        "Targets (issue 6): seeding under 2 minutes; lists and the organization page under 50 ms with at most 6",
        "queries, HTML under 100 KB, no `<select>` over 500 options; the dashboard under 300 ms with at most 10",
        "queries; the export within 3× the database's own dump and under 150 MB peak memory, first byte within 1 s;",
        'the 100k import under 15 s; no failed request and no "database is locked" under load. Issue 17: an API',
        "list page under 50 ms with at most 8 queries; every engagement by cursor at 20 000 rows a second or more.",
        "Issue 21: every list under 50 ms with at most 6 queries; the dashboard counted after a change under",
        "300 ms; 20 officers against 4 workers: 60 requests a second or more, p95 under 500 ms, with and without writes.",
        "",
    ]
    lines += weight_section(results)
    text = "\n".join(lines)
    print("\n" + text)
    if path is None:
        print("(A partial run: not written anywhere; --output FILE to keep it.)")
        return
    existing = path.read_text() if path.exists() else ""
    marker = "<!-- browser figures below are kept by make bench -->"
    tail = existing[existing.index(marker) :] if marker in existing else marker + "\n"
    path.write_text(text + "\n" + tail)
