"""The benchmark table, printed and written to docs/performance.md."""

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


def write(results, options, path: Path):
    lines = [
        "# Performance",
        "",
        f"Measured by `make bench` on {time.strftime('%Y-%m-%d')}: {_machine()}.",
        f"Scratch database seeded with {options.organizations:,} organizations, {2 * options.organizations:,} contacts and "
        f"{options.engagements:,} engagements (with their follow-ups, commitments, concerns and history).",
        f"Pages: median of {options.runs} requests through Django's test client, signed in (dashboard as a manager, the rest as an officer); "
        "queries counted by Django.",
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
        'the 100k import under 15 s; no failed request and no "database is locked" under load.',
        "",
    ]
    text = "\n".join(lines)
    print("\n" + text)
    existing = path.read_text() if path.exists() else ""
    marker = "<!-- browser figures below are kept by make bench -->"
    tail = existing[existing.index(marker) :] if marker in existing else marker + "\n"
    path.write_text(text + "\n" + tail)
