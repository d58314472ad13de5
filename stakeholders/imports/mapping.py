"""Which field each column of a spreadsheet goes to: guessed, chosen by the user, remembered.

The guesses, first that answers: what this user chose last time for the same headers; the header
itself (the spellings of columns.py); the values (e-mail addresses, web addresses, registration
numbers, phone numbers, known regions, codes, languages…). A column nothing recognises stays
undecided, and the page asks the user to pick a field or "leave out": no column is dropped
without the user deciding. A mapping that sends two columns to one field, or no column to a
required field, is refused with a message naming the columns.
"""

import hashlib
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crm.lib.reading import Table
from crm.models import User
from stakeholders.imports import columns as col
from stakeholders.models import Contact, ImportMapping, Organization, Region, phone_validator
from stakeholders.normalize import fold

LEAVE_OUT = "-"
MEMORY, HEADER, VALUES, EMPTY = "memory", "header", "values", "empty"
SAMPLES = 3  # values shown beside each column
LOOKED_AT = 30  # non-empty values of each column the guesses read
ROWS_LOOKED_AT = 1000
MOSTLY = 0.8  # the share of a column's values a kind of value must have to name the column


@dataclass
class ColumnGuess:
    position: int
    header: str
    values: list[str] = field(default_factory=list)  # the first non-empty values, up to LOOKED_AT
    field: str = ""  # a field, LEAVE_OUT, or "" when nothing recognised the column
    source: str = ""  # MEMORY, HEADER, VALUES or EMPTY: what the guess came from

    @property
    def samples(self) -> list[str]:
        """The first few different values: what the page shows beside the column."""
        return list(dict.fromkeys(self.values))[:SAMPLES]

    @property
    def label(self) -> str:
        return column_label(self.position, self.header)


@dataclass
class MappingProblem:
    message: str  # the whole problem, naming the columns concerned
    per_column: dict[int, str] = field(default_factory=dict)  # what to say beside each column concerned
    field: str = ""  # the field concerned: one two columns go to, or a required one none goes to


class MappingRefused(Exception):
    """A mapping that cannot be used; str() is one line for the user."""

    def __init__(self, problems: list[MappingProblem]):
        self.problems = problems
        super().__init__("; ".join(problem.message for problem in problems))


# The fields and their names ------------------------------------------------------------------


def target_fields(kind: str) -> list[str]:
    return list(col.columns_for(kind))


_LABELS = {
    "owner": lambda: _("Relationship owner (a colleague's e-mail)"),
    "organization": lambda: _("Organization (registration number or name)"),
    "tags": lambda: _("Tags (separated by ; or |)"),
}


def field_label(kind: str, name: str) -> str:
    """The field as the user knows it, in their language ("Registration number")."""
    if name in _LABELS:
        return _LABELS[name]()
    model = Organization if kind == "organizations" else Contact
    return capfirst(str(getattr(model._meta.get_field(name), "verbose_name", name)))


def choice_label(kind: str, name: str) -> str:
    """The field as the list of fields offers it: "Name (required)"."""
    label = field_label(kind, name)
    return _("%(field)s (required)") % {"field": label} if name in col.REQUIRED[kind] else label


def column_label(position: int, header: str) -> str:
    """A column as the user sees it: its header, else its letter in a spreadsheet ("column C")."""
    if header.strip():
        return header.strip()
    letters, number = "", position + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return _("column %(letter)s") % {"letter": letters}


# Memory --------------------------------------------------------------------------------------


def headers_key(header: list[str]) -> str:
    """The same for two files whose headers read the same, in the same order, case, accents and
    punctuation aside."""
    return hashlib.sha256("\x1f".join(fold(title) for title in header).encode()).hexdigest()


def remembered(user: User, kind: str, header: list[str]) -> list[str] | None:
    """The fields this user chose for these headers last time, if they still make sense."""
    memory = ImportMapping.objects.filter(user=user, kind=kind, headers_key=headers_key(header)).first()
    if memory is None or len(memory.fields) != len(header):
        return None
    allowed = {*target_fields(kind), LEAVE_OUT}
    return list(memory.fields) if all(name in allowed for name in memory.fields) else None


