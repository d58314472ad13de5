"""One entry point for the web page and one for the command: read, preview, and (if asked) write."""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from stakeholders.imports.columns import guess_kind
from stakeholders.imports.preview import ImportPreview, build_preview
from stakeholders.imports.reading import StreamedFile, read_table
from stakeholders.imports.writing import ImportSummary, write_import


def preview_file(data: bytes, filename: str, kind: str | None = None) -> ImportPreview:
    """Raises ImportFileError when the file as a whole cannot be read."""
    return build_preview(read_table(data, filename), kind)


def import_file(
    data: bytes, filename: str, *, kind: str | None = None, actor=None
) -> tuple[ImportPreview, ImportSummary | None]:
    preview = preview_file(data, filename, kind)
    if not preview.is_valid:
        return preview, None
    return preview, write_import(preview, actor=actor, source=filename)


@dataclass
class StreamedImport:
    kind: str
    problems: list = field(default_factory=list)  # the first MAX_PROBLEMS, as "row N: column: message"
    problem_count: int = 0
    file_errors: list = field(default_factory=list)
    notices: list = field(default_factory=list)
    ignored: list = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    summary: ImportSummary | None = None

    @property
    def is_valid(self) -> bool:
        return not self.file_errors and not self.problem_count


MAX_PROBLEMS = 1000


def import_path(path, *, kind: str | None = None, actor=None, write: bool = True, batch: int = 5000) -> StreamedImport:
    """The command's import: every row checked batch by batch (memory does not grow with the file),
    then, if none has a problem, written batch by batch in one transaction. All or nothing."""
    source = StreamedFile(path, batch=batch)
    kind = kind or guess_kind(source.header)
    result = StreamedImport(kind=kind, notices=source.notices)
    seen: dict = {}
    regions, tags = set(), set()
    for table in source.batches():
        preview = build_preview(table, kind, seen=seen)
        if preview.file_errors:
            result.file_errors, result.ignored = preview.file_errors, preview.ignored
            return result
        result.ignored = preview.ignored
        result.counts.update(preview.counts)
        regions.update(preview.new_regions)
        tags.update(preview.new_tags)
        problems = preview.problems
        result.problem_count += len(problems)
        result.problems += [str(p) for p in problems][: MAX_PROBLEMS - len(result.problems)]
    if not result.is_valid or not write:
        return result
    summary = ImportSummary(new_regions=sorted(regions), new_tags=sorted(tags))
    with transaction.atomic():
        seen = {}
        for table in source.batches():
            preview = build_preview(table, kind, seen=seen)
            written = write_import(preview, actor=actor, source=Path(path).name)
            summary.created += written.created
            summary.updated += written.updated
            summary.duplicates += written.duplicates
    result.summary = summary
    return result
