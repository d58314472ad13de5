"""Which column is which, and how each cell becomes a value (or a message for the user)."""

import functools
import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils import translation
from django.utils.translation import gettext as _

from stakeholders.choices import AeoStatus, OrganizationType, Sector, language_codes
from stakeholders.models import phone_validator
from stakeholders.normalize import fold

# Canonical column → the header spellings accepted (compared after fold(): case, accents,
# spaces and punctuation aside). English headers of CONTRACT.md plus the French ones.
ORGANIZATION_COLUMNS = {
    "name": ["name", "nom", "organization", "organisation", "raison sociale"],
    "acronym": ["acronym", "sigle"],
    "type": ["type", "organization type", "type d organisation"],
    "sector": ["sector", "secteur"],
    "region": ["region"],
    "city": ["city", "ville", "town"],
    "address": ["address", "adresse"],
    "email": ["email", "e mail", "courriel", "mail"],
    "phone": ["phone", "telephone", "tel"],
    "website": ["website", "site web", "site internet", "web"],
    "registration_number": [
        "registration number",
        "numero d enregistrement",
        "registration",
        "rccm",
        "nif",
        "ninea",
        "ifu",
        "registre du commerce",
    ],
    "aeo_status": ["aeo status", "statut oea", "aeo", "oea"],
    "influence": ["influence"],
    "interest": ["interest", "interet"],
    "preferred_language": ["preferred language", "language", "langue", "langue preferee"],
    "tags": ["tags", "tag", "etiquettes", "etiquette"],
    # A colleague's e-mail address. Not the French "responsable" alone: in a list of companies
    # that is often the company's own manager.
    "owner": ["owner", "relationship owner", "responsable de la relation", "suivi par", "agent de suivi"],
}
CONTACT_COLUMNS = {
    "first_name": ["first name", "prenom", "given name"],
    "last_name": ["last name", "nom", "surname", "family name", "nom de famille"],
    "organization": ["organization", "organisation", "company", "entreprise"],
    "job_title": ["job title", "fonction", "poste", "title"],
    "email": ["email", "e mail", "courriel", "mail"],
    "phone": ["phone", "telephone", "tel"],
    "preferred_language": ["preferred language", "language", "langue", "langue preferee"],
    "consent": ["consent", "consentement"],
}
REQUIRED = {"organizations": ["name"], "contacts": ["last_name"]}
MAX_LENGTHS = {
    "name": 200,
    "acronym": 30,
    "region": 100,
    "city": 100,
    "address": 300,
    "registration_number": 60,
    "first_name": 100,
    "last_name": 100,
    "job_title": 150,
    "email": 254,
    "website": 200,
    "organization": 200,
}


class CellError(Exception):
    """A cell that cannot be used; the message is for the user."""


def remembered(function):
    """function(…, text) with its results remembered, for the columns that repeat a few values over
    many rows (codes, scores, regions, phones, languages, tags): a large file would otherwise pay
    for the same check or normalisation once per cell. Only results for short texts are kept, and
    only so many, so memory stays bounded whatever the file holds. A CellError is never kept (its
    message is in the language of whoever reads it), so a bad value is checked, and told, each time.
    The function must give the same immutable result for the same arguments."""
    cached = functools.lru_cache(maxsize=4096)(function)

    @functools.wraps(function)
    def call(*args):
        return cached(*args) if len(args[-1]) <= 100 else function(*args)

    return call


fold_value = remembered(fold)


def columns_for(kind: str) -> dict[str, list[str]]:
    return ORGANIZATION_COLUMNS if kind == "organizations" else CONTACT_COLUMNS


def guess_kind(header: list[str]) -> str:
    folded = {fold(h) for h in header}
    contact_headers = {
        "first name",
        "prenom",
        "consent",
        "consentement",
        "job title",
        "fonction",
        "last name",
        "nom de famille",
        "surname",
        "given name",
    }
    return "contacts" if folded & contact_headers else "organizations"


