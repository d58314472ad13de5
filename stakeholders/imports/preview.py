"""Classify every row of an import as new, update, duplicate or error, before anything is written.

Duplicates are found by registration number, else e-mail, else normalised name (contacts: e-mail,
else name within the organization), within the file and against the database. The database is
asked once per batch of rows, never once per row.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from crm.accounts.selectors import colleagues
from crm.lib.reading import Table
from stakeholders.imports import columns as col
from stakeholders.models import Contact, Organization, Region, Tag
from stakeholders.normalize import fold, name_key, registration_key

BATCH = 500
NEW, UPDATE, DUPLICATE, ERROR = "new", "update", "duplicate", "error"


@dataclass
class Problem:
    row: int
    column: str  # the field
    message: str
    header: str = ""  # the file's own name for that column, for the page (name_columns())

    def __str__(self):
        return f"row {self.row}: {self.column}: {self.message}"


@dataclass
class LeftOut:
    """A row that is not data (a total, a note): named to the user, never imported."""

    row: int
    reason: str
    text: str  # its cells as typed, joined

    def __str__(self):
        return f"row {self.row}: left out, {self.reason}"


@dataclass
class RowPreview:
    number: int
    cells: dict[str, str]  # field → the text as typed
    values: dict[str, Any] = field(default_factory=dict)  # field → parsed value (blank cells left out)
    problems: list[Problem] = field(default_factory=list)
    status: str = NEW
    match: Any = None  # the existing record it updates or repeats
    changes: list[str] = field(default_factory=list)
    note: str = ""
    key: tuple = ()  # (key kind, key) that finds its duplicates; set once by classify()

    def fail(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.number, column, message))
        self.status = ERROR


@dataclass
class ImportPreview:
    kind: str
    columns: dict[str, str] = field(default_factory=dict)  # field → header as written
    ignored: list[str] = field(default_factory=list)
    mapped: bool = False  # the columns were chosen by the user (ignored: those they left out)
    notices: list[str] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    rows: list[RowPreview] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    new_regions: list[str] = field(default_factory=list)
    new_tags: list[str] = field(default_factory=list)
    # Duplicate keys seen so far → first row number; shared by the batches of a streamed file.
    seen: dict = field(default_factory=dict, repr=False)

    @property
    def problems(self) -> list[Problem]:
        return [problem for row in self.rows for problem in row.problems]

    @property
    def counts(self) -> Counter:
        return Counter(row.status for row in self.rows)

    @property
    def is_valid(self) -> bool:
        return not self.file_errors and not any(row.status == ERROR for row in self.rows)


def build_preview(
    table: Table, kind: str | None = None, seen: dict | None = None, mapping: dict[int, str] | None = None
) -> ImportPreview:
    """Classify the rows of `table`. A file read in batches passes the same `seen` to every batch,
    so a row repeating one of an earlier batch is still a duplicate. `mapping` (column position →
    field, as the user chose it) replaces the recognition of headers; columns it leaves out are
    not read."""
    preview = parse_table(table, kind, seen, mapping)
    if not preview.file_errors:
        classify(preview)
        name_columns(preview)
    return preview


def parse_table(
    table: Table, kind: str | None = None, seen: dict | None = None, mapping: dict[int, str] | None = None
) -> ImportPreview:
    """Recognise the columns and check every cell, without asking the database. Kept apart from
    classify() so that a streamed import can check the cells once and keep their values for its
    write pass (service.import_path)."""
    kind = kind or col.guess_kind(table.header)
    preview = ImportPreview(kind=kind, notices=list(table.notices))
    if seen is not None:
        preview.seen = seen
    if mapping is None:
        mapping, preview.ignored, preview.file_errors = col.recognise(table.header, kind)
    else:
        preview.mapped = True
        preview.ignored = [
            title for position, title in enumerate(table.header) if position not in mapping and title.strip()
        ]
        preview.file_errors = col.missing_required(mapping, kind)
    preview.columns = {fieldname: table.header[position] for position, fieldname in mapping.items()}
    if preview.file_errors:
        return preview
    required = "name" if kind == "organizations" else "last_name"
    for number, cells in table.rows:
        if reason := col.left_out(cells, mapping, required):
            preview.left_out.append(LeftOut(number, reason, " · ".join(c.strip() for c in cells if c.strip())))
            continue
        typed = col.typed_cells([_unescape(cell) for cell in cells], mapping)
        preview.rows.append(RowPreview(number=number, cells=typed))
    parsers = ORG_PARSERS if kind == "organizations" else CONTACT_PARSERS
    if "notes" in preview.columns:
        parsers = {**parsers, "notes": col.note_parser(preview.columns["notes"])}
    for row in preview.rows:
        _parse(row, parsers, required)
    return preview


def name_columns(preview: ImportPreview) -> None:
    """Give each problem the file's own name for its column, which the page shows: the user
    knows "Tél. portable", not "phone"."""
    for problem in preview.problems:
        problem.header = preview.columns.get(problem.column, problem.column)


def classify(preview: ImportPreview) -> None:
    """New, update, duplicate or error for every parsed row: against the rows before it
    (preview.seen) and against the database, which is asked once per batch of rows."""
    if preview.kind == "organizations":
        _organizations(preview)
    else:
        _contacts(preview)


def _unescape(cell: str) -> str:
    """Exports put an apostrophe before a cell that a spreadsheet would run as a formula
    ("'+223 …"); reading our own export back takes it away again."""
    if cell.startswith("'") and cell[1:2] in ("=", "+", "-", "@", "\t", "\r"):
        return cell[1:]
    return cell


def _batches(items: list, size: int = BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


# Organizations -------------------------------------------------------------------------------

ORG_PARSERS = {
    "type": lambda v: col.parse_code("type", v),
    "sector": lambda v: col.parse_code("sector", v),
    "aeo_status": lambda v: col.parse_code("aeo_status", v),
    "influence": col.parse_score,
    "interest": col.parse_score,
    "email": col.parse_email,
    "phone": col.parse_phone,
    "website": col.parse_website,
    "preferred_language": col.parse_language,
    "tags": col.split_tags,
    "owner": col.parse_email,
}


def _as_typed(text: str) -> str:
    """The value of a column that needs no parsing (names, addresses…): the text itself."""
    return text


def _parse(row: RowPreview, parsers: dict, required: str) -> None:
    for fieldname, text in row.cells.items():
        if not text:
            continue
        try:
            col.check_length(fieldname, text)
            row.values[fieldname] = parsers.get(fieldname, _as_typed)(text)
        except col.CellError as error:
            row.fail(fieldname, str(error))
    if not row.cells.get(required):
        row.fail(required, _("is required."))


def _org_key(values: dict) -> tuple[str, str]:
    if values.get("registration_number"):
        return "registration_number", registration_key(values["registration_number"])
    if values.get("email"):
        return "email", values["email"].lower()
    return "name", name_key(values.get("name", ""))


def _set_keys(rows: list[RowPreview], key_of) -> None:
    """Each row's duplicate key, worked out once: the file, the database and the final pass all
    compare it."""
    for row in rows:
        if row.status != ERROR:
            row.key = key_of(row.values)


def _organizations(preview: ImportPreview) -> None:
    _resolve_owners(preview.rows)
    _set_keys(preview.rows, _org_key)
    _mark_file_duplicates(
        preview.rows,
        {
            "registration_number": _("same registration number as row %(row)s"),
            "email": _("same e-mail as row %(row)s"),
            "name": _("same name as row %(row)s"),
        },
        first_row=preview.seen,
    )
    candidates = [row for row in preview.rows if row.status == NEW]
    found = _existing_organizations(candidates)
    regions = {region.key: region for region in Region.objects.all()}
    tag_keys = set(Tag.objects.values_list("key", flat=True))
    new_regions, new_tags = {}, {}
    for row in preview.rows:
        if row.status == ERROR:
            continue
        if (region := row.values.get("region")) and col.fold_value(region) not in regions:
            new_regions.setdefault(col.fold_value(region), region)
        for tag in row.values.get("tags", []):
            if col.fold_value(tag) not in tag_keys:
                new_tags.setdefault(col.fold_value(tag), tag)
        if row.status != NEW:
            continue
        key = row.key
        match = found.get(key)
        if isinstance(match, list):
            row.fail(key[0], _("matches several organizations; add the registration number to choose one."))
        elif match is not None:
            _compare(row, match, regions)
    preview.new_regions = sorted(new_regions.values())
    preview.new_tags = sorted(new_tags.values())


def _resolve_owners(rows: list[RowPreview]) -> None:
    """The owner column names a colleague by e-mail address, as the organization form does."""
    wanted = sorted({row.values["owner"] for row in rows if row.values.get("owner")})
    users: dict[str, int] = {}
    for batch in _batches(wanted):
        users.update(colleagues().annotate(k=Lower("email")).filter(k__in=batch).values_list("k", "pk"))
    for row in rows:
        if owner := row.values.get("owner"):
            if owner in users:
                row.values["owner_id"] = users[owner]
            else:
                row.fail("owner", _("No active user with a role has this e-mail address."))


def _mark_file_duplicates(rows: list[RowPreview], notes: dict, first_row: dict) -> None:
    for row in rows:
        if row.status == ERROR:
            continue
        key = row.key
        if not key[1]:
            continue
        if key in first_row:
            row.status, row.note = DUPLICATE, notes[key[0]] % {"row": first_row[key]}
        else:
            first_row[key] = row.number


def _existing_organizations(rows: list[RowPreview]) -> dict[tuple, Any]:
    """(key kind, key) → Organization, or a list when several share an e-mail or name.

    A record merged into another stands for the one it was merged into.
    """
    keys: dict[str, set] = {"registration_number": set(), "email": set(), "name": set()}
    for row in rows:
        kind, value = row.key
        keys[kind].add(value)
    found: dict[tuple, Any] = {}
    queryset = Organization.objects.select_related("region", "merged_into").prefetch_related("tags")
    lookups = {
        # The unique index on registration_key leaves blank keys out; saying so lets the database
        # use it (else every query reads the whole table). The keys looked up are never blank.
        "registration_number": (queryset.exclude(registration_key=""), "registration_key"),
        "email": (queryset.annotate(k=Lower("email")), "k"),
        "name": (queryset, "name_key"),
    }
    for kind, values in keys.items():
        qs, attribute = lookups[kind]
        for batch in _batches(sorted(values)):
            known = _known_keys(kind, batch)
            if not known:
                continue
            for organization in qs.filter(**{f"{attribute}__in": sorted(known)}).order_by("is_archived", "pk"):
                key = (kind, getattr(organization, attribute))
                organization = _survivor(organization)
                previous = found.get(key)
                if previous is None:
                    found[key] = organization
                elif kind != "registration_number" and organization not in (
                    previous if isinstance(previous, list) else [previous]
                ):
                    found[key] = (previous if isinstance(previous, list) else [previous]) + [organization]
    return found


def _known_keys(kind: str, keys: list[str]) -> set[str]:
    """Which of `keys` (registration_number, email or name keys) some organization has, so that the
    full look-up above runs only for those: on a large import of new organizations, for none.

    Plain SQL, because for an IN list Django prepares every parameter one by one, which cost more
    than the query itself. The conditions are those of the look-up's own queries."""
    quote = connection.ops.quote_name
    column = {
        "registration_number": quote("registration_key"),
        "email": f"LOWER({quote('email')})",
        "name": quote("name_key"),
    }[kind]
    condition = f"{column} IN ({', '.join(['%s'] * len(keys))})"
    if kind == "registration_number":
        condition += f" AND NOT ({column} = '')"  # worded as the partial unique index is, so it serves
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT {column} FROM {quote(Organization._meta.db_table)} WHERE {condition}", keys)
        return {key for (key,) in cursor.fetchall()}


