"""Exports of any list: the filtered rows, streamed as CSV (UTF-8 with BOM) or written as XLSX.

A dataset says which columns to write from `.values_list()`. One query reads every row, its
many-to-many columns already joined by the database (one correlated subquery per column); rows
are read a chunk at a time, worked column by column and written, so memory stays flat whatever
the number of rows. The list pages (`?_export=…`) and the `export` command share this code and
the same filters.

Two audiences, one mechanism: machines get codes and code headers (`csv`, the contract's
format); people get headers and values as labels in their language, which the importer reads
back (`xlsx`, and `csv-excel`: `;`-separated for French Excel). Every dataset's columns say
their label and, for coded values, where their labels come from.
"""

import csv
import io
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import chain
from operator import itemgetter
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    Field,
    IntegerField,
    Model,
    OuterRef,
    QuerySet,
    TextField,
    TimeField,
    Value,
)
from django.db.models.functions import NullIf
from django.http import FileResponse, HttpResponseBase, HttpResponseRedirect, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext

from crm.lib import csv_copy
from crm.lib.expressions import JoinedValues

CHUNK = 2_000  # rows read, cleaned and written at a time (about 600 KB of CSV for engagements)
EXPORT_SQLITE_CACHE_KB = 4_000  # SQLite's page cache while an export reads (see _small_sqlite_cache)
BOM = "\ufeff"
# A cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# ...unless it is made only of these: a phone number or a number, which can call nothing.
HARMLESS = re.compile(r"[0-9 +\-().\/]+")
SEPARATOR = "\x00"  # between cells searched at once (_none_could_run); no text a person types holds it
# A separator then a formula's first character: a pattern that starts with a plain character is
# searched for fast (one starting with "^|" cost seven times as much).
FORMULA_AT_START = re.compile(SEPARATOR + "[" + re.escape("".join(FORMULA_START)) + "]")
MAX_WIDTH = 60  # an XLSX column is fitted to its text up to this many characters


@dataclass(frozen=True)
class ExportFormat:
    """What `?_export=NAME` downloads."""

    name: str
    extension: str
    labels: bool  # headers and values as labels in the user's language (for people)
    delimiter: str = ","

    @property
    def content_type(self) -> str:
        if self.extension == "xlsx":
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return "text/csv; charset=utf-8"


FORMATS = {
    "csv": ExportFormat("csv", "csv", labels=False),  # the machine format (CONTRACT.md): codes, comma
    "csv-excel": ExportFormat("csv-excel", "csv", labels=True, delimiter=";"),  # French Excel splits on ;
    "xlsx": ExportFormat("xlsx", "xlsx", labels=True),
}


@dataclass
class Column:
    header: str
    source: str | None = None  # a values_list() path; None for a column filled by `related`
    convert: Callable | None = None  # applied to each value of the column (None stays empty)
    fallback: str | None = None  # a values_list() path used where `source` is empty
    derive: Callable | None = None  # computes the column from the chunk's raw frame (several sources)
    label: str | None = None  # the header people read (translated); the importer reads it back
    labels: Callable[[], Mapping] | type | None = None  # coded values' labels: a choices class or a function
    split: str | None = None  # several coded values in one cell, separated by this (each is labelled)


@dataclass
class Related:
    """Several values of a many-to-many relation joined by "; " in one column."""

    header: str
    model: type[Model]  # the through (or child) model
    owner_field: str  # its field pointing at the exported row (or at `row_key`)
    value_path: str  # the text to list (a path, or the name of an entry of `annotate`)
    row_key: str = "pk"  # the exported row's column that owner_field refers to
    annotate: dict = field(default_factory=dict)  # expressions for value_path, e.g. a full name


@dataclass
class Dataset:
    name: str
    columns: list[Column]
    related: list[Related] = field(default_factory=list)
    order: list[str] = field(default_factory=lambda: ["pk"])
    annotate: dict = field(default_factory=dict)  # expressions added to the rows before reading them
    extra_sources: list[str] = field(default_factory=list)  # read for `derive` columns

    @property
    def sources(self) -> list[str]:
        paths = ["pk"] + [p for p in self.extra_sources if p != "pk"]
        for column in self.columns:
            for path in (column.source, column.fallback):
                if path and path not in paths:
                    paths.append(path)
        return paths

    @property
    def headers(self) -> list[str]:
        by_header = [c.header for c in self.columns]
        return by_header + [r.header for r in self.related if r.header not in by_header]


