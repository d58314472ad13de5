"""CSV written by PostgreSQL itself (`COPY … TO STDOUT`): the lines of an export come out of the
database ready to send, with no Python step per cell. Python's csv module spends about half a
million-row export's time on the cells; COPY writes them in C, in the database's process.

SQLite has no COPY, and writing each line with its string functions cost more than Python's csv
module (a dozen function calls a cell). There the database gives the cells as the CSV holds them
(`cells_statement`: booleans as yes or no, dates as the ISO text SQLite keeps), read without
Django's converters, and Python's csv module writes whole chunks at once (crm.lib.exports).

The cells come out as Python writes them (crm.lib.exports): empty for a missing value, dates in
ISO form, text that a spreadsheet would run as a formula behind an apostrophe, booleans turned into
"yes" or "no", CRLF at the end of each line. What a column holds is told by its `Kind`; a column
of any other kind (a time, a decimal, a value worked out in Python) is not for COPY, and the caller
writes the export in Python instead.
"""

from collections.abc import Callable, Iterator, Sequence
from enum import Enum

from django.db.backends.base.base import BaseDatabaseWrapper


class Kind(Enum):
    TEXT = "text"  # protected against formulas; empty text written as nothing (not as "")
    NUMBER = "number"  # an integer
    DATE = "date"
    YES_NO = "yes_no"  # a boolean written as "yes" or "no"


# A cell starting with one of = + - @ tab or carriage return runs as a formula, unless it is made
# only of digits, spaces and + - ( ) . / (crm.lib.exports.FORMULA_START and HARMLESS). The first
# character is read by its code: a regular expression on every cell cost a million rows 2.7 s.
_RUNS = ", ".join(str(ord(char)) for char in "=+-@\t\r")
_HARMLESS = r"'^[0-9 +().\/-]+$'"


def _cell(kind: Kind, column: str) -> str:
    if kind is Kind.TEXT:
        runs = f"ascii({column}) IN ({_RUNS}) AND {column} !~ {_HARMLESS}"
        return f"NULLIF(CASE WHEN {runs} THEN '''' || {column} ELSE {column} END, '')"
    if kind is Kind.DATE:
        return f"to_char({column}, 'YYYY-MM-DD')"
    if kind is Kind.YES_NO:
        return f"CASE WHEN {column} THEN 'yes' WHEN NOT {column} THEN 'no' END"
    return column


def copy_statement(query: str, width: int, cells: Sequence[tuple[int, Kind]], delimiter: str) -> str:
    """COPY, as CSV lines, of the cells of `query`'s rows (`width` columns): each cell is the
    column at an index, written as its kind says."""
    if len(delimiter) != 1 or delimiter in "'\"\\\r\n":
        raise ValueError(f"not a CSV delimiter: {delimiter!r}")
    names = [f"c{index}" for index in range(width)]
    written = ", ".join(_cell(kind, names[index]) for index, kind in cells)
    return (
        f"COPY (SELECT {written} FROM ({query}) AS export_rows({', '.join(names)})) "
        f"TO STDOUT WITH (FORMAT csv, DELIMITER '{delimiter}')"
    )


def cells_statement(query: str, width: int, cells: Sequence[tuple[int, Kind]]) -> str:
    """SQLite: the cells of `query`'s rows (`width` columns), each the column at an index, as the
    CSV holds them but for text, which Python protects against formulas where a cell could run."""
    names = [f"c{index}" for index in range(width)]
    selected = ", ".join(_sqlite_cell(kind, names[index]) for index, kind in cells)
    return f"WITH export_rows({', '.join(names)}) AS ({query}) SELECT {selected} FROM export_rows"


def _sqlite_cell(kind: Kind, column: str) -> str:
    if kind is Kind.YES_NO:
        return f"CASE WHEN {column} THEN 'yes' WHEN NOT {column} THEN 'no' END"
    if kind is Kind.DATE:
        # The ISO text SQLite keeps, as Python writes a date. A bare column keeps its declared type,
        # for which Django's connection would make a date of each value (a Python call a row).
        return f"CAST({column} AS TEXT)"
    return column  # a number as its digits


def copied_text(
    connection: BaseDatabaseWrapper,
    statement: str,
    *,
    rows_per_piece: int,
    progress: Callable[[int], None] | None = None,
) -> Iterator[str]:
    """The CSV lines COPY writes, as text, `rows_per_piece` lines at a time; `progress` is told the
    lines handed over so far after each piece. COPY ends each line with LF alone: it becomes CRLF,
    as Python's csv writes it (a line break inside a quoted cell stays as it is)."""
    done = 0
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        lines: list = []
        for line in copy:  # one line per block, ending with its LF
            lines.append(line[:-1])
            if len(lines) == rows_per_piece:
                yield _joined(lines)
                done, lines = done + len(lines), []
                if progress is not None:
                    progress(done)
        if lines:
            yield _joined(lines)
            if progress is not None:
                progress(done + len(lines))


def _joined(lines: list) -> str:
    return (b"\r\n".join(lines) + b"\r\n").decode("utf-8")