# "N° RCCM", "Nº NIF", "No d'enregistrement", "Numéro RCCM": a word for "number" before the
# header proper. Registers' numbers are written that way in French.
_NUMBER_WORD = re.compile(r"^(n|no|nr|num|numero|number)\s+")


def _field_of(title: str, aliases: dict[str, str]) -> str | None:
    folded = fold(title)
    if folded in aliases:
        return aliases[folded]
    bare = _NUMBER_WORD.sub("", folded)
    if bare == folded:
        return None
    return aliases.get(f"numero {bare}") or aliases.get(bare)


def recognise(header: list[str], kind: str) -> tuple[dict[int, str], list[str], list[str]]:
    """Map column positions to fields. Returns (position → field, ignored headers, file-level errors)."""
    aliases = {alias: field for field, names in columns_for(kind).items() for alias in names}
    mapping, ignored, errors, seen = {}, [], [], {}
    for position, title in enumerate(header):
        field = _field_of(title, aliases)
        if field is None:
            if title.strip():
                ignored.append(title)
            continue
        if field in seen:
            errors.append(
                _("Two columns mean %(field)s: «%(a)s» and «%(b)s».") % {"field": field, "a": seen[field], "b": title}
            )
            continue
        seen[field] = title
        mapping[position] = field
    errors.extend(
        _("The column %(field)s is missing (French header: %(fr)s).") % {"field": field, "fr": FRENCH_HEADERS[field]}
        for field in REQUIRED[kind]
        if field not in seen
    )
    return mapping, ignored, errors


def looks_like_header(cells: list[str]) -> bool:
    """Whether a row holds column names: those of an organization's or a person's name at least.
    What finds the header row below a title."""
    return any(field in REQUIRED[kind] for kind in REQUIRED for field in recognise(cells, kind)[0].values())


# A total: "Total", "TOTAL : 7 entreprises", "Sous-total", "Total général 12", "Nombre total : 7"
# (folded), but not "Total Mali SA", a company.
_TOTAL = re.compile(r"^(nombre |sous |grand )?(total|totaux|totals|totale?s?)( general| generale)?( \d.*)?$")


def left_out(cells: list[str], mapping: dict[int, str], required: str) -> str:
    """Why a row is not data ("" when it is): a total, or a note written in the first column only
    ("Source : …"). A name alone in the first column, when that column holds the names, is data,
    unless it reads like a note (a colon)."""
    filled = [(position, cell.strip()) for position, cell in enumerate(cells) if cell.strip()]
    if not filled:
        return ""
    if _TOTAL.match(fold(filled[0][1])):
        return _("looks like a total")
    position, text = filled[0]
    if len(filled) == 1 and position == 0 and (mapping.get(0) != required or ":" in text):
        return _("looks like a note")
    return ""


CODE_FIELDS = {"type": OrganizationType, "sector": Sector, "aeo_status": AeoStatus}


@functools.cache
def _code_lookup(field: str) -> dict[str, str]:
    """fold(code), fold(English label) and fold(French label) → code."""
    choices = CODE_FIELDS[field]
    lookup = {}
    for code, label in choices.choices:
        lookup[fold(code)] = code
        for language in ("en", "fr"):
            with translation.override(language):
                lookup[fold(str(label))] = code
    return lookup


@remembered
def parse_code(field: str, value: str) -> str:
    code = _code_lookup(field).get(fold_value(value))
    if code is None:
        examples = ", ".join(CODE_FIELDS[field].values[:3])
        raise CellError(
            _(
                "«%(value)s» is not a known value. Use a code (%(examples)s…) or its English or French label; "
                "the import page lists them all."
            )
            % {"value": value, "examples": examples}
        )
    return code


@remembered
def parse_score(value: str) -> int:
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        number = None
    if number is None or not number.is_integer() or not 1 <= number <= 5:
        raise CellError(_("«%(value)s» must be a whole number from 1 to 5.") % {"value": value})
    return int(number)