def _survivor(organization: Organization) -> Organization:
    seen = set()
    while organization.merged_into_id and organization.pk not in seen:
        seen.add(organization.pk)
        organization = (
            Organization.objects.select_related("region", "merged_into")
            .prefetch_related("tags")
            .get(pk=organization.merged_into_id)
        )
    return organization


def _compare(row: RowPreview, organization: Organization, regions: dict) -> None:
    row.match = organization
    for fieldname, value in row.values.items():
        if fieldname == "owner":
            continue  # compared as owner_id
        if fieldname == "region":
            current = organization.region.key if organization.region else ""
            changed = col.fold_value(value) != current
        elif fieldname == "tags":
            current_keys = {tag.key for tag in organization.tags.all()}
            changed = any(col.fold_value(tag) not in current_keys for tag in value)
        elif fieldname == "registration_number":
            changed = registration_key(value) != registration_key(organization.registration_number)
        elif fieldname == "notes":
            changed = value not in organization.notes  # a note is added to those kept, never replaces them
        else:
            changed = value != getattr(organization, fieldname)
        if changed:
            row.changes.append(fieldname)
    row.status = UPDATE if row.changes else DUPLICATE
    if organization.is_archived:
        row.note = _("matches an archived organization, which stays archived")
    elif row.status == DUPLICATE:
        row.note = _("already in the registry, nothing new")