def remembered_kind(user: User, header: list[str]) -> str | None:
    """What this user said such a file holds last time, when they said it for one kind only."""
    kinds = set(ImportMapping.objects.filter(user=user, headers_key=headers_key(header)).values_list("kind", flat=True))
    return kinds.pop() if len(kinds) == 1 else None


@transaction.atomic
def remember(*, user: User, kind: str, header: list[str], fields: list[str]) -> ImportMapping:
    """Keep a mapping the user confirmed, for their next file with the same headers."""
    memory, _created = ImportMapping.objects.update_or_create(
        user=user,
        kind=kind,
        headers_key=headers_key(header),
        defaults={"headers": list(header), "fields": list(fields)},
    )
    return memory


# Guesses -------------------------------------------------------------------------------------


def guess_columns(table: Table, kind: str, user: User | None = None) -> list[ColumnGuess]:
    """Each column of the table with its first values and the field it most likely holds."""
    guesses = [ColumnGuess(position, title) for position, title in enumerate(table.header)]
    _read_values(table, guesses)
    memory = remembered(user, kind, table.header) if user is not None else None
    if memory is not None:
        for guess, name in zip(guesses, memory, strict=True):
            guess.field, guess.source = name, MEMORY
        return guesses
    aliases = {alias: name for name, names in col.columns_for(kind).items() for alias in names}
    taken: set[str] = set()
    for guess in guesses:
        recognised = col.field_of(guess.header, aliases)
        if recognised and recognised not in taken:  # a second column of the same name is the user's to decide
            guess.field, guess.source = recognised, HEADER
            taken.add(recognised)
    for guess in guesses:
        if guess.field:
            continue
        if not guess.values:
            guess.field, guess.source = LEAVE_OUT, EMPTY  # nothing in it to lose
        elif name := guess_from_values(guess.values, kind, taken):
            guess.field, guess.source = name, VALUES
            taken.add(name)
    return guesses


def _read_values(table: Table, guesses: list[ColumnGuess]) -> None:
    """The first non-empty values of each column, rows that are totals or notes aside."""
    for _number, cells in table.rows[:ROWS_LOOKED_AT]:
        if col.left_out(cells, {}, ""):
            continue
        for guess, cell in zip(guesses, cells, strict=False):
            if cell.strip() and len(guess.values) < LOOKED_AT:
                guess.values.append(cell.strip())


def guess_from_values(values: list[str], kind: str, taken: Collection[str] = ()) -> str:
    """The field most of these values look like (LEAVE_OUT for running numbers), "" for none.
    Fields in `taken` are not offered again."""
    if _running_numbers(values):
        return LEAVE_OUT
    allowed = set(target_fields(kind)) - set(taken)
    for name, looks_like in _VALUE_CHECKS:
        if name in allowed and _mostly(values, looks_like):
            return name
    if "region" in allowed:  # last: it asks the database
        regions = frozenset(Region.objects.values_list("key", flat=True))
        if _mostly(values, lambda value: col.fold_value(value) in regions):
            return "region"
    return ""


def _mostly(values: list[str], looks_like: Callable[[str], bool]) -> bool:
    return bool(values) and sum(1 for value in values if looks_like(value)) >= MOSTLY * len(values)


def _running_numbers(values: list[str]) -> bool:
    """1, 2, 3…: the running number of a printed list, nothing to import. A list of one row
    counts from 1."""
    if not values or not all(value.isdigit() and len(value) < 10 for value in values):
        return False
    numbers = [int(value) for value in values]
    if len(numbers) == 1 and numbers[0] != 1:
        return False
    return numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def _is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


_WEB_ADDRESS = re.compile(r"^(https?://)?(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}(:\d+)?(/\S*)?$", re.I)


def _is_web_address(value: str) -> bool:
    return "@" not in value and bool(_WEB_ADDRESS.match(value))


# A trade register number (RCCM "SN-DKR-2019-B-12345", "RC-THI-001000"), a tax number with a
# letter ("00012345A"), or a NINEA with its COFI code ("004512345 2G3"): groups of capitals and
# digits, at least four digits and one letter, joined by - / or . but no space (an address
# "BP 1213" is none). Digits alone could as well be a phone number: not guessed.
_REGISTRATION = re.compile(r"^[A-Z0-9]+([-/.][A-Z0-9]+)*$")
_NINEA = re.compile(r"^\d{7,9}\s?\d[A-Z]\d$")