def safe_cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (CSV)."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not HARMLESS.fullmatch(value):
        return "'" + value
    return value


def yes_no_labels() -> dict[str, str]:
    return {"yes": gettext("Yes"), "no": gettext("No")}


@dataclass(frozen=True)
class Layout:
    """How one export writes its columns: headers, and per column what turns codes into labels
    (None: written as read). Made when the export starts, in the language active then: a CSV is
    streamed after the view has returned."""

    headers: list[str]
    wording: list[Callable | None]
    protect: bool = True  # CSV: text that could run as a formula gets an apostrophe


def layout(dataset: Dataset, *, labels: bool = False, protect: bool = True) -> Layout:
    """The machine layout (code headers, values as stored) or, with `labels`, the people's one."""
    extra = [r.header for r in dataset.related if r.header not in {c.header for c in dataset.columns}]
    if not labels:
        return Layout(dataset.headers, [None] * len(dataset.headers), protect)
    headers = [str(column.label or column.header) for column in dataset.columns] + extra
    return Layout(headers, [_wording(column) for column in dataset.columns] + [None] * len(extra), protect)


def _wording(column: Column) -> Callable | None:
    """A function from a column's values to their labels (codes not known are kept as they are)."""
    if column.labels is None:
        return None
    if hasattr(column.labels, "choices"):
        names = {code: str(label) for code, label in column.labels.choices}
    else:
        names = dict(column.labels())
    if column.split is None:
        return lambda values: [names.get(value, value) for value in values]
    separator = column.split

    def several(values: Sequence[str]) -> list[str]:
        return [
            "; ".join(names.get(part.strip(), part.strip()) for part in value.split(separator) if part.strip())
            if value
            else value
            for value in values
        ]

    return several


def _as_written(value: Any) -> Any:
    """A value as a file holds it: None empty, times in local time (ISO), dates ISO, the rest as is."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            timezone.localtime(value).isoformat(timespec="seconds") if timezone.is_aware(value) else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    return value


def joined_values(related: Related) -> JoinedValues:
    """The related values of the outer row, without the empty ones, sorted as the database
    sorts text."""
    values = related.model._default_manager.filter(**{related.owner_field: OuterRef(related.row_key)})
    if related.annotate:
        values = values.annotate(**related.annotate)
    values = values.annotate(joined_value=NullIf(related.value_path, Value("")))
    return JoinedValues(values.order_by("joined_value").values("joined_value"))


# Told the rows written so far after each chunk (a job's progress); it may raise to stop the export.
Progress = Callable[[int], None]


def chunks(
    dataset: Dataset, queryset: QuerySet, shape: Layout | None = None, progress: Progress | None = None
) -> Iterator[list[tuple]]:
    """The rows of `queryset` ready to write, CHUNK rows at a time, all read with one query;
    `progress` is told how many rows were handed over before each next chunk is read."""
    shape = shape or layout(dataset)
    rows = _rows(dataset, queryset)
    done = 0
    with _small_sqlite_cache(connections[rows.db]):
        chunk = []
        for row in rows.iterator(chunk_size=CHUNK):
            chunk.append(row)
            if len(chunk) == CHUNK:
                yield _chunk_as_written(dataset, chunk, shape)
                done, chunk = done + CHUNK, []
                if progress is not None:
                    progress(done)
        if chunk:
            yield _chunk_as_written(dataset, chunk, shape)
            if progress is not None:
                progress(done + len(chunk))


def _rows(dataset: Dataset, queryset: QuerySet) -> QuerySet:
    """The query an export reads: the dataset's sources, then its joined columns, in its order."""
    joined = dict(zip(_joined_names(dataset), map(joined_values, dataset.related), strict=True))
    if dataset.annotate:
        queryset = queryset.annotate(**dataset.annotate)
    # Rows are read as tuples: a list page's prefetching has no use here.
    queryset = queryset.prefetch_related(None).annotate(**joined).order_by(*dataset.order)
    return queryset.values_list(*dataset.sources, *joined)


