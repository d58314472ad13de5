"""Customs Integrity Perception Survey (CIPS) results: import of aggregates, and the dashboard panel.

The CSV holds `wave, year, respondent_group, key_factor, score, respondents`. Every row is checked
before anything is written; a group under 5 respondents is refused (its answers could identify
people), as is a score outside 0–100. Importing a wave again replaces its figures.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history

from communications.choices import KeyFactorCode
from communications.models import Engagement, SurveyResult
from crm.lib import changes
from crm.lib.reading import read_table
from stakeholders.imports.columns import CellError, choice_lookup, match_columns, typed_cells
from stakeholders.imports.preview import Problem
from stakeholders.normalize import fold

COLUMNS = ["wave", "year", "respondent_group", "key_factor", "score", "respondents"]
# Each column by its own name, compared as the import's column reader compares headers.
HEADERS = {column: [fold(column)] for column in COLUMNS}
MAX_LENGTH = 100  # of a wave's name and of a group's


@dataclass
class SurveyImport:
    rows: list[dict]
    problems: list[str]


def check_survey_file(data: bytes, filename: str) -> SurveyImport:
    """Raises ImportFileError for an unreadable file; otherwise every row's problems, named."""
    table = read_table(data, filename)
    mapping, _ignored, errors = match_columns(table.header, HEADERS)
    missing = [column for column in COLUMNS if column not in mapping.values()]
    if missing:
        return SurveyImport([], [_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)}])
    if errors:
        return SurveyImport([], errors)
    rows, problems, across = [], [], _AcrossRows()
    for number, cells in table.rows:
        row, found = _read_row(typed_cells(cells, mapping))
        found += across.check(number, row)
        problems += [str(Problem(number, column, message)) for column, message in found]
        rows.append(row)
    return SurveyImport(rows, problems)


def _year(cells: dict) -> int:
    try:
        year = int(cells["year"])
    except ValueError:
        year = None
    if year is None or not 1990 <= year <= 2100:
        raise CellError(_("«%(value)s» is not a year.") % {"value": cells["year"]})
    return year


def _lengths(cells: dict) -> None:
    if len(cells["wave"]) > MAX_LENGTH or len(cells["respondent_group"]) > MAX_LENGTH:
        raise CellError(_("the wave and the group are at most 100 characters."))


def _key_factor(cells: dict) -> str:
    code = choice_lookup(KeyFactorCode).get(fold(cells["key_factor"]))
    if code is None:
        raise CellError(_("«%(value)s» is not a key factor code.") % {"value": cells["key_factor"]})
    return code


def _score(cells: dict) -> Decimal:
    try:
        score = Decimal(cells["score"].replace(",", "."))
        if 0 <= score <= 100:
            return score
    except InvalidOperation:  # not a number, or NaN compared
        pass
    raise CellError(_("«%(value)s» must be a number from 0 to 100.") % {"value": cells["score"]})


def _respondents(cells: dict) -> int:
    try:
        respondents = int(cells["respondents"])
    except ValueError:
        raise CellError(_("«%(value)s» is not a whole number.") % {"value": cells["respondents"]}) from None
    if respondents < SurveyResult.MIN_RESPONDENTS:
        raise CellError(
            ngettext(
                "%(n)s respondent: a group under 5 is never stored or shown, so that nobody can be identified.",
                "%(n)s respondents: a group under 5 is never stored or shown, so that nobody can be identified.",
                respondents,
            )
            % {"n": respondents}
        )
    return respondents


def _required(cells: dict) -> None:
    if not cells["wave"] or not cells["respondent_group"]:
        raise CellError(_("the wave and the respondent group are required."))


# A row's checks, in the order its problems are listed: (the column a problem names, a function of
# the row's cells giving the column's value, or None when it only checks, or raising CellError).
CHECKS = [
    ("year", _year),
    ("wave", _lengths),
    ("key_factor", _key_factor),
    ("score", _score),
    ("respondents", _respondents),
    ("wave", _required),
]


