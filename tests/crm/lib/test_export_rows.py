"""Exports read every row with one query: many-to-many columns joined by the database (ordering,
empty values and formula protection as when they were looked up per chunk), derived columns,
SQLite's settings put back."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import CharField, F, Value
from django.db.models.functions import Concat
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from communications.exports import ENGAGEMENTS
from communications.models import Engagement, KeyFactor, Topic
from communications.selectors import engagement_list
from crm.lib.exports import Related, csv_chunks, safe_cell
from tests.factories import ConcernFactory, ContactFactory, EngagementFactory, FollowUpFactory, OrganizationFactory

TODAY = timezone.localdate()


def read_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def exported(client, path: str) -> list[dict]:
    return read_csv(b"".join(client.get(path).streaming_content).decode("utf-8"))


# How the many-to-many columns were looked up per row before the database kept them
# (communications/kept_names.py): what they must still write.
FULL_NAME = {
    "full_name": Concat(F("contact__first_name"), Value(" "), F("contact__last_name"), output_field=CharField())
}
AS_BEFORE = [
    Related("organizations", Engagement.organizations.through, "engagement_id", "organization__name"),
    Related("contacts", Engagement.contacts.through, "engagement_id", "full_name", annotate=FULL_NAME),
    Related("topics", Engagement.topics.through, "engagement_id", "topic__code"),
    Related("key_factors", Engagement.key_factors.through, "engagement_id", "keyfactor__code"),
]


def joined_as_before(related, owner_id) -> str:
    """What the per-chunk lookup wrote: the values in the database's order, empty ones left out."""
    rows = related.model.objects.filter(**{related.owner_field: owner_id})
    if related.annotate:
        rows = rows.annotate(**related.annotate)
    values = rows.order_by(related.value_path).values_list(related.value_path, flat=True)
    return safe_cell("; ".join(str(value) for value in values if value not in (None, "")))


# The busy engagement's organizations. Their order in the cell is the database's text order (its
# collation), checked against the per-chunk look-up; here only which names, and that the cell
# cannot run as a formula (a leading quote when it would start with "=").
BUSY_NAMES = sorted(["=Danger", "Beta", "Zèbre SA", "alpha", "Éclair"])


def _names(joined: str) -> list[str]:
    assert not joined.startswith(("=", "+", "-", "@")), joined
    return sorted(joined.removeprefix("'").split("; "))


@pytest.fixture
def engagements(db):
    """Links made in an order that is not the sorted one, with accents, capitals, an empty name
    and a name that a spreadsheet would run as a formula."""
    names = ["Zèbre SA", "alpha", "Éclair", "Beta", "=Danger"]
    busy = EngagementFactory(organizations=[OrganizationFactory(name=name) for name in names])
    busy.contacts.add(ContactFactory(first_name="Ousmane", last_name="Diallo"), ContactFactory(first_name="Awa"))
    busy.topics.add(*Topic.objects.order_by("-code")[:3])
    busy.key_factors.add(*KeyFactor.objects.order_by("-code")[:2])
    lone = EngagementFactory(organizations=[OrganizationFactory(name="Seule")])
    empty_name = EngagementFactory(organizations=[OrganizationFactory(name=""), OrganizationFactory(name="Kapok")])
    return [busy, lone, empty_name]


def test_joined_columns_are_the_same_as_when_looked_up_per_chunk(manager_client, engagements):
    rows = {int(row["id"]): row for row in exported(manager_client, "/communications/engagements/?_export=csv")}
    assert set(rows) == {engagement.pk for engagement in engagements}
    for engagement in engagements:
        for related in AS_BEFORE:
            assert rows[engagement.pk][related.header] == joined_as_before(related, engagement.pk), related.header
    busy, lone, empty_name = engagements
    assert _names(rows[busy.pk]["organizations"]) == BUSY_NAMES
    assert rows[busy.pk]["contacts"].startswith("Awa Fictive")
    assert rows[busy.pk]["contacts"].endswith("; Ousmane Diallo")
    assert rows[busy.pk]["topics"].count("; ") == 2
    assert rows[busy.pk]["key_factors"].count("; ") == 1
    assert (rows[lone.pk]["organizations"], rows[lone.pk]["contacts"], rows[lone.pk]["topics"]) == ("Seule", "", "")
    assert rows[empty_name.pk]["organizations"] == "Kapok"


def test_the_xlsx_export_has_the_same_joined_values(manager_client, engagements):
    response = manager_client.get("/communications/engagements/?_export=xlsx")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    header, *rows = workbook.active.iter_rows(values_only=True)
    by_id = {row[header.index("ID")]: row for row in rows}
    busy, lone, _empty_name = engagements
    organizations = by_id[busy.pk][header.index("Organizations")]
    # Typed as text in a workbook: no apostrophe is needed for it not to run.
    assert "'" + organizations == joined_as_before(AS_BEFORE[0], busy.pk)
    assert sorted(organizations.split("; ")) == BUSY_NAMES
    assert by_id[lone.pk][header.index("People")] is None  # empty cells stay empty


def test_follow_ups_list_the_organizations_of_their_engagement(engagements, capsys):
    busy = engagements[0]
    FollowUpFactory(engagement=busy)
    call_command("export", "follow-ups")
    (row,) = read_csv(capsys.readouterr().out)
    assert row["organizations"] == joined_as_before(AS_BEFORE[0], busy.pk)
    assert _names(row["organizations"]) == BUSY_NAMES


def test_every_row_is_read_with_one_query_however_many_there_are(engagements):
    def selects() -> int:
        with CaptureQueriesContext(connection) as context:
            "".join(csv_chunks(ENGAGEMENTS, engagement_list()))
        # On PostgreSQL the rows come through a server-side cursor (DECLARE … CURSOR FOR SELECT) or
        # COPY; on SQLite the machine CSV's cells through a WITH around the rows' query.
        reads = ("SELECT", "DECLARE", "COPY", "WITH")
        return sum(1 for query in context.captured_queries if query["sql"].lstrip().upper().startswith(reads))

    assert selects() == 1
    EngagementFactory.create_batch(5)
    assert selects() == 1


def test_days_to_resolve_are_whole_days_beside_open_concerns(manager_client):
    ConcernFactory(raised_on=TODAY - timedelta(days=3), resolved_on=TODAY, status="resolved")
    ConcernFactory(raised_on=TODAY - timedelta(days=1))
    rows = exported(manager_client, "/communications/concerns/?_export=csv")
    assert sorted(row["days_to_resolve"] for row in rows) == ["", "3"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite page cache settings")
def test_sqlite_page_cache_settings_come_back_after_an_export(engagements):
    def settings() -> list:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            cache_size = cursor.fetchone()
            cursor.execute("PRAGMA mmap_size")
            return [cache_size, cursor.fetchone()]

    before = settings()
    pieces = csv_chunks(ENGAGEMENTS, engagement_list())
    next(pieces), next(pieces)  # the header, then the rows: the export is reading
    assert settings()[0] != before[0]
    pieces.close()  # a download stopped half-way
    assert settings() == before
    "".join(csv_chunks(ENGAGEMENTS, engagement_list()))
    assert settings() == before


def test_a_formula_is_made_harmless_in_a_column_that_mixes_types():
    from crm.lib.exports import _column_as_written

    assert _column_as_written([None, 3, "=HYPERLINK(1)", "fine", "-2+3", "-A1"]) == [
        None,
        3,
        "'=HYPERLINK(1)",
        "fine",
        "-2+3",
        "'-A1",
    ]