def _joined_names(dataset: Dataset) -> list[str]:
    """Names of the many-to-many columns in the query (a header such as "organizations" may be
    the name of a field of the model, which an annotation may not take)."""
    return [f"export_joined_{index}" for index in range(len(dataset.related))]


@contextmanager
def _small_sqlite_cache(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """While an export reads, SQLite keeps a small page cache and no memory map; both are put
    back afterwards. The settings' 64 MB cache and 256 MB map suit pages, which come back to the
    same rows. An export visits the whole database once, in an order that is not the order rows
    are stored in, so they only filled the process's memory (300 MB more at a million rows) and
    saved no time (measured: the same CPU time either way)."""
    if connection.vendor != "sqlite":
        yield
        return
    before = _pragmas(connection, ["cache_size", "mmap_size"])
    _set_pragmas(connection, {"cache_size": -EXPORT_SQLITE_CACHE_KB, "mmap_size": 0})
    try:
        yield
    finally:
        _set_pragmas(connection, before)


def _pragmas(connection: BaseDatabaseWrapper, names: list[str]) -> dict[str, int]:
    """Current values of SQLite settings (an in-memory database has no mmap_size: left out)."""
    values = {}
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"PRAGMA {name}")
            row = cursor.fetchone()
            if row is not None:
                values[name] = int(row[0])
    return values


def _set_pragmas(connection: BaseDatabaseWrapper, values: dict[str, int]) -> None:
    """Set SQLite settings for this connection only (values are ints: nothing else is written)."""
    with connection.cursor() as cursor:
        for name, value in values.items():
            cursor.execute(f"PRAGMA {name} = {int(value)}")


def _chunk_as_written(dataset: Dataset, rows: list[tuple], shape: Layout) -> list[tuple]:
    """One chunk of rows, ready to write: worked column by column (one list comprehension per
    column, no Python call per cell except for converted columns)."""
    names = dataset.sources + _joined_names(dataset)
    raw = dict(zip(names, zip(*rows, strict=True), strict=True))
    joined = {related.header: raw[name] for related, name in zip(dataset.related, _joined_names(dataset), strict=True)}
    frame = _frame(names, rows) if any(column.derive for column in dataset.columns) else None
    columns: list[Sequence] = []
    for column in dataset.columns:
        values: Sequence
        if column.derive:
            values = _derived(column, frame)
        elif column.source is None:
            values = joined[column.header]
        else:
            values = raw[column.source]
            if column.fallback:
                values = [
                    v if v is not None and v != "" else f for v, f in zip(values, raw[column.fallback], strict=True)
                ]
            if column.convert:
                values = [None if v is None else column.convert(v) for v in values]
        columns.append(values)
    headers = {column.header for column in dataset.columns}
    columns += [values for header, values in joined.items() if header not in headers]
    columns = [values if words is None else words(values) for values, words in zip(columns, shape.wording, strict=True)]
    return list(zip(*(_column_as_written(values, protect=shape.protect) for values in columns), strict=True))


def _derived(column: Column, frame: Any) -> list:
    """A derived column's values; pandas' missing values (NaN, NA) are written empty."""
    assert column.derive is not None
    values = column.derive(frame)
    return values.astype(object).where(values.notna(), None).tolist()


def _frame(names: list[str], rows: list[tuple]) -> Any:
    """The chunk as a pandas frame, for the few datasets whose `derive` columns compute with it."""
    import pandas as pd

    return pd.DataFrame.from_records(rows, columns=names)


