"""Exports of any list: the filtered rows, streamed as CSV (UTF-8 with BOM) or written as XLSX.

A dataset says which columns to write from `.values_list()`. One query reads every row, its
many-to-many columns already joined by the database (one correlated subquery per column); rows
are read a chunk at a time, cleaned against formula injection column by column and written, so
memory stays flat whatever the number of rows. The list pages (`?_export=csv|xlsx`) and the
`export` command share this code and the same filters.
"""

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connections
from django.db.models import OuterRef, Value
from django.db.models.functions import NullIf
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from crm.expressions import JoinedValues

CHUNK = 2_000  # rows read, cleaned and written at a time (about 600 KB of CSV for engagements)
EXPORT_SQLITE_CACHE_KB = 4_000  # SQLite's page cache while an export reads (see _small_sqlite_cache)
BOM = "\ufeff"
# A cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Column:
    header: str
    source: str | None = None  # a values_list() path; None for a column filled by `related`
    convert: Callable | None = None  # applied to each value of the column (None stays empty)
    fallback: str | None = None  # a values_list() path used where `source` is empty
    derive: Callable | None = None  # computes the column from the chunk's raw frame (several sources)


@dataclass
class Related:
    """Several values of a many-to-many relation joined by "; " in one column."""

    header: str
    model: type  # the through (or child) model
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


def safe_cell(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _plain(value):
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
    """The related values of the outer row, without the empty ones, sorted (as a database sorts
    text: the same order as before this was one query per chunk)."""
    values = related.model.objects.filter(**{related.owner_field: OuterRef(related.row_key)})
    if related.annotate:
        values = values.annotate(**related.annotate)
    values = values.annotate(joined_value=NullIf(related.value_path, Value("")))
    return JoinedValues(values.order_by("joined_value").values("joined_value"))


def chunks(dataset: Dataset, queryset) -> Iterator[list[tuple]]:
    """The rows of `queryset` ready to write, CHUNK rows at a time, all read with one query."""
    joined = dict(zip(_joined_names(dataset), map(joined_values, dataset.related), strict=True))
    if dataset.annotate:
        queryset = queryset.annotate(**dataset.annotate)
    # Rows are read as tuples: a list page's prefetching has no use here.
    queryset = queryset.prefetch_related(None).annotate(**joined).order_by(*dataset.order)
    rows = queryset.values_list(*dataset.sources, *joined)
    with _small_sqlite_cache(connections[rows.db]):
        chunk = []
        for row in rows.iterator(chunk_size=CHUNK):
            chunk.append(row)
            if len(chunk) == CHUNK:
                yield _ready(dataset, chunk)
                chunk = []
        if chunk:
            yield _ready(dataset, chunk)


def _joined_names(dataset: Dataset) -> list[str]:
    """Names of the many-to-many columns in the query (a header such as "organizations" may be
    the name of a field of the model, which an annotation may not take)."""
    return [f"export_joined_{index}" for index in range(len(dataset.related))]


@contextmanager
def _small_sqlite_cache(connection):
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


def _pragmas(connection, names: list[str]) -> dict[str, int]:
    """Current values of SQLite settings (an in-memory database has no mmap_size: left out)."""
    values = {}
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"PRAGMA {name}")
            row = cursor.fetchone()
            if row is not None:
                values[name] = int(row[0])
    return values


def _set_pragmas(connection, values: dict[str, int]) -> None:
    """Set SQLite settings for this connection only (values are ints: nothing else is written)."""
    with connection.cursor() as cursor:
        for name, value in values.items():
            cursor.execute(f"PRAGMA {name} = {int(value)}")


def _ready(dataset: Dataset, rows: list[tuple]) -> list[tuple]:
    """One chunk of rows, ready to write: worked column by column (one list comprehension per
    column, no Python call per cell except for converted columns)."""
    names = dataset.sources + _joined_names(dataset)
    raw = dict(zip(names, zip(*rows, strict=True), strict=True))
    joined = {related.header: raw[name] for related, name in zip(dataset.related, _joined_names(dataset), strict=True)}
    frame = _frame(names, rows) if any(column.derive for column in dataset.columns) else None
    columns = []
    for column in dataset.columns:
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
        columns.append(_cells(values))
    headers = {column.header for column in dataset.columns}
    columns += [_cells(values) for header, values in joined.items() if header not in headers]
    return list(zip(*columns, strict=True))


def _derived(column: Column, frame) -> list:
    """A derived column's values; pandas' missing values (NaN, NA) are written empty, as before."""
    values = column.derive(frame)
    return values.astype(object).where(values.notna(), None).tolist()


def _frame(names: list[str], rows: list[tuple]):
    """The chunk as a pandas frame, for the few datasets whose `derive` columns compute with it."""
    import pandas as pd

    return pd.DataFrame.from_records(rows, columns=names)


def _cells(values: Sequence) -> Sequence:
    """A column's values as they are written: text protected against formulas (safe_cell's rule,
    inlined: a call per cell would cost a second a million rows), aware times in local time;
    numbers, dates and booleans as they are (None is written empty)."""
    sample = next((v for v in values if v is not None), None)
    if isinstance(sample, datetime):
        return [_plain(v) for v in values]
    # Every text cell is checked, whatever the column's first value (a column may mix types).
    return [("'" + v) if isinstance(v, str) and v.startswith(FORMULA_START) else v for v in values]


def csv_chunks(dataset: Dataset, queryset) -> Iterator[str]:
    """CSV text in pieces: the BOM and header first (the first byte leaves at once), then each chunk."""
    header = io.StringIO()
    csv.writer(header).writerow(dataset.headers)
    yield BOM + header.getvalue()
    for rows in chunks(dataset, queryset):
        text = io.StringIO()
        csv.writer(text, lineterminator="\r\n").writerows(rows)
        yield text.getvalue()


def write_xlsx(dataset: Dataset, queryset, target) -> None:
    """An XLSX workbook written row by row (openpyxl's write-only mode keeps memory flat)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(dataset.name[:31])
    sheet.append(dataset.headers)
    for rows in chunks(dataset, queryset):
        for row in rows:
            sheet.append([None if value == "" else value for value in row])
    workbook.save(target)


def log_export(*, user, dataset: Dataset, fmt: str, filters: str, queryset) -> None:
    """Record who exported a list (one COUNT); the export log is for managers to read."""
    with _small_sqlite_cache(connections[queryset.db]):  # counting a million rows filled 40 MB
        rows = queryset.count()
    record_export(user=user, name=dataset.name, fmt=fmt, filters=filters, rows=rows)


def record_export(*, user, name: str, fmt: str, filters: str, rows: int) -> None:
    """One line of the export log (lists, and downloads that are not lists, such as personal data)."""
    from crm.models import ExportLog

    ExportLog.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        dataset=name,
        format=fmt,
        filters=filters[:2000],
        rows=rows,
    )


def filename(dataset: Dataset, extension: str) -> str:
    return f"{dataset.name}-{timezone.localdate().isoformat()}.{extension}"


def export_response(dataset: Dataset, queryset, fmt: str):
    """The HTTP download of the filtered rows: CSV streamed, XLSX from a temporary file."""
    if fmt == "xlsx":
        spool = tempfile.TemporaryFile()
        write_xlsx(dataset, queryset, spool)
        spool.seek(0)
        return FileResponse(
            spool,
            as_attachment=True,
            filename=filename(dataset, "xlsx"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response = StreamingHttpResponse(csv_chunks(dataset, queryset), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename(dataset, "csv")}"'
    return response


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def join_codes(values: Iterable[str]) -> str:
    return "; ".join(values)
