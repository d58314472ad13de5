"""Exports of any list: the filtered rows, streamed as CSV (UTF-8 with BOM) or written as XLSX.

A dataset says which columns to write from `.values_list()`; rows are read in chunks, each chunk
turned into a pandas frame, cleaned against formula injection and written, so memory stays flat
whatever the number of rows. The list pages (`?_export=csv|xlsx`) and the `export` command share
this code and the same filters.
"""

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

CHUNK = 20_000  # rows per frame; the database is read 2 000 rows at a time
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
    value_path: str  # the value to list (a path, or the name of an entry of `annotate`)
    row_key: str = "pk"  # the exported row's column that owner_field refers to
    annotate: dict = field(default_factory=dict)  # expressions for value_path, e.g. a full name


@dataclass
class Dataset:
    name: str
    columns: list[Column]
    related: list[Related] = field(default_factory=list)
    order: list[str] = field(default_factory=lambda: ["pk"])
    annotate: dict = field(default_factory=dict)  # expressions added to the rows before reading them
    extra_sources: list[str] = field(default_factory=list)  # read for `derive` columns or `row_key`

    @property
    def sources(self) -> list[str]:
        paths = ["pk"] + [p for p in self.extra_sources if p != "pk"]
        for related in self.related:
            if related.row_key not in paths:
                paths.append(related.row_key)
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


def frames(dataset: Dataset, queryset) -> Iterator[pd.DataFrame]:
    """The rows of `queryset` as successive DataFrames of at most CHUNK rows, ready to write."""
    if dataset.annotate:
        queryset = queryset.annotate(**dataset.annotate)
    rows = queryset.order_by(*dataset.order).values_list(*dataset.sources).iterator(chunk_size=2000)
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield _frame(dataset, chunk)
            chunk = []
    if chunk:
        yield _frame(dataset, chunk)


def _frame(dataset: Dataset, chunk: list[tuple]) -> pd.DataFrame:
    """One chunk of rows, ready to write: column by column, vectorised (no Python call per cell
    except for the few converted columns)."""
    raw = pd.DataFrame.from_records(chunk, columns=dataset.sources)
    out = pd.DataFrame(index=raw.index)
    joined = {r.header: _joined(r, raw[r.row_key].dropna().unique().tolist()) for r in dataset.related}
    keys = {r.header: r.row_key for r in dataset.related}
    for column in dataset.columns:
        if column.header in joined:
            out[column.header] = raw[keys[column.header]].map(joined[column.header]).astype(object).fillna("")
            continue
        if column.derive:
            out[column.header] = column.derive(raw)
            continue
        values = raw[column.source]
        if column.fallback:
            values = values.where(values.notna() & (values != ""), raw[column.fallback])
        if column.convert:
            values = values.map(lambda v, f=column.convert: None if v is None else f(v))
        out[column.header] = _tidy(values)
    for related in dataset.related:
        if related.header not in out:
            out[related.header] = raw[related.row_key].map(joined[related.header]).astype(object).fillna("")
    for header in out.columns:
        out[header] = _protect(out[header])
    return out


def _tidy(values: pd.Series) -> pd.Series:
    """Whole numbers stay whole when some are missing (not 12.0); aware times in local time."""
    if values.dtype == float and values.dropna().mod(1).eq(0).all():
        return values.astype("Int64")
    if pd.api.types.is_object_dtype(values):
        sample = values.dropna()
        if len(sample) and isinstance(sample.iloc[0], datetime):
            return values.map(_plain)
    return values


def _protect(values: pd.Series) -> pd.Series:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (vectorised)."""
    if not pd.api.types.is_string_dtype(values):
        return values  # numbers, booleans: nothing to protect
    try:
        risky = values.str.startswith(FORMULA_START, na=False)
    except AttributeError:  # a column of dates or mixed objects: only its strings can be risky
        risky = values.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_START))
    if not risky.any():
        return values
    return values.mask(risky, "'" + values.astype(str))


def _joined(related: Related, ids: list) -> dict:
    """{row id: "a; b"} for one chunk, in one query."""
    values: dict = {}
    if not ids:
        return values
    rows = related.model.objects.filter(**{f"{related.owner_field}__in": ids})
    if related.annotate:
        rows = rows.annotate(**related.annotate)
    pairs = rows.values_list(related.owner_field, related.value_path)
    for owner, value in pairs.order_by(related.owner_field, related.value_path):
        if value not in (None, ""):
            values.setdefault(owner, []).append(str(value))
    return {owner: "; ".join(items) for owner, items in values.items()}


def csv_chunks(dataset: Dataset, queryset) -> Iterator[str]:
    """CSV text in pieces: the BOM and header first (the first byte leaves at once), then each chunk."""
    header = io.StringIO()
    csv.writer(header).writerow(dataset.headers)
    yield BOM + header.getvalue()
    for frame in frames(dataset, queryset):
        if len(frame):
            yield frame.to_csv(index=False, header=False, lineterminator="\r\n")


def write_xlsx(dataset: Dataset, queryset, target) -> None:
    """An XLSX workbook written row by row (openpyxl's write-only mode keeps memory flat)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(dataset.name[:31])
    sheet.append(dataset.headers)
    for frame in frames(dataset, queryset):
        for row in frame.itertuples(index=False, name=None):
            sheet.append(
                [None if value is None or value is pd.NA or value == "" or value != value else value for value in row]
            )
    workbook.save(target)


def log_export(*, user, dataset: Dataset, fmt: str, filters: str, queryset) -> None:
    """Record who exported a list (one COUNT); the export log is for managers to read."""
    record_export(user=user, name=dataset.name, fmt=fmt, filters=filters, rows=queryset.count())


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