def _column_as_written(values: Sequence, *, protect: bool = True) -> Sequence:
    """A column's values as they are written: text protected against formulas when `protect`
    (safe_cell's rule, inlined: a call per cell would cost a second a million rows), aware times
    in local time; numbers, dates and booleans as they are (None is written empty)."""
    sample = next((v for v in values if v is not None), None)
    if isinstance(sample, datetime):
        return [_as_written(v) for v in values]
    if not protect or _none_could_run(values):
        return values
    # Every text cell is checked, whatever the column's first value (a column may mix types).
    return [
        ("'" + v) if isinstance(v, str) and v.startswith(FORMULA_START) and not HARMLESS.fullmatch(v) else v
        for v in values
    ]


def _none_could_run(values: Iterable) -> bool:
    """Whether a column of text (empty cells aside) has no cell starting as a formula would: the
    cells are joined and searched once, in C, instead of one test per cell in Python (a quarter
    of a million-row export's time). A column holding anything but text is checked cell by cell."""
    try:
        joined = SEPARATOR + SEPARATOR.join(filter(None, values))
    except TypeError:  # numbers, dates, booleans: not text
        return False
    return FORMULA_AT_START.search(joined) is None


def csv_chunks(
    dataset: Dataset,
    queryset: QuerySet,
    *,
    labels: bool = False,
    delimiter: str = ",",
    progress: Progress | None = None,
) -> Iterator[str]:
    """CSV text in pieces: the BOM and header first (the first byte leaves at once), then each chunk.
    Headers and labels are settled now, in the language active when the export is asked for."""
    return _csv_pieces(dataset, queryset, layout(dataset, labels=labels), delimiter, progress)


def _csv_pieces(
    dataset: Dataset, queryset: QuerySet, shape: Layout, delimiter: str, progress: Progress | None
) -> Iterator[str]:
    header = io.StringIO()
    csv.writer(header, delimiter=delimiter).writerow(shape.headers)
    yield BOM + header.getvalue()
    copied = _copied(dataset, queryset, shape, delimiter, progress)
    if copied is not None:
        if copied.text_cells is None:  # PostgreSQL's COPY
            yield from csv_copy.copied_text(
                copied.connection, copied.statement, rows_per_piece=CHUNK, progress=progress
            )
        else:
            yield from _cells_written(copied, delimiter, progress)
        return
    for rows in chunks(dataset, queryset, shape, progress):
        text = io.StringIO()
        csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
        yield text.getvalue()


@dataclass(frozen=True)
class Copied:
    """How the database writes an export's cells (crm/lib/csv_copy.py): PostgreSQL's COPY statement,
    or on SQLite the statement of its cells, its parameters and which cells hold text."""

    connection: BaseDatabaseWrapper
    statement: str
    params: Sequence = ()
    text_cells: tuple[int, ...] | None = None  # SQLite's: the text cells, which Python protects


def _copied(
    dataset: Dataset, queryset: QuerySet, shape: Layout, delimiter: str, progress: Progress | None
) -> Copied | None:
    """How the database writes this CSV's cells as Python would (crm/lib/csv_copy.py), or None where
    Python works each one out: another database, labels, a column the database cannot write as
    Python does, or a progress told inside a transaction (crm.exporting.files tells it there through
    the export's own connection, which COPY holds until its last line)."""
    rows = _rows(dataset, queryset)
    connection = connections[rows.db]
    if connection.vendor not in ("postgresql", "sqlite") or any(shape.wording) or not shape.protect:
        return None
    if progress is not None and connection.in_atomic_block:
        return None
    compiler = rows.query.get_compiler(rows.db)
    query, params = compiler.as_sql()
    names = [*rows.query.extra_select, *rows.query.values_select, *rows.query.annotation_select]
    if len(names) != len(compiler.select):
        return None
    fields = {name: selected[0].output_field for name, selected in zip(names, compiler.select, strict=True)}
    joined = dict(zip((related.header for related in dataset.related), _joined_names(dataset), strict=True))
    cells = []
    for column in [*dataset.columns, *(Column(header) for header in shape.headers[len(dataset.columns) :])]:
        if column.derive or column.fallback:
            return None
        name = column.source or joined[column.header]
        kind = csv_copy.Kind.TEXT if column.source is None else _copy_kind(column, fields[name])
        if kind is None:
            return None
        cells.append((names.index(name), kind))
    if connection.vendor == "sqlite":
        texts = tuple(at for at, (_index, kind) in enumerate(cells) if kind is csv_copy.Kind.TEXT)
        return Copied(connection, csv_copy.cells_statement(query, len(names), cells), params, texts)
    # COPY takes no parameters: the query's values are written into it (quoted by the driver).
    query = connection.ops.compose_sql(query, params)  # type: ignore[attr-defined] # PostgreSQL's operations
    return Copied(connection, csv_copy.copy_statement(query, len(names), cells, delimiter))


