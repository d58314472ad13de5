"""Where a count meets a noun, the words agree with it, in English and in French (1 and several)."""

import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.utils import translation

from tests.factories import ContactFactory
from tests.stakeholders.import_steps import map_columns

PO = Path(__file__).resolve().parents[2] / "crm" / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def _singular_msgids() -> list[str]:
    """The msgids of the French catalogue that have no plural form."""
    found = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        if "msgid_plural" in block or "msgid " not in block:
            continue
        head = block.split("\nmsgstr")[0].split("msgid ", 1)[1]
        found.append("".join(re.findall(r'"(.*)"', head)))
    return found


def test_no_plain_message_puts_a_count_before_a_noun():
    """A count read from the data goes through ngettext / {% blocktranslate count %}, never plain gettext."""
    count_then_word = re.compile(r"%\((n|count|days|rows)\)s [a-z]")
    wrong = [msgid for msgid in _singular_msgids() if count_then_word.search(msgid) or "(s)" in msgid]
    assert wrong == []


def _figures(overdue: int, median_days: int) -> str:
    cards = [
        {"label": "follow_ups", "value": 5, "detail": overdue, "overdue_url": "/f/"},
        {"label": "concerns", "value": 3, "detail": median_days},
    ]
    context = {"cards": cards, "figures": {"engagements": 1}, "charts": [], "recency_map": []}
    return " ".join(render_to_string("crm/dashboard_figures.html", context).split())


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [
        ("en", ["1 overdue", "median 1 day to resolve"], ["2 overdue", "median 2 days to resolve"]),
        ("fr", ["1 en retard", "résolution : 1 jour<"], ["2 en retard", "résolution : 2 jours<"]),
    ],
)
def test_the_dashboard_figures_agree_with_their_count(language, one, two):
    with translation.override(language):
        assert all(words in _figures(1, 1) for words in one), _figures(1, 1)
        assert all(words in _figures(2, 2) for words in two), _figures(2, 2)


def _upload(client, name: str, content: str, url: str = "/stakeholders/import/"):
    return client.post(url, {"file": SimpleUploadedFile(name, content.encode())}, HTTP_ACCEPT_LANGUAGE="fr")


def _preview(client, name: str, content: str) -> str:
    """Upload, take the columns as guessed: the preview's address."""
    return map_columns(client, _upload(client, name, content)["Location"], HTTP_ACCEPT_LANGUAGE="fr")["Location"]


def _import(client, content: str) -> str:
    location = _preview(client, "orgs.csv", content)
    return client.post(location + "confirm/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()


def test_the_import_summary_agrees_with_each_count_in_french(officer_client, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    body = _import(officer_client, "name\nAlpha Transit\n")
    assert "1 organisation créée, 0 organisation mise à jour, 0 doublon ignoré." in body
    body = _import(officer_client, "name;city\nBeta Logistique;Kayes\nGamma Fret;Dosso\nAlpha Transit;Kayes\n")
    assert "2 organisations créées, 1 organisation mise à jour, 0 doublon ignoré." in body
    body = _import(officer_client, "name;city\nBeta Logistique;Kayes\nGamma Fret;Dosso\n")
    assert "0 organisation créée, 0 organisation mise à jour, 2 doublons ignorés." in body


def test_the_contacts_import_summary_speaks_of_people(officer_client, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    location = _preview(officer_client, "people.csv", "first_name,last_name\nAwa,Traoré\nMoussa,Diallo\n")
    body = officer_client.post(location + "confirm/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "2 contacts créés, 0 contact mis à jour, 0 doublon ignoré." in body


@pytest.mark.parametrize(
    ("limit", "rows", "words"),
    [
        (0, "A\n", "Le fichier compte 1 ligne ; la page web en accepte 0 au maximum."),
        (1, "A\nB\n", "Le fichier compte 2 lignes ; la page web en accepte 1 au maximum."),
    ],
)
def test_the_too_long_file_message_agrees_with_its_count(
    officer_client, settings, tmp_path, monkeypatch, limit, rows, words
):
    settings.VAR_DIR = tmp_path
    settings.IMPORT_MAX_ROWS = limit
    body = _upload(officer_client, "orgs.csv", "name\n" + rows).content.decode()
    assert words in body


SURVEY = "wave,year,respondent_group,key_factor,score,respondents\n"


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        (["CIPS 2024,2024,brokers,transparency,58,50"], "1 résultat d’enquête importé."),
        (
            ["CIPS 2024,2024,brokers,transparency,58,50", "CIPS 2024,2024,importers,transparency,62,50"],
            "2 résultats d’enquête importés.",
        ),
    ],
)
def test_the_survey_import_message_agrees_with_its_count(manager_client, rows, words):
    content = SURVEY + "\n".join(rows) + "\n"
    response = manager_client.post(
        "/dashboard/survey/",
        {"file": SimpleUploadedFile("cips.csv", content.encode())},
        HTTP_ACCEPT_LANGUAGE="fr",
        follow=True,
    )
    assert words in response.content.decode()


def test_the_erasure_message_counts_each_thing_in_french(admin_client_):
    contact = ContactFactory(first_name="Awa", last_name="Koné", email="awa.kone@x.example")
    url = f"/stakeholders/contacts/{contact.pk}/erase/"
    body = admin_client_.post(url, follow=True, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Données personnelles effacées de 1 fiche et de " in body
    assert "0 échange conservé." in body


@pytest.mark.parametrize(("limit", "words"), [(1, "1 organisation au plus."), (2, "2 organisations au plus.")])
def test_the_organization_limit_agrees_with_its_count(monkeypatch, limit, words):
    from communications import forms

    monkeypatch.setattr(forms, "MAX_ORGANIZATIONS", limit)
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        forms.OrganizationsField().clean("A; B; C")
    assert refused.value.messages == [words]


def test_the_survey_upload_form_speaks_french(manager_client):
    body = manager_client.get("/dashboard/survey/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Résultats d’enquête (.csv ou .xlsx)" in body


def test_the_import_preview_counts_duplicates_in_french(officer_client, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    _import(officer_client, "name\nAlpha Transit\nBeta Fret\n")
    location = _preview(officer_client, "orgs.csv", "name\nAlpha Transit\n")
    body = officer_client.get(location, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "à mettre à jour, 1 doublon à ignorer." in body
    location = _preview(officer_client, "orgs.csv", "name\nAlpha Transit\nBeta Fret\n")
    body = officer_client.get(location, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "à mettre à jour, 2 doublons à ignorer." in body
