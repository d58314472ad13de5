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
# Canonical column → the header spellings accepted (compared after fold(): case, accents,
# spaces and punctuation aside). English headers of CONTRACT.md plus the French ones, and the
# variants other tools and offices write ("Raison sociale", "Tél. portable", "Dénomination"…).
# A header none of them names is left for the user to map (stakeholders/imports/mapping.py).
PHONE_HEADERS = [
    "phone",
    "telephone",
    "tel",
    "phone number",
    "numero de telephone",
    "tel portable",
    "telephone portable",
    "portable",
    "mobile",
    "tel mobile",
    "telephone mobile",
    "mobile phone",
    "cellulaire",
    "cell",
    "gsm",
    "tel fixe",
    "telephone fixe",
]
EMAIL_HEADERS = [
    "email",
    "e mail",
    "courriel",
    "mail",
    "email address",
    "e mail address",
    "adresse email",
    "adresse e mail",
    "adresse mail",
    "adresse electronique",
    "courrier electronique",
]
ORGANIZATION_COLUMNS = {
    "name": [
        "name",
        "nom",
        "organization",
        "organisation",
        "raison sociale",
        "denomination",
        "denomination sociale",
        "company",
        "company name",
        "organization name",
        "organisation name",
        "societe",
        "entreprise",
        "nom de l entreprise",
        "nom de la societe",
        "nom de l organisation",
        "structure",
    ],
    "acronym": ["acronym", "sigle", "abbreviation", "abreviation"],
    "type": ["type", "organization type", "type d organisation", "categorie", "category"],
    "sector": ["sector", "secteur", "secteur d activite", "activite", "industry"],
    "region": ["region"],
    "city": ["city", "ville", "town", "localite", "commune"],
    "address": ["address", "adresse", "adresse postale", "postal address", "siege", "siege social"],
    "email": EMAIL_HEADERS,
    "phone": PHONE_HEADERS,
    "website": ["website", "site web", "site internet", "web", "site", "url", "web site"],
    "registration_number": [
        "registration number",
        "numero d enregistrement",
        "registration",
        "rccm",
        "nif",
        "ninea",
        "ifu",
        "registre du commerce",
        "numero registre du commerce",
        "company number",
        "matricule",
    ],
    "aeo_status": ["aeo status", "statut oea", "aeo", "oea"],
    "influence": ["influence"],
    "interest": ["interest", "interet"],
    "preferred_language": ["preferred language", "language", "langue", "langue preferee"],
    "tags": ["tags", "tag", "etiquettes", "etiquette", "mots cles", "labels"],
    # A colleague's e-mail address. Not the French "responsable" alone: in a list of companies
    # that is often the company's own manager.
    "owner": ["owner", "relationship owner", "responsable de la relation", "suivi par", "agent de suivi"],
    # Free text kept with the organization: notes proper, and the columns a registry has no field
    # for but a reader wants kept, such as the person to ask for ("Contact principal").
    "notes": [
        "notes",
        "note",
        "observations",
        "observation",
        "remarques",
        "remarque",
        "commentaires",
        "commentaire",
        "comments",
        "comment",
        "remarks",
        "contact principal",
        "personne de contact",
        "personne a contacter",
        "interlocuteur",
        "main contact",
        "contact person",
    ],
}
CONTACT_COLUMNS = {
    "first_name": ["first name", "prenom", "prenoms", "prenom s", "given name", "firstname"],
    "last_name": ["last name", "nom", "surname", "family name", "nom de famille", "lastname"],
    "organization": [
        "organization",
        "organisation",
        "company",
        "entreprise",
        "societe",
        "raison sociale",
        "structure",
        "employeur",
        "employer",
    ],
    "job_title": ["job title", "fonction", "poste", "title", "titre", "position", "role"],
    "email": EMAIL_HEADERS,
    "phone": PHONE_HEADERS,
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


def cached_for_short_texts(function):
    """function(…, text) with its results cached_for_short_texts, for the columns that repeat a few values over
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


fold_value = cached_for_short_texts(fold)


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
        "prenoms",
        "firstname",
        "lastname",
    }
    return "contacts" if folded & contact_headers else "organizations"


# "N° RCCM", "Nº NIF", "No d'enregistrement", "Numéro RCCM": a word for "number" before the
# header proper. Registers' numbers are written that way in French.
_NUMBER_WORD = re.compile(r"^(n|no|nr|num|numero|number)\s+")


def field_of(title: str, aliases: dict[str, str]) -> str | None:
    folded = fold(title)
    if folded in aliases:
        return aliases[folded]
    bare = _NUMBER_WORD.sub("", folded)
    if bare == folded:
        return None
    return aliases.get(f"numero {bare}") or aliases.get(bare)


def recognise(header: list[str], kind: str) -> tuple[dict[int, str], list[str], list[str]]:
    """Map column positions to fields. Returns (position → field, ignored headers, file-level errors)."""
    mapping, ignored, errors = match_columns(header, columns_for(kind))
    return mapping, ignored, errors + missing_required(mapping, kind)


def missing_required(mapping: dict[int, str], kind: str) -> list[str]:
    """A message for each required field no column goes to."""
    return [
        _("The column %(field)s is missing (French header: %(fr)s).") % {"field": field, "fr": FRENCH_HEADERS[field]}
        for field in REQUIRED[kind]
        if field not in mapping.values()
    ]


# Headers that name notes as such; a note from any other column is kept with its header
# ("Contact principal: Awa Diop"), else it would not say what it is.
_NOTES_AS_SUCH = {"notes", "note", "observations", "observation", "remarques", "remarque", "commentaires"}
_NOTES_AS_SUCH |= {"commentaire", "comments", "comment", "remarks"}


def note_parser(header: str):
    """How a cell of the column sent to notes becomes a note: prefixed with its header, unless the
    header says it is a note."""
    if fold(header) in _NOTES_AS_SUCH or not header.strip():
        return lambda value: value
    return lambda value: f"{header.strip()}: {value}"


def match_columns(header: list[str], columns: dict[str, list[str]]) -> tuple[dict[int, str], list[str], list[str]]:
    """Map column positions to fields, given each field's header spellings (folded): the column
    reader of every import. Returns (position → field, ignored headers, a message for each field
    that two columns mean)."""
    aliases = {alias: field for field, names in columns.items() for alias in names}
    mapping, ignored, errors, seen = {}, [], [], {}
    for position, title in enumerate(header):
        field = field_of(title, aliases)
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
    return mapping, ignored, errors


def typed_cells(cells: list[str], mapping: dict[int, str]) -> dict[str, str]:
    """field → the text of its cell as typed, spaces around it aside ("" for a short row)."""
    return {field: (cells[position].strip() if position < len(cells) else "") for position, field in mapping.items()}


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
def choice_lookup(choices) -> dict[str, str]:
    """fold(code), fold(English label) and fold(French label) → code, for a TextChoices class: how
    an import reads a coded column."""
    lookup = {}
    for code, label in choices.choices:
        lookup[fold(code)] = code
        for language in ("en", "fr"):
            with translation.override(language):
                lookup[fold(str(label))] = code
    return lookup


@cached_for_short_texts
def parse_code(field: str, value: str) -> str:
    code = choice_lookup(CODE_FIELDS[field]).get(fold_value(value))
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


@cached_for_short_texts
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


@cached_for_short_texts
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


@cached_for_short_texts
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


@cached_for_short_texts
def parse_consent(value: str) -> bool:
    answer = CONSENT_VALUES.get(fold_value(value))
    if answer is None:
        raise CellError(_("«%(value)s» must be yes or no (also true/false, oui/non, 1/0).") % {"value": value})
    return answer


_TAG_SEPARATOR = re.compile(r"[;|]")


def split_tags(value: str) -> list[str]:
    return list(_tags_of(value))  # a list of its own for each row


@cached_for_short_texts
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
    "notes": "observations",
    "first_name": "prénom",
    "last_name": "nom",
    "organization": "organisation",
    "job_title": "fonction",
    "consent": "consentement",
}
