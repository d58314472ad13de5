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
from stakeholders.normalize import fold

COLUMNS = ["wave", "year", "respondent_group", "key_factor", "score", "respondents"]


@dataclass
class SurveyImport:
    rows: list[dict]
    problems: list[str]


def _key_factors() -> dict[str, str]:
    from django.utils import translation

    lookup = {}
    for code, label in KeyFactorCode.choices:
        lookup[fold(code)] = code
        for language in ("en", "fr"):
            with translation.override(language):
                lookup[fold(str(label))] = code
    return lookup


def check_survey_file(data: bytes, filename: str) -> SurveyImport:  # noqa: C901 -- split on branch i15-rules
    """Raises ImportFileError for an unreadable file; otherwise every row's problems, named."""
    table = read_table(data, filename)
    positions = {fold(name): index for index, name in enumerate(table.header)}
    missing = [c for c in COLUMNS if fold(c) not in positions]
    if missing:
        return SurveyImport([], [_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)}])
    factors = _key_factors()
    rows, problems = [], []
    first_row, years = {}, {}
    for number, cells in table.rows:

        def cell(name, cells=cells):
            index = positions[fold(name)]
            return cells[index].strip() if index < len(cells) else ""

        row = {"wave": cell("wave"), "respondent_group": cell("respondent_group")}
        try:
            row["year"] = int(cell("year"))
            if not 1990 <= row["year"] <= 2100:
                raise ValueError
        except ValueError:
            problems.append(f"row {number}: year: " + _("«%(value)s» is not a year.") % {"value": cell("year")})
        if len(row["wave"]) > 100 or len(row["respondent_group"]) > 100:
            problems.append(f"row {number}: wave: " + _("the wave and the group are at most 100 characters."))
        row["key_factor"] = factors.get(fold(cell("key_factor")))
        if row["key_factor"] is None:
            problems.append(
                f"row {number}: key_factor: "
                + _("«%(value)s» is not a key factor code.") % {"value": cell("key_factor")}
            )
        try:
            row["score"] = Decimal(cell("score").replace(",", "."))
            if not 0 <= row["score"] <= 100:
                raise InvalidOperation
        except InvalidOperation:
            problems.append(
                f"row {number}: score: " + _("«%(value)s» must be a number from 0 to 100.") % {"value": cell("score")}
            )
        try:
            row["respondents"] = int(cell("respondents"))
            if row["respondents"] < SurveyResult.MIN_RESPONDENTS:
                problems.append(
                    f"row {number}: respondents: "
                    + ngettext(
                        "%(n)s respondent: a group under 5 is never stored or shown, so that nobody can be identified.",
                        "%(n)s respondents: a group under 5 is never stored or shown, so that nobody can be identified.",
                        row["respondents"],
                    )
                    % {"n": row["respondents"]}
                )
        except ValueError:
            problems.append(
                f"row {number}: respondents: "
                + _("«%(value)s» is not a whole number.") % {"value": cell("respondents")}
            )
        if not row["wave"] or not row["respondent_group"]:
            problems.append(f"row {number}: wave: " + _("the wave and the respondent group are required."))
        key = (row["wave"], row["respondent_group"], row.get("key_factor"))
        if key in first_row:
            problems.append(
                f"row {number}: key_factor: "
                + _("the same wave, group and key factor as row %(row)s.") % {"row": first_row[key]}
            )
        first_row.setdefault(key, number)
        if row["wave"] in years and row.get("year") is not None and years[row["wave"]] != row["year"]:
            problems.append(
                f"row {number}: year: "
                + _("a wave has one year; «%(wave)s» has %(year)s above.")
                % {"wave": row["wave"], "year": years[row["wave"]]}
            )
        if row.get("year") is not None:
            years.setdefault(row["wave"], row["year"])
        rows.append(row)
    return SurveyImport(rows, problems)


@transaction.atomic
def import_survey(data: bytes, filename: str) -> SurveyImport:
    """All or nothing: rows are written only when no row has a problem."""
    checked = check_survey_file(data, filename)
    if checked.problems:
        return checked
    changes.changed()  # bulk writes send no model signal
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


def survey_panel(engagements) -> tuple[list[str], list[FactorLine]]:
    """Score per key factor for the last two waves (respondent-weighted over groups of 5 or more),
    the change between them, and the engagement volume on that factor in the dashboard's scope."""
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