def _read_row(cells: dict[str, str]) -> tuple[dict, list[tuple[str, str]]]:
    """A row's values (those that could be read) and its own problems, as (column, message)."""
    row, problems = {"wave": cells["wave"], "respondent_group": cells["respondent_group"]}, []
    for column, check in CHECKS:
        try:
            value = check(cells)
        except CellError as error:
            problems.append((column, str(error)))
        else:
            if value is not None:
                row[column] = value
    return row, problems


class _AcrossRows:
    """The rules between rows: one row per wave, group and key factor; one year per wave."""

    def __init__(self):
        self.first_row: dict[tuple, int] = {}
        self.years: dict[str, int] = {}

    def check(self, number: int, row: dict) -> list[tuple[str, str]]:
        problems = []
        key = (row["wave"], row["respondent_group"], row.get("key_factor"))
        if key in self.first_row:
            problems.append(
                ("key_factor", _("the same wave, group and key factor as row %(row)s.") % {"row": self.first_row[key]})
            )
        self.first_row.setdefault(key, number)
        year = row.get("year")
        if year is not None and self.years.setdefault(row["wave"], year) != year:
            problems.append(
                (
                    "year",
                    _("a wave has one year; «%(wave)s» has %(year)s above.")
                    % {"wave": row["wave"], "year": self.years[row["wave"]]},
                )
            )
        return problems


@transaction.atomic
def import_survey(data: bytes, filename: str) -> SurveyImport:
    """All or nothing: rows are written only when no row has a problem."""
    checked = check_survey_file(data, filename)
    if checked.problems:
        return checked
    changes.record()
    # A wave imported again is replaced whole: groups left out of the new file go too.
    SurveyResult.objects.filter(wave__in={row["wave"] for row in checked.rows}).delete()
    bulk_create_with_history(
        [
            SurveyResult(
                wave=row["wave"],
                year=row["year"],
                respondent_group=row["respondent_group"],
                key_factor=row["key_factor"],
                score=row["score"],
                respondents=row["respondents"],
            )
            for row in checked.rows
        ],
        SurveyResult,
    )
    return checked


@dataclass
class FactorLine:
    code: str
    label: str
    scores: list  # per wave: weighted mean score or None
    change: float | None
    engagements: int


def survey_panel(engagements, volume: dict[str, int] | None = None) -> tuple[list[str], list[FactorLine]]:
    """Score per key factor for the last two waves (respondent-weighted over groups of 5 or more),
    the change between them, and the engagement volume on that factor in the dashboard's scope
    (counted here from `engagements` unless the caller gives it, key factor code → engagements)."""
    waves = list(SurveyResult.objects.values_list("year", "wave").distinct().order_by("-year", "-wave")[:2])[::-1]
    if not waves:
        return [], []
    totals = defaultdict(lambda: [Decimal(0), 0])
    results = SurveyResult.objects.filter(
        wave__in=[w for _y, w in waves], respondents__gte=SurveyResult.MIN_RESPONDENTS
    ).values_list("wave", "key_factor", "score", "respondents")
    for wave, factor, score, respondents in results:
        totals[(wave, factor)][0] += score * respondents
        totals[(wave, factor)][1] += respondents
    if volume is None:
        volume = dict(
            Engagement.key_factors.through.objects.filter(engagement__in=engagements)
            .values_list("keyfactor__code")
            .annotate(n=Count("pk"))
            .order_by()
        )
    lines = []
    for code, label in KeyFactorCode.choices:
        scores = []
        for _year, wave in waves:
            weighted, people = totals.get((wave, code), (0, 0))
            scores.append(round(float(weighted / people), 1) if people else None)
        change = round(scores[-1] - scores[0], 1) if len(scores) == 2 and None not in scores else None
        if any(s is not None for s in scores):
            lines.append(FactorLine(code, str(label), scores, change, volume.get(code, 0)))
    return [w for _y, w in waves], lines