def _cells_written(copied: Copied, delimiter: str, progress: Progress | None) -> Iterator[str]:
    """SQLite: the cells as the database gives them (no Django converter), CHUNK rows at a time,
    each chunk written by the csv module at once; its text cells protected only in a chunk where one
    could run as a formula (found by one search of the chunk's texts joined)."""
    texts = copied.text_cells or ()
    done = 0
    with _small_sqlite_cache(copied.connection), copied.connection.cursor() as cursor:
        cursor.execute(copied.statement, copied.params)
        while rows := cursor.fetchmany(CHUNK):
            if texts and not _none_could_run(_text_cells(rows, texts)):
                rows = _texts_protected(rows, texts)
            text = io.StringIO()
            csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
            yield text.getvalue()
            done += len(rows)
            if progress is not None:
                progress(done)


def _text_cells(rows: list[tuple], texts: tuple[int, ...]) -> Iterable:
    """Every text cell of these rows, one after the other (searched at once by _none_could_run)."""
    picked = map(itemgetter(*texts), rows)
    return picked if len(texts) == 1 else chain.from_iterable(picked)


def _texts_protected(rows: list[tuple], texts: tuple[int, ...]) -> list[tuple]:
    columns = [list(values) for values in zip(*rows, strict=True)]
    for at in texts:
        columns[at] = list(_column_as_written(columns[at]))
    return list(zip(*columns, strict=True))


def _copy_kind(column: Column, field: Field) -> "csv_copy.Kind | None":
    """How the database writes a column's values as Python would (None: it cannot)."""
    if field.is_relation:
        return None
    if column.convert is not None:
        return csv_copy.Kind.YES_NO if column.convert is yes_no and isinstance(field, BooleanField) else None
    if isinstance(field, DateTimeField | TimeField | BooleanField):
        return None  # local time, and True/False as Python spells them: written in Python
    if isinstance(field, DateField):
        return csv_copy.Kind.DATE
    if isinstance(field, IntegerField):
        return csv_copy.Kind.NUMBER
    if isinstance(field, CharField | TextField):
        return csv_copy.Kind.TEXT
    return None


def write_xlsx(
    dataset: Dataset,
    queryset: QuerySet,
    target: IO[bytes] | str,
    *,
    labels: bool = False,
    progress: Progress | None = None,
) -> None:
    """An XLSX workbook written row by row (openpyxl's write-only mode keeps memory flat): a bold
    header row, frozen and with filters; columns as wide as their text in the first chunk of rows
    (a sample: the widths go out before the rows); text typed as text, so that nothing in it runs
    as a formula and no apostrophe is needed; dates as dates."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    shape = layout(dataset, labels=labels, protect=False)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(dataset.name[:31])
    pieces = chunks(dataset, queryset, shape, progress)
    first = next(pieces, [])
    for index, width in enumerate(fitted_widths(shape.headers, first), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append(_header_cells(sheet, shape.headers))
    count = 0
    for rows in chain([first], pieces):
        for row in rows:
            sheet.append([_text_cell(sheet, value) if type(value) is str else value for value in row])
        count += len(rows)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(shape.headers))}{count + 1}"
    workbook.save(target)


def fitted_widths(headers: Sequence[str], rows: Sequence[tuple]) -> list[float]:
    """Each column's width in characters: its longest header or value in `rows`, within bounds
    (a header needs room for its bold text and its filter button too)."""
    widths = [len(header) + 2 for header in headers]
    for row in rows:
        for index, value in enumerate(row):
            if value is not None:
                widths[index] = max(widths[index], 10 if isinstance(value, date) else len(str(value)))
    return [min(width + 2, MAX_WIDTH) for width in widths]


def _header_cells(sheet: Any, headers: Sequence[str]) -> list:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    bold = Font(bold=True)
    cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.data_type = "s"  # a header is text, whatever it starts with
        cell.font = bold
        cells.append(cell)
    return cells


def _text_cell(sheet: Any, value: str) -> object:
    """A text value as an XLSX cell: typed as text when openpyxl would otherwise make it a formula
    (a leading "=") or an error value ("#N/A"); characters XML cannot hold are left out; empty
    text is an empty cell."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE

    if value == "":
        return None
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith("=") or value in ERROR_CODES:
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def log_export(
    *, user: AbstractBaseUser | AnonymousUser | None, dataset: Dataset, fmt: str, filters: str, queryset: QuerySet
) -> None:
    """Record who exported a list (one COUNT); the export log is for managers to read."""
    record_export(user=user, name=dataset.name, fmt=fmt, filters=filters, rows=count_rows(queryset))


