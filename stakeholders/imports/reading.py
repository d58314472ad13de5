"""CSV (UTF-8 with or without BOM, else Windows-1252; comma, semicolon or tab) and XLSX files."""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

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


def read_table(data: bytes, filename: str) -> Table:
    """Read the first sheet (XLSX) or the text (CSV) into a header and numbered rows of strings."""
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    is_zip = data.startswith(XLSX_MAGIC)
    if filename.lower().endswith((".xlsx", ".xlsm")) or is_zip:
        if not is_zip:
            raise ImportFileError(_("This file is not an Excel workbook (.xlsx). Save it again as .xlsx or .csv."))
        table = _read_xlsx(data)
    else:
        table = _read_csv(data)
    if not any(cell.strip() for cell in table.header):
        raise ImportFileError(_("The first row must hold the column names; it is empty."))
    if not table.rows:
        raise ImportFileError(_("The file has a header row but no data rows."))
    return table


def _decode(data: bytes) -> tuple[str, list[str]]:
    if b"\x00" in data[:8192]:
        raise ImportFileError(_("This file is not a text (CSV) file. Upload a .csv or .xlsx file."))
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        notice = _(
            "The file is not in UTF-8; it was read as Windows-1252 (Western European). "
            "Check accented letters in the preview."
        )
        return data.decode("cp1252", errors="replace"), [notice]


def _delimiter(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=counts.get) if any(counts.values()) else ","


def _read_csv(data: bytes) -> Table:
    text, notices = _decode(data)
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    try:
        header = next(reader, None)
        if header is None:
            raise ImportFileError(_("The file is empty."))
        rows = [(number, cells) for number, cells in enumerate(reader, start=2) if any(c.strip() for c in cells)]
    except csv.Error as error:
        raise ImportFileError(_("The CSV file cannot be read: %(error)s") % {"error": error}) from error
    return Table(header=[h.strip() for h in header], rows=rows, notices=notices)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNCOMPRESSED:
                raise ImportFileError(_("This workbook is too large once uncompressed."))
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ImportFileError:
        raise
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
        raise ImportFileError(
            _("This file is not an Excel workbook (.xlsx) that can be read. Save it again as .xlsx or .csv.")
        ) from error
    try:
        sheet = workbook.worksheets[0]
        rows_iter = sheet.iter_rows(values_only=True)
        header = [_cell(v) for v in next(rows_iter, ())]
        rows = []
        for number, values in enumerate(rows_iter, start=2):
            cells = [_cell(v) for v in values]
            if any(cells):
                rows.append((number, cells))
    finally:
        workbook.close()
    while header and not header[-1]:
        header.pop()
    return Table(header=header, rows=rows)


class StreamedFile:
    """A file read in batches of rows, as many times as asked (the command checks every row, then
    writes, without ever holding the whole file). Same rules as read_table()."""

    def __init__(self, path, batch: int = 5000):
        from pathlib import Path

        self.path, self.batch = Path(path), batch
        self.notices: list[str] = []
        head = self.path.open("rb").read(8192)
        if not head.strip():
            raise ImportFileError(_("The file is empty."))
        self.is_xlsx = head.startswith(XLSX_MAGIC) or self.path.name.lower().endswith((".xlsx", ".xlsm"))
        if self.is_xlsx:
            if not head.startswith(XLSX_MAGIC):
                raise ImportFileError(_("This file is not an Excel workbook (.xlsx). Save it again as .xlsx or .csv."))
            # Workbooks are small next to what they would hold as CSV: read through openpyxl's
            # read-only mode (rows are parsed as they are read).
            self.header = None
        else:
            if b"\x00" in head:
                raise ImportFileError(_("This file is not a text (CSV) file. Upload a .csv or .xlsx file."))
            self.encoding = self._encoding()
        self.header = next(self._rows(with_header=True), None)
        if self.header is None or not any(cell.strip() for cell in self.header):
            raise ImportFileError(
                _("The file is empty.")
                if self.header is None
                else _("The first row must hold the column names; it is empty.")
            )
        if next(self.batches(), None) is None:
            raise ImportFileError(_("The file has a header row but no data rows."))

    def _encoding(self) -> str:
        import codecs

        decoder = codecs.getincrementaldecoder("utf-8-sig")()
        with self.path.open("rb") as file:
            try:
                for block in iter(lambda: file.read(1 << 20), b""):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                self.notices.append(
                    _(
                        "The file is not in UTF-8; it was read as Windows-1252 (Western European). "
                        "Check accented letters in the preview."
                    )
                )
                return "cp1252"
        return "utf-8-sig"

    def _rows(self, *, with_header: bool = False):
        """The header (first) then (row number, cells) for every non-empty row."""
        if self.is_xlsx:
            from openpyxl import load_workbook

            try:
                workbook = load_workbook(self.path, read_only=True, data_only=True)
            except Exception as error:  # a damaged or foreign file
                raise ImportFileError(
                    _("This file is not an Excel workbook (.xlsx) that can be read. Save it again as .xlsx or .csv.")
                ) from error
            try:
                rows = workbook.worksheets[0].iter_rows(values_only=True)
                header = [_cell(v) for v in next(rows, ())]
                while header and not header[-1]:
                    header.pop()
                if with_header:
                    yield header
                    return
                for number, values in enumerate(rows, start=2):
                    cells = [_cell(v) for v in values]
                    if any(cells):
                        yield number, cells
            finally:
                workbook.close()
            return
        with self.path.open(encoding=self.encoding, errors="replace", newline="") as file:
            first_line = file.readline()
            file.seek(0)
            reader = csv.reader(file, delimiter=_delimiter(first_line))
            try:
                header = next(reader, None)
                if with_header:
                    yield [h.strip() for h in header] if header is not None else None
                    return
                for number, cells in enumerate(reader, start=2):
                    if any(c.strip() for c in cells):
                        yield number, cells
            except csv.Error as error:
                raise ImportFileError(_("The CSV file cannot be read: %(error)s") % {"error": error}) from error

    def batches(self):
        batch = []
        for row in self._rows():
            batch.append(row)
            if len(batch) == self.batch:
                yield Table(header=self.header, rows=batch, notices=self.notices)
                batch = []
        if batch:
            yield Table(header=self.header, rows=batch, notices=self.notices)
