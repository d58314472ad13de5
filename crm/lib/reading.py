"""CSV (UTF-8 with or without BOM, else Windows-1252; comma, semicolon or tab) and XLSX files."""

import contextlib
import csv
import io
import itertools
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

XLSX_MAGIC = b"PK\x03\x04"
MAX_XLSX_UNCOMPRESSED = 200 * 1024 * 1024  # a zip bomb stops here


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message is for the user."""


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as the spreadsheet shows it, cells)
    notices: list[str] = field(default_factory=list)


HEADER_SEARCH = 10  # the column names are looked for among this many first non-empty rows

Rows = Iterator[tuple[int, list[str]]]  # (row number, cells) of the non-empty rows
IsHeader = Callable[[list[str]], bool]


def read_table(data: bytes, filename: str, is_header: IsHeader | None = None) -> Table:
    """Read the first sheet (XLSX) or the text (CSV) into a header and numbered rows of strings.

    The header is the first non-empty row, or, given `is_header(cells)`, the first of the first
    rows it accepts: a title or a date written above the column names is left out (and said)."""
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    is_zip = data.startswith(XLSX_MAGIC)
    if filename.lower().endswith((".xlsx", ".xlsm")) or is_zip:
        if not is_zip:
            raise ImportFileError(_("This file is not an Excel workbook (.xlsx). Save it again as .xlsx or .csv."))
        with _workbook(io.BytesIO(data), check_size=data) as sheet:
            return _table(_xlsx_rows(sheet), is_header, notices=[])
    text, notices = _decode(data)
    return _table(_csv_rows(io.StringIO(text, newline="")), is_header, notices)


def _table(rows: Rows, is_header: IsHeader | None, notices: list[str]) -> Table:
    number, header, data_rows = _split_header(rows, is_header)
    table = Table(header=header, rows=list(data_rows), notices=notices + _header_notice(number))
    if not table.rows:
        raise ImportFileError(_("The file has a header row but no data rows."))
    return table


def _split_header(rows: Rows, is_header: IsHeader | None) -> tuple[int, list[str], Rows]:
    """(header row number, header, the rows after it) from (number, cells) of the non-empty rows."""
    first = list(itertools.islice(rows, HEADER_SEARCH))
    if not first:
        raise ImportFileError(_("The file is empty."))
    found = next((i for i, (_number, cells) in enumerate(first) if is_header(cells)), 0) if is_header else 0
    number, header = first[found]
    header = [cell.strip() for cell in header]
    while header and not header[-1]:
        header.pop()
    return number, header, itertools.chain(first[found + 1 :], rows)


def _header_notice(number: int) -> list[str]:
    if number == 1:
        return []
    return [_("The column names are on row %(row)s; the rows above it were left out.") % {"row": number}]


def _decode(data: bytes) -> tuple[str, list[str]]:
    if b"\x00" in data[:8192]:
        raise ImportFileError(_("This file is not a text (CSV) file. Upload a .csv or .xlsx file."))
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), [_not_utf8_notice()]


def _not_utf8_notice() -> str:
    return _(
        "The file is not in UTF-8; it was read as Windows-1252 (Western European). "
        "Check accented letters in the preview."
    )


def _delimiter(first_lines: list[str]) -> str:
    """The separator found most often on one line among the first lines (a title line above the
    column names may have none)."""
    counts = {sep: max((line.count(sep) for line in first_lines), default=0) for sep in (",", ";", "\t")}
    return max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","


def _csv_rows(file: IO[str]) -> Rows:
    """(row number, cells) of every non-empty row of a CSV text file, numbered from 1."""
    first_lines = [file.readline() for _line in range(HEADER_SEARCH + 2)]
    file.seek(0)
    reader = csv.reader(file, delimiter=_delimiter(first_lines))
    try:
        for number, cells in enumerate(reader, start=1):
            if any(c.strip() for c in cells):
                yield number, cells
    except csv.Error as error:
        raise ImportFileError(_("The CSV file cannot be read: %(error)s") % {"error": error}) from error


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


@contextlib.contextmanager
def _workbook(source: IO[bytes] | Path, check_size: bytes | Path | None = None) -> Iterator[Any]:
    """The first sheet of a workbook, read-only (rows parsed as they are read), closed afterwards.
    `check_size`: the file (its bytes or its path), whose unpacked size is checked first."""
    from openpyxl import load_workbook

    try:
        if check_size is not None:
            packed = io.BytesIO(check_size) if isinstance(check_size, bytes) else check_size
            with zipfile.ZipFile(packed) as archive:
                if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNCOMPRESSED:
                    raise ImportFileError(_("This workbook is too large once uncompressed."))
        workbook = load_workbook(source, read_only=True, data_only=True)
    except ImportFileError:
        raise
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
        raise ImportFileError(
            _("This file is not an Excel workbook (.xlsx) that can be read. Save it again as .xlsx or .csv.")
        ) from error
    try:
        yield workbook.worksheets[0]
    finally:
        workbook.close()


def _xlsx_rows(sheet: Any) -> Rows:
    """(row number, cells) of every non-empty row of a sheet, numbered from 1."""
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [_cell(v) for v in values]
        if any(cells):
            yield number, cells


class StreamedFile:
    """A file read in batches of rows, as many times as asked (the command checks every row, then
    writes, without ever holding the whole file). Same rules as read_table()."""

    def __init__(self, path: str | Path, batch: int = 5000, is_header: IsHeader | None = None):
        self.path, self.batch, self.is_header = Path(path), batch, is_header
        self.notices: list[str] = []
        with self.path.open("rb") as file:
            head = file.read(8192)
        if not head.strip():
            raise ImportFileError(_("The file is empty."))
        self.is_xlsx = head.startswith(XLSX_MAGIC) or self.path.name.lower().endswith((".xlsx", ".xlsm"))
        if self.is_xlsx:
            if not head.startswith(XLSX_MAGIC):
                raise ImportFileError(_("This file is not an Excel workbook (.xlsx). Save it again as .xlsx or .csv."))
        else:
            if b"\x00" in head:
                raise ImportFileError(_("This file is not a text (CSV) file. Upload a .csv or .xlsx file."))
            self.encoding = self._encoding()
        with self._rows() as rows:
            self.header_row, self.header, data_rows = _split_header(rows, is_header)
            if next(data_rows, None) is None:
                raise ImportFileError(_("The file has a header row but no data rows."))
        self.notices += _header_notice(self.header_row)

    def _encoding(self) -> str:
        import codecs

        decoder = codecs.getincrementaldecoder("utf-8-sig")()
        with self.path.open("rb") as file:
            try:
                for block in iter(lambda: file.read(1 << 20), b""):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                self.notices.append(_not_utf8_notice())
                return "cp1252"
        return "utf-8-sig"

    @contextlib.contextmanager
    def _rows(self) -> Iterator[Rows]:
        """(row number, cells) of every non-empty row, header and title included."""
        if self.is_xlsx:  # opened here: openpyxl refuses a path whose name does not end in .xlsx
            with self.path.open("rb") as binary, _workbook(binary, check_size=self.path) as sheet:
                yield _xlsx_rows(sheet)
            return
        with self.path.open(encoding=self.encoding, errors="replace", newline="") as text:
            yield _csv_rows(text)

    def batches(self) -> Iterator[Table]:
        with self._rows() as rows:
            rows = itertools.dropwhile(lambda row: row[0] <= self.header_row, rows)
            while batch := list(itertools.islice(rows, self.batch)):
                yield Table(header=self.header, rows=batch, notices=self.notices)