def count_rows(queryset: QuerySet) -> int:
    with _small_sqlite_cache(connections[queryset.db]):  # counting a million rows filled 40 MB
        return queryset.count()


# Who writes large exports as jobs: one callable taking user=, name=, fmt=, filters=, rows= and
# returning the address of the export's page (the crm app registers crm.exporting.files.queue).
EXPORT_QUEUES: list[Callable[..., str]] = []


def export_or_queue(
    *, user: AbstractBaseUser | AnonymousUser, dataset: Dataset, fmt: str, filters: str, queryset: QuerySet
) -> HttpResponseBase:
    """A list's download: streamed at once (and logged), or, above EXPORT_JOB_ROWS rows, queued as a
    job whose page the user is sent to (its file is offered there when written)."""
    rows = count_rows(queryset)
    if rows > settings.EXPORT_JOB_ROWS and EXPORT_QUEUES and user.is_authenticated:
        return HttpResponseRedirect(EXPORT_QUEUES[0](user=user, name=dataset.name, fmt=fmt, filters=filters, rows=rows))
    record_export(user=user, name=dataset.name, fmt=fmt, filters=filters, rows=rows)
    return export_response(dataset, queryset, fmt)


# Who keeps the export log: one callable taking user=, name=, fmt=, filters=, rows= (the crm app
# registers crm.exporting.log.record when it starts). Exports are personal data leaving the system:
# with no recorder, an export fails rather than going unrecorded.
EXPORT_RECORDERS: list[Callable] = []


def record_export(
    *, user: AbstractBaseUser | AnonymousUser | None, name: str, fmt: str, filters: str, rows: int
) -> None:
    """One line of the export log (lists, and downloads that are not lists, such as personal data)."""
    if not EXPORT_RECORDERS:
        raise ImproperlyConfigured("No export recorder: the crm app must be installed.")
    for recorder in EXPORT_RECORDERS:
        recorder(user=user, name=name, fmt=fmt, filters=filters, rows=rows)


def filename(dataset: Dataset, extension: str) -> str:
    return f"{dataset.name}-{timezone.localdate().isoformat()}.{extension}"


def export_response(dataset: Dataset, queryset: QuerySet, fmt: str) -> HttpResponseBase:
    """The HTTP download of the filtered rows in a format of FORMATS, labels in the language of the
    request: CSV streamed, XLSX from a temporary file."""
    export_format = FORMATS[fmt]
    if export_format.extension == "xlsx":
        spool = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes it once sent
        write_xlsx(dataset, queryset, spool, labels=export_format.labels)
        spool.seek(0)
        return FileResponse(
            spool, as_attachment=True, filename=filename(dataset, "xlsx"), content_type=export_format.content_type
        )
    pieces = csv_chunks(dataset, queryset, labels=export_format.labels, delimiter=export_format.delimiter)
    response = StreamingHttpResponse(pieces, content_type=export_format.content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename(dataset, "csv")}"'
    return response


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def join_codes(values: Iterable[str]) -> str:
    return "; ".join(values)
