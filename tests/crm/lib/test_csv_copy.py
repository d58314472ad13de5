"""The machine CSV written by the database (PostgreSQL's COPY; on SQLite its cells read as the CSV
holds them, written by chunks): byte for byte what Python writes cell by cell, for every dataset,
with the values that make CSV and spreadsheets hard (formulas, harmless numbers, quotes,
separators, line breaks, accents, empty and missing values, booleans)."""

from datetime import date

import pytest

from communications.models import Engagement
from crm.exporting.datasets import export_datasets
from crm.lib import exports
from crm.lib.exports import csv_chunks
from tests.factories import (
    ConcernFactory,
    ContactFactory,
    EngagementFactory,
    FollowUpFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.django_db

HARD_TEXT = [
    '=HYPERLINK("http://x.example")',
    "-5",  # a number: written as it is
    "+221 77 123 45 67",  # a phone number: written as it is
    "-attaque",
    "@SUM(A1)",
    "\tindenté",
    'Virgule, "guillemets" et ; point-virgule',
    "deux\nlignes",
    "retour\rchariot",
    "\rdébut",
    "@",
    "=",
    "Société Générale de Transit",
    "",
]


@pytest.fixture
def hard_rows():
    organizations = [
        OrganizationFactory(name=name or "Sans nom", acronym=name[:30], city=name, address=name) for name in HARD_TEXT
    ]
    ContactFactory(first_name="=Awa", last_name="Diallo", job_title="-chef", organization=organizations[0])
    ContactFactory(first_name="", last_name="Sow, Ibrahima", job_title="", organization=organizations[1])
    for index, text in enumerate(HARD_TEXT):
        engagement = EngagementFactory(
            title=text or "Sans titre",
            location=text,
            occurred_on=date(2026, 1 + index % 12, 1 + index),
            participants=None if index % 2 else index,
            is_held=index % 3 != 0,
            organizations=organizations[index : index + 2],
        )
        FollowUpFactory(engagement=engagement, description=text or "Rien")
    ConcernFactory(organization=organizations[0], summary="=1+1")
    return Engagement.objects.count()


def _python_wrote(dataset, rows) -> str:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(exports, "_copied", lambda *args: None)
        return "".join(csv_chunks(dataset, rows))


COPIED = {"organizations", "engagements", "follow-ups", "commitments"}  # the others have a column Python works out


@pytest.mark.parametrize("name", sorted(export_datasets()))
def test_copy_writes_what_python_writes(hard_rows, manager, name):
    spec = export_datasets()[name]
    rows = spec.queryset(user=manager)
    copied = exports._copied(spec.dataset, rows, exports.layout(spec.dataset), ",", None)
    assert (copied is not None) == (name in COPIED)
    assert "".join(csv_chunks(spec.dataset, rows)) == _python_wrote(spec.dataset, rows)


def test_the_engagements_are_written_by_copy_with_the_cells_protected(hard_rows):
    spec = export_datasets()["engagements"]
    shape = exports.layout(spec.dataset)
    assert exports._copied(spec.dataset, spec.queryset(), shape, ",", None) is not None
    text = "".join(csv_chunks(spec.dataset, spec.queryset()))
    assert "'=HYPERLINK" in text
    assert ",-5," in text
    assert "'-attaque" in text
    assert '"deux\nlignes"' in text
    assert text.count("\r\n") == hard_rows + 1  # a CRLF ends each line, not the break inside a cell


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_the_database_writes_what_python_writes_with_either_delimiter(hard_rows, delimiter):
    spec = export_datasets()["engagements"]
    rows = spec.queryset()
    assert exports._copied(spec.dataset, rows, exports.layout(spec.dataset), delimiter, None) is not None
    written = "".join(csv_chunks(spec.dataset, rows, delimiter=delimiter))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(exports, "_copied", lambda *args: None)
        assert written == "".join(csv_chunks(spec.dataset, rows, delimiter=delimiter))


def test_a_chunk_is_protected_only_where_a_cell_could_run(hard_rows, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK", 3)  # chunks with and without a formula
    spec = export_datasets()["organizations"]
    rows = spec.queryset()
    written = "".join(csv_chunks(spec.dataset, rows))
    assert written == _python_wrote(spec.dataset, rows)
    assert "'=HYPERLINK" in written
    assert "'@SUM(A1)" in written
    assert ",-5," in written or ",-5\r\n" in written


def test_labels_a_derived_column_or_a_progress_inside_a_transaction_are_written_by_python(hard_rows):
    specs = export_datasets()
    engagements, concerns = specs["engagements"].dataset, specs["concerns"].dataset
    rows = specs["engagements"].queryset()
    assert exports._copied(engagements, rows, exports.layout(engagements, labels=True), ",", None) is None
    assert exports._copied(concerns, specs["concerns"].queryset(user=None), exports.layout(concerns), ",", None) is None
    assert exports._copied(engagements, rows, exports.layout(engagements), ",", lambda done: None) is None


def test_an_export_stopped_half_way_leaves_its_connection_usable(hard_rows, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK", 2)
    spec = export_datasets()["engagements"]
    pieces = csv_chunks(spec.dataset, spec.queryset())
    next(pieces), next(pieces)  # the header, then two rows
    pieces.close()  # the download was dropped
    assert Engagement.objects.count() == hard_rows