# Contacts ------------------------------------------------------------------------------------

CONTACT_PARSERS = {
    "email": col.parse_email,
    "phone": col.parse_phone,
    "preferred_language": col.parse_language,
    "consent": col.parse_consent,
}


def _contact_key(values: dict) -> tuple[str, str]:
    if values.get("email"):
        return "email", values["email"].lower()
    person = f"{fold(values.get('first_name', ''))}|{fold(values.get('last_name', ''))}"
    return "name", f"{person}|{values.get('organization_id') or ''}"


def _contacts(preview: ImportPreview) -> None:
    _resolve_organizations(preview.rows)
    _set_keys(preview.rows, _contact_key)
    _mark_file_duplicates(
        preview.rows,
        {"email": _("same e-mail as row %(row)s"), "name": _("same person as row %(row)s")},
        first_row=preview.seen,
    )
    candidates = [row for row in preview.rows if row.status == NEW]
    by_email, by_name = {}, {}
    emails = sorted({row.values["email"] for row in candidates if row.values.get("email")})
    for batch in _batches(emails):
        for contact in Contact.objects.annotate(k=Lower("email")).filter(k__in=batch, is_archived=False):
            by_email[contact.k] = contact
    # People without an e-mail: matched by name (case and accents aside) within their organization.
    by_name_rows = [row for row in candidates if not row.values.get("email")]
    organization_ids = sorted(
        {row.values["organization_id"] for row in by_name_rows if row.values.get("organization_id")}
    )
    loose_names = sorted(
        {row.values["last_name"].lower() for row in by_name_rows if not row.values.get("organization_id")}
    )
    people = []
    for batch in _batches(organization_ids):
        people += Contact.objects.filter(organization_id__in=batch).order_by("is_archived", "pk")
    for batch in _batches(loose_names):
        people += Contact.objects.annotate(k=Lower("last_name")).filter(k__in=batch, organization__isnull=True)
    for contact in people:
        person = {
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "organization_id": contact.organization_id,
        }
        by_name.setdefault(_contact_key(person)[1], contact)
    for row in candidates:
        kind, value = row.key
        match = (by_email if kind == "email" else by_name).get(value)
        if match is not None:
            _compare_contact(row, match)