def parse_email(value: str) -> str:
    try:
        validate_email(value)
    except ValidationError:
        raise CellError(_("«%(value)s» is not a valid e-mail address.") % {"value": value}) from None
    return value.lower()


@remembered
def parse_phone(value: str) -> str:
    try:
        phone_validator(value)
    except ValidationError:
        raise CellError(
            _("«%(value)s» is not a phone number (digits, spaces and + ( ) . - / only).") % {"value": value}
        ) from None
    return value


_HAS_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)
_validate_url = URLValidator(schemes=["http", "https"])  # built once: it compiles its patterns


def parse_website(value: str) -> str:
    url = value if _HAS_SCHEME.match(value) else f"https://{value}"
    try:
        _validate_url(url)
    except ValidationError:
        raise CellError(_("«%(value)s» is not a web address.") % {"value": value}) from None
    if len(url) > 200:
        raise CellError(_("is longer than %(limit)s characters.") % {"limit": 200})
    return url


@functools.cache
def _language_lookup() -> tuple[frozenset, dict[str, str]]:
    """(the ISO 639-1 codes, fold(language name) → code), built once: building them walks every
    language Django knows, which cost more than the rest of a row's checks."""
    codes = language_codes()
    by_name = {fold(name): code for code, name in codes.items()}
    by_name.update({"french": "fr", "francais": "fr", "english": "en", "anglais": "en"})
    return frozenset(codes), by_name


@remembered
def parse_language(value: str) -> str:
    codes, by_name = _language_lookup()
    code = value.strip().lower()
    if code in codes:
        return code
    if fold_value(value) in by_name:
        return by_name[fold_value(value)]
    raise CellError(_("«%(value)s» is not a two-letter ISO 639-1 language code, such as fr or en.") % {"value": value})


CONSENT_VALUES = {
    "yes": True,
    "y": True,
    "true": True,
    "oui": True,
    "o": True,
    "1": True,
    "no": False,
    "n": False,
    "false": False,
    "non": False,
    "0": False,
}


@remembered
def parse_consent(value: str) -> bool:
    answer = CONSENT_VALUES.get(fold_value(value))
    if answer is None:
        raise CellError(_("«%(value)s» must be yes or no (also true/false, oui/non, 1/0).") % {"value": value})
    return answer


_TAG_SEPARATOR = re.compile(r"[;|]")


def split_tags(value: str) -> list[str]:
    return list(_tags_of(value))  # a list of its own for each row


@remembered
def _tags_of(value: str) -> tuple[str, ...]:
    tags = tuple(part.strip() for part in _TAG_SEPARATOR.split(value) if part.strip())
    for tag in tags:
        if len(tag) > 80:
            raise CellError(_("the tag «%(tag)s…» is longer than 80 characters.") % {"tag": tag[:20]})
    return tags


def check_length(field: str, value: str) -> str:
    limit = MAX_LENGTHS.get(field)
    if limit and len(value) > limit:
        raise CellError(_("is longer than %(limit)s characters.") % {"limit": limit})
    return value


# The French header of each column, as the import page shows it and the missing-column message
# names it: the words a French spreadsheet would use. Each one folds to an alias above (a test
# checks it), so a file made from the page is read back.
FRENCH_HEADERS = {
    "name": "nom",
    "acronym": "sigle",
    "type": "type d’organisation",
    "sector": "secteur",
    "region": "région",
    "city": "ville",
    "address": "adresse",
    "email": "courriel",
    "phone": "téléphone",
    "website": "site web",
    "registration_number": "numéro d’enregistrement",
    "aeo_status": "statut OEA",
    "influence": "influence",
    "interest": "intérêt",
    "preferred_language": "langue",
    "tags": "étiquettes",
    "owner": "suivi par",
    "first_name": "prénom",
    "last_name": "nom",
    "organization": "organisation",
    "job_title": "fonction",
    "consent": "consentement",
}