def _is_registration_number(value: str) -> bool:
    text = value.strip().upper()
    if _NINEA.match(text):
        return True
    digits = sum(ch.isdigit() for ch in text)
    return digits >= 4 and any(ch.isalpha() for ch in text) and bool(_REGISTRATION.match(text))


_PHONE_GROUPS = re.compile(r"\d[ .\-/]\d")


def _is_phone(value: str) -> bool:
    """A phone number as people write one: with its country code, or in groups of digits."""
    try:
        phone_validator(value)
    except ValidationError:
        return False
    digits = sum(ch.isdigit() for ch in value)
    written_as_phone = value.startswith(("+", "00", "(")) or bool(_PHONE_GROUPS.search(value))
    return 8 <= digits <= 15 and written_as_phone


def _code_check(name: str) -> Callable[[str], bool]:
    return lambda value: col.fold_value(value) in col.choice_lookup(col.CODE_FIELDS[name])


_LANGUAGES = {"fr", "en", "ar", "pt", "es", "french", "english", "francais", "anglais", "arabe", "arabic"}


def _is_language(value: str) -> bool:
    return col.fold_value(value) in _LANGUAGES


def _is_yes_or_no(value: str) -> bool:
    return not value.isdigit() and col.fold_value(value) in col.CONSENT_VALUES


_VALUE_CHECKS: list[tuple[str, Callable[[str], bool]]] = [
    ("email", _is_email),
    ("website", _is_web_address),
    ("registration_number", _is_registration_number),
    ("phone", _is_phone),
    ("type", _code_check("type")),
    ("sector", _code_check("sector")),
    ("aeo_status", _code_check("aeo_status")),
    ("preferred_language", _is_language),
    ("consent", _is_yes_or_no),
]


# Checking a mapping --------------------------------------------------------------------------


def check_mapping(
    header: list[str], fields: list[str], kind: str, label: Callable[[str, str], str] = field_label
) -> list[MappingProblem]:
    """What is wrong with sending column i of `header` to fields[i] ("" undecided, LEAVE_OUT left
    out): a column undecided, a field unknown, two columns to one field, a required field that no
    column goes to. An empty list: the mapping can be used. `label(kind, field)` names a field in
    the messages."""
    problems = _undecided_or_unknown(header, fields, kind)
    by_field: dict[str, list[int]] = {}  # a field → the columns that go to it
    for position, name in enumerate(fields):
        if name and name != LEAVE_OUT:
            by_field.setdefault(name, []).append(position)
    for name, positions in by_field.items():
        if len(positions) > 1:
            problems.append(_same_field(header, positions, name, label(kind, name)))
    for name in col.REQUIRED[kind]:
        if name not in by_field:
            message = _("No column goes to %(field)s, which is required: choose the column that holds it.")
            problems.append(MappingProblem(message % {"field": label(kind, name)}, field=name))
    return problems


def _undecided_or_unknown(header: list[str], fields: list[str], kind: str) -> list[MappingProblem]:
    allowed = {*target_fields(kind), LEAVE_OUT}
    problems = []
    for position, name in enumerate(fields):
        column = column_label(position, header[position] if position < len(header) else "")
        if not name:
            problems.append(
                MappingProblem(
                    _("Choose a field, or “Leave out”, for the column «%(column)s».") % {"column": column},
                    {position: _("Choose a field, or “Leave out”.")},
                )
            )
        elif name not in allowed:
            message = _("«%(field)s» is not a field of this import; the fields are: %(fields)s.") % {
                "field": name,
                "fields": ", ".join(target_fields(kind)),
            }
            problems.append(MappingProblem(message, {position: message}))
    return problems


