"""`make bench` rewrites docs/performance.md above its marker and keeps everything below it: the
measures written by hand (before and after each change) must all sit below, or a full run would
erase them."""

import ast
import re
from pathlib import Path
from types import SimpleNamespace

from bench import report

ROOT = Path(__file__).resolve().parents[2]
MARKER = "<!-- browser figures below are kept by make bench -->"
GENERATED = {"## sqlite", "## postgresql", "## Weight"}


def test_every_hand_written_section_of_the_performance_page_is_below_the_marker():
    text = (ROOT / "docs" / "performance.md").read_text()
    above = text[: text.index(MARKER)]
    headings = {line for line in above.splitlines() if line.startswith("## ")}
    assert headings <= GENERATED


def _generated_line_patterns() -> list[re.Pattern]:
    """Each text bench/report.py writes, as a pattern: an f-string's values may be anything."""
    tree = ast.parse((ROOT / "bench" / "report.py").read_text())
    patterns = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            patterns.append(re.escape(node.value))
        elif isinstance(node, ast.JoinedStr):
            parts = [re.escape(v.value) if isinstance(v, ast.Constant) else ".*" for v in node.values]
            patterns.append("".join(parts))
    return [re.compile(pattern) for pattern in patterns]


def test_no_hand_written_text_is_above_the_marker():
    text = (ROOT / "docs" / "performance.md").read_text()
    patterns = _generated_line_patterns()
    for line in text[: text.index(MARKER)].splitlines():
        if line and not line.startswith("|"):  # table rows are the measures of the run
            assert any(pattern.fullmatch(line) for pattern in patterns), f"written by hand above the marker: {line!r}"


def test_a_full_run_rewrites_the_table_and_keeps_what_is_below_the_marker(tmp_path):
    page = tmp_path / "performance.md"
    page.write_text(f"# Performance\n\n| old | table |\n\n{MARKER}\n\n## Issue 99: kept by hand\n\nFigures.\n")
    bench = SimpleNamespace(label="sqlite", rows=[("organizations list", "26 ms", 4, "62 KB")], weights=[])
    options = SimpleNamespace(organizations=100, engagements=1000, runs=3)
    report.write([bench], options, page)
    written = page.read_text()
    assert "| organizations list | 26 ms | 4 | 62 KB |" in written
    assert "| old | table |" not in written
    assert written.endswith(f"{MARKER}\n\n## Issue 99: kept by hand\n\nFigures.\n")