def _resolve_organizations(rows: list[RowPreview]) -> None:
    """The organization column holds a registration number, else the organization's exact name."""
    wanted = {row.values["organization"] for row in rows if row.values.get("organization")}
    by_registration, by_name = {}, {}
    for batch in _batches(sorted({registration_key(w) for w in wanted})):
        # Blank keys excluded so that the (partial) unique index serves the look-up; see above.
        organizations = Organization.objects.filter(registration_key__in=batch).exclude(registration_key="")
        for pk, key, merged_into in organizations.values_list("pk", "registration_key", "merged_into_id"):
            by_registration[key] = merged_into or pk
    for batch in _batches(sorted({w.lower() for w in wanted})):
        for pk, name in (
            Organization.objects.annotate(k=Lower("name"))
            .filter(k__in=batch, is_archived=False)
            .values_list("pk", "name")
        ):
            by_name.setdefault(name.lower(), []).append(pk)
    for row in rows:
        reference = row.values.get("organization")
        if not reference:
            continue
        if registration_key(reference) in by_registration:
            row.values["organization_id"] = by_registration[registration_key(reference)]
        elif len(by_name.get(reference.lower(), [])) == 1:
            row.values["organization_id"] = by_name[reference.lower()][0]
        elif by_name.get(reference.lower()):
            row.fail(
                "organization",
                _("several organizations are named «%(name)s»; use the registration number.") % {"name": reference},
            )
        else:
            row.fail(
                "organization",
                _("no organization has the registration number or name «%(name)s»; import it first.")
                % {"name": reference},
            )


def _compare_contact(row: RowPreview, contact: Contact) -> None:
    row.match = contact
    for fieldname, value in row.values.items():
        if fieldname == "organization":
            continue
        if value != getattr(contact, fieldname):
            row.changes.append(fieldname)
    row.status = UPDATE if row.changes else DUPLICATE
    if row.status == DUPLICATE:
        row.note = _("already in the registry, nothing new")