def _same_field(header: list[str], positions: list[int], name: str, label: str) -> MappingProblem:
    names = [column_label(position, header[position]) for position in positions]
    message = _(
        "The columns %(columns)s all go to %(field)s: keep one, and choose another field or “Leave out” for the others."
    ) % {
        "columns": ", ".join(f"«{name}»" for name in names),
        "field": label,
    }
    per_column = {}
    for index, position in enumerate(positions):
        others = [f"«{other}»" for i, other in enumerate(names) if i != index]
        per_column[position] = ngettext(
            "goes to %(field)s, as the column %(others)s does: keep one of them, and choose another field or “Leave out” for the other.",
            "goes to %(field)s, as the columns %(others)s do: keep one of them, and choose another field or “Leave out” for the others.",
            len(others),
        ) % {"field": label, "others": ", ".join(others)}
    return MappingProblem(message, per_column, field=name)


def used_columns(fields: list[str]) -> dict[int, str]:
    """Column position → field, for the columns not left out: what the preview reads."""
    return {position: name for position, name in enumerate(fields) if name and name != LEAVE_OUT}


# The command's --map ------------------------------------------------------------------------


def guess_kind(header: list[str], given: dict[str, str]) -> str:
    """Contacts when the headers or the --map fields say so, else organizations."""
    contact_only = set(col.CONTACT_COLUMNS) - set(col.ORGANIZATION_COLUMNS)
    return "contacts" if set(given.values()) & contact_only else col.guess_kind(header)


def parse_map_options(options: list[str]) -> dict[str, str]:
    """["Raison sociale=name", "N°=-"] → {header as typed: field or LEAVE_OUT}. Raises
    MappingRefused for an option without "=", or two options for one column."""
    given: dict[str, str] = {}
    for option in options:
        header, sign, name = option.partition("=")
        header, name = header.strip(), name.strip() or LEAVE_OUT
        if not sign or not fold(header):
            raise MappingRefused([MappingProblem(f'--map "{option}": write it as "HEADER=field" (or "HEADER=-").')])
        twice = next((other for other in given if fold(other) == fold(header) and given[other] != name), None)
        if twice is not None:
            raise MappingRefused(
                [MappingProblem(f'--map "{twice}={given[twice]}" and --map "{option}" say two things of one column.')]
            )
        given[header] = name
    return given


def command_mapping(header: list[str], given: dict[str, str], kind: str) -> tuple[dict[int, str], list[str]]:
    """The command's columns: those --map names as it says, the others by their header. Returns
    (position → field, the headers nothing recognised). Raises MappingRefused."""
    folded = [fold(title) for title in header]
    wanted = {fold(title): name for title, name in given.items()}
    problems = [
        MappingProblem(f'--map "{title}={name}": the file has no column "{title}" (its columns: {", ".join(header)}).')
        for title, name in given.items()
        if fold(title) not in folded
    ]
    allowed = target_fields(kind)
    problems += [
        MappingProblem(f'--map "{title}={name}": "{name}" is not a field of {kind} (fields: {", ".join(allowed)}).')
        for title, name in given.items()
        if name not in (*allowed, LEAVE_OUT)
    ]
    if problems:
        raise MappingRefused(problems)
    aliases = {alias: name for name, names in col.columns_for(kind).items() for alias in names}
    fields, unrecognised = [], []
    for title, key in zip(header, folded, strict=True):
        name = wanted.get(key) or col.field_of(title, aliases) or LEAVE_OUT
        if name == LEAVE_OUT and key not in wanted and title.strip():
            unrecognised.append(title)
        fields.append(name)
    if problems := check_mapping(header, fields, kind):
        raise MappingRefused([_for_the_command(problem, header, fields) for problem in problems])
    return used_columns(fields), unrecognised


def _for_the_command(problem: MappingProblem, header: list[str], fields: list[str]) -> MappingProblem:
    """The problem in the command's words: which --map would put it right."""
    if not problem.field:
        return problem
    columns = [header[position] for position, name in enumerate(fields) if name == problem.field]
    if not columns:
        return MappingProblem(
            f'no column goes to {problem.field}, which is required: add --map "HEADER={problem.field}"'
        )
    named = " and ".join(f'"{title}"' for title in columns)
    return MappingProblem(
        f'columns {named} all go to {problem.field}: keep one, and add --map "{columns[-1]}=-" (or another field) '
        "for the others"
    )
