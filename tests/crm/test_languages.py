"""Bilingual from day one: the browser picks, the switch remembers, the catalogue is complete."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "crm" / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def test_the_browser_language_picks_french(officer_client):
    body = officer_client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9").content.decode()
    assert '<html lang="fr">' in body
    assert "Mes suivis en cours" in body


def test_the_switch_remembers_a_choice(officer_client):
    response = officer_client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert response.status_code == 302
    body = officer_client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="fr">' in body


def test_the_sign_in_page_has_the_switch_and_speaks_french(client, db):
    body = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'name="language" value="en"' in body
    assert "Se connecter" in body


def _entries(po_text: str):
    """(msgid, msgstr, flags) for each entry of a .po file (plural forms: first msgstr)."""
    entries, flags, current, key = [], "", {}, None
    for line in po_text.splitlines() + [""]:
        if not line.strip():
            if current.get("msgid") and "msgctxt" not in current and "msgid_plural" not in current:
                entries.append((current["msgid"], current.get("msgstr", ""), flags))
            elif current.get("msgid"):  # plural or with a context: checked for presence only
                entries.append((current["msgid"], current.get("msgstr[0]", current.get("msgstr", "")), flags + " skip"))
            flags, current, key = "", {}, None
        elif line.startswith("#,"):
            flags = line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[key] += line[1:-1]
        else:
            key, _space, value = line.partition(" ")
            current[key] = value[1:-1]
    return entries


def test_every_message_has_a_french_translation():
    entries = _entries(PO.read_text(encoding="utf-8"))
    assert len(entries) > 50
    missing = [msgid for msgid, msgstr, _flags in entries if not msgstr]
    fuzzy = [msgid for msgid, _msgstr, flags in entries if "fuzzy" in flags]
    assert missing == []
    assert fuzzy == []


def test_the_compiled_catalogue_matches_the_source():
    entries = [(i, s) for i, s, f in _entries(PO.read_text(encoding="utf-8")) if "skip" not in f and "\\" not in i]
    with translation.override("fr"):
        stale = [msgid for msgid, msgstr in entries if translation.gettext(msgid) != msgstr]
    assert stale == [], "run `make messages` to recompile the French catalogue"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (apt-get install gettext)")
def test_no_message_in_the_code_is_missing_from_the_french_catalogue(tmp_path):
    """makemessages, run on a copy of the project, finds nothing new to translate.

    (A copy: makemessages writes into every locale folder it finds beside the code.)
    """
    root = PO.parents[4]
    for folder in ("crm", "stakeholders", "communications", "templates"):
        shutil.copytree(root / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__", "static"))
    shutil.copy(root / "manage.py", tmp_path / "manage.py")
    environment = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "CRM_LOCALE_DIR")}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "fr", "--no-obsolete"],
        cwd=tmp_path,
        env=environment | {"CRM_VAR_DIR": str(tmp_path / "var")},
        check=True,
        capture_output=True,
    )
    copy = tmp_path / "crm" / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    untranslated = [
        msgid for msgid, msgstr, flags in _entries(copy.read_text(encoding="utf-8")) if not msgstr or "fuzzy" in flags
    ]
    assert untranslated == [], "translate these in crm/locale/fr/LC_MESSAGES/django.po, then `make messages`"


PAGES_WITH_SWITCH = [
    "/",
    "/dashboard/",
    "/stakeholders/organizations/",
    "/stakeholders/contacts/",
    "/stakeholders/import/",
    "/communications/engagements/",
    "/communications/engagements/new/",
    "/communications/follow-ups/",
    "/communications/campaigns/",
    "/exports/",
    "/exports/mine/",
    "/accounts/sessions/",
]


@pytest.mark.parametrize("path", PAGES_WITH_SWITCH)
def test_the_language_switch_is_on_every_page(manager_client, path):
    body = manager_client.get(path, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'action="/i18n/setlang/"' in body
    assert 'name="language" value="en"' in body


def test_numbers_and_dates_follow_the_language(manager_client):
    from stakeholders.models import Organization
    from tests.factories import EngagementFactory

    Organization.objects.bulk_create(
        Organization(name=f"Transit {i:04d}", name_key=f"transit {i:04d}", type="customs_broker") for i in range(1234)
    )
    french = manager_client.get("/stakeholders/organizations/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    english = manager_client.get("/stakeholders/organizations/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1\xa0234 organisations" in french  # a no-break space between thousands
    assert "1,234 organizations" in english
    EngagementFactory(title="Atelier de Kidira", occurred_on="2026-03-09")
    french = manager_client.get("/communications/engagements/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    english = manager_client.get("/communications/engagements/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "09/03/2026" in french
    assert "09/03/2026" in english  # day first in English too (crm/formats/en)
