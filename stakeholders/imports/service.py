"""One entry point for the web page and one for the command: read, preview, and (if asked) write."""

import pickle
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from crm.lib.reading import StreamedFile, Table, read_table
from crm.models import User
from stakeholders.imports import runs
from stakeholders.imports.columns import looks_like_header
from stakeholders.imports.mapping import command_mapping, guess_kind
from stakeholders.imports.preview import ImportPreview, RowPreview, build_preview, classify, parse_table
from stakeholders.imports.writing import ImportSummary, write_import
from stakeholders.normalize import fold


def read_file(data: bytes, filename: str) -> Table:
    """The rows of an uploaded file, below its column names (found under a title, if any).
    Raises ImportFileError when the file as a whole cannot be read."""
    return read_table(data, filename, is_header=looks_like_header)


def preview_file(
    data: bytes, filename: str, kind: str | None = None, mapping: dict[int, str] | None = None
) -> ImportPreview:
    """`mapping`: column position → field, as the user chose them (else the headers say).
    Raises ImportFileError when the file as a whole cannot be read."""
    return build_preview(read_file(data, filename), kind, mapping=mapping)


def import_file(
    data: bytes,
    filename: str,
    *,
    kind: str | None = None,
    actor: User | None = None,
    owner: User | None = None,
    mapping: dict[int, str] | None = None,
) -> tuple[ImportPreview, ImportSummary | None]:
    """`owner`: the relationship owner of new organizations whose row names none."""
    preview = preview_file(data, filename, kind, mapping)
    if not preview.is_valid:
        return preview, None
    return preview, write_import(preview, actor=actor, source=filename, owner=owner)


@dataclass
class StreamedImport:
    kind: str
    problems: list = field(default_factory=list)  # the first MAX_PROBLEMS, as "row N: column: message"
    problem_count: int = 0
    file_errors: list = field(default_factory=list)
    notices: list = field(default_factory=list)
    ignored: list = field(default_factory=list)
    left_out: list = field(default_factory=list)  # LeftOut rows (totals, notes), every one
    counts: Counter = field(default_factory=Counter)
    summary: ImportSummary | None = None

    @property
    def is_valid(self) -> bool:
        return not self.file_errors and not self.problem_count


MAX_PROBLEMS = 1000


def import_path(
    path: str | Path,
    *,
    kind: str | None = None,
    actor: User | None = None,
    write: bool = True,
    batch: int = 5000,
    columns: dict[str, str] | None = None,
) -> StreamedImport:
    """The command's import: every row checked batch by batch (memory does not grow with the file),
    then, if none has a problem, written batch by batch (runs.write_batches: in one transaction, or
    on SQLite in slices of about a second, so that officers' writes pass). All or nothing.

    Checking the cells is most of the work, so it is done once: the check pass keeps each batch's
    checked values in a temporary file (on disk, so memory stays bounded), and the write pass reads
    them back. The write pass still classifies each batch against the database as it stands then
    (rows written by earlier batches included), exactly as when it read the file again.

    `columns`: header → field (or mapping.LEAVE_OUT), the command's --map; the other
    columns are recognised by their header. Raises MappingRefused for a mapping that cannot be."""
    given = columns or {}
    source = StreamedFile(path, batch=batch, is_header=_header_test(given))
    kind = kind or guess_kind(source.header, given)
    mapping = None
    result = StreamedImport(kind=kind, notices=source.notices)
    if given:
        mapping, result.ignored = command_mapping(source.header, given, kind)
    with tempfile.TemporaryFile(prefix="crm-import-") as checked:
        _check(source, kind, result, keep=checked if write else None, mapping=mapping)
        if not result.is_valid or not write:
            return result
        checked.seek(0)
        run = runs.start_command(kind=kind, filename=Path(path).name, actor=actor)
        result.summary = runs.write_batches(run, _kept_batches(checked))
    return result


def _header_test(given: dict[str, str]) -> Callable[[list[str]], bool]:
    """Which row holds the column names: one the importer recognises, or one that names a
    column --map names (the header found under a title even when none of its names is known)."""
    if not given:
        return looks_like_header
    named = {fold(title) for title in given}
    return lambda cells: looks_like_header(cells) or any(fold(cell) in named for cell in cells if cell.strip())


def _check(
    source: StreamedFile, kind: str, result: StreamedImport, keep: IO[bytes] | None, mapping: dict[int, str] | None
) -> None:
    """Check every batch into `result` (problems, counts); while no problem is found, append each
    batch's parsed rows to the file `keep` (when given)."""
    seen: dict = {}
    for table in source.batches():
        preview = parse_table(table, kind, seen=seen, mapping=mapping)
        if not preview.mapped:
            result.ignored = preview.ignored  # with --map, those nothing recognised (import_path)
        if preview.file_errors:
            result.file_errors = preview.file_errors
            break
        if keep is not None and result.is_valid:
            _keep_batch(preview.rows, keep)  # before classify(), which adds looked-up values
        classify(preview)
        result.left_out += preview.left_out
        result.counts.update(preview.counts)
        problems = preview.problems
        result.problem_count += len(problems)
        result.problems += [str(p) for p in problems][: MAX_PROBLEMS - len(result.problems)]


def _keep_batch(rows: list[RowPreview], file: IO[bytes]) -> None:
    """One batch as (row number, parsed values): all that writing needs (the typed cells are only
    shown by the preview page). Pickled, as the file is written and read back by this process."""
    pickle.dump([(row.number, row.values) for row in rows], file, protocol=pickle.HIGHEST_PROTOCOL)


def _kept_batches(file: IO[bytes]) -> Iterator[list[RowPreview]]:
    """The batches _keep_batch() wrote, in order, as rows ready for classify()."""
    while True:
        try:
            batch = pickle.load(file)
        except EOFError:
            return
        yield [RowPreview(number=number, cells={}, values=values) for number, values in batch]
