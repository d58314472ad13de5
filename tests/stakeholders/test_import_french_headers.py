"""The import help page names the real French header of each column, and the importer reads it back."""

import re

import pytest
from django.utils.html import escape

from stakeholders.imports import columns
from stakeholders.imports.columns import CONTACT_COLUMNS, ORGANIZATION_COLUMNS, recognise

KINDS = [("organizations", ORGANIZATION_COLUMNS), ("contacts", CONTACT_COLUMNS)]


@pytest.mark.parametrize(("kind", "fields"), KINDS)
def test_every_column_has_a_french_header_the_importer_recognises(kind, fields):
    for field in fields:
        header = columns.FRENCH_HEADERS[field]
        mapping, ignored, _errors = recognise([header], kind)
        assert (mapping, ignored) == ({0: field}, []), f"{field}: «{header}» is not read back"


def test_the_french_headers_are_french_words_not_english_ones():
    headers = columns.FRENCH_HEADERS
    assert headers["type"] == "type d’organisation"
    assert headers["email"] == "courriel"
    assert headers["phone"] == "téléphone"
    assert headers["registration_number"] == "numéro d’enregistrement"
    assert headers["region"] == "région"
    assert headers["interest"] == "intérêt"


def _french_column(body: str, summary: str) -> dict[str, str]:
    section = body.split(summary, 1)[1].split("</details>", 1)[0]
    return dict(re.findall(r"<tr><td><code>(\w+)</code></td><td>([^<]*)</td></tr>", section))


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_help_page_shows_the_french_header_of_every_column(officer_client, language):
    body = officer_client.get("/stakeholders/import/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    summaries = {"en": ("Columns for organizations", "Columns for contacts"), "fr": ("organisations", "contacts")}
    organizations = _french_column(body, "<summary>" + _summary(body, summaries[language][0]))
    contacts = _french_column(body, "<summary>" + _summary(body, summaries[language][1]))
    assert organizations == {field: escape(columns.FRENCH_HEADERS[field]) for field in ORGANIZATION_COLUMNS}
    assert contacts == {field: escape(columns.FRENCH_HEADERS[field]) for field in CONTACT_COLUMNS}
    assert "organization type" not in body
    assert "e mail" not in body


def _summary(body: str, words: str) -> str:
    """The text of the first <summary> that holds these words."""
    return next(s for s in re.findall(r"<summary>([^<]*)</summary>", body) if words in s)


def test_the_missing_column_message_names_the_same_french_header(monkeypatch):
    monkeypatch.setitem(columns.FRENCH_HEADERS, "name", "raison sociale")
    _mapping, _ignored, errors = recognise(["sigle"], "organizations")
    assert errors == ["The column name is missing (French header: raison sociale)."]
    _mapping, _ignored, errors = recognise(["prénom"], "contacts")
    assert errors == ["The column last_name is missing (French header: nom)."]
