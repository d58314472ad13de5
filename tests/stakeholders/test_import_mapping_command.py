"""import_stakeholders --map "HEADER=field": columns sent where the user says, and the mappings it
refuses (exit code 1, one line on stderr)."""

import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from stakeholders.models import Contact, Organization
from tests.databases import ROOT
from tests.factories import OrganizationFactory

CSV = (
    "Liste des entreprises reçues — Kayes\n"
    "\n"
    "N°;Dénomination;Tél. portable;Contact principal;Zone\n"
    "1;Transit Awa SARL;+223 70 11 22 33;Awa Diop;Nord\n"
    "2;Fret du Sahel;+223 70 44 55 66;Moussa Keita;Sud\n"
)


@pytest.fixture
def sheet(tmp_path):
    path = tmp_path / "entreprises.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_map_sends_columns_where_it_says_and_names_the_columns_nothing_recognises(db, sheet, capsys):
    call_command(
        "import_stakeholders", str(sheet), "--map", "dénomination=name", "--map", "TEL PORTABLE=phone", "--map", "N°=-"
    )
    captured = capsys.readouterr()
    assert captured.out.startswith("created 2, updated 0, duplicates 0")
    assert 'column "Zone" left out: not recognised; use --map "Zone=field"' in captured.err
    assert "N°" not in captured.err  # left out by the user: nothing to say
    awa = Organization.objects.get(name="Transit Awa SARL")
    assert (awa.phone, awa.notes) == ("+223 70 11 22 33", "Contact principal: Awa Diop")


def test_a_column_sent_to_notes_adds_to_the_notes_kept(db, sheet, capsys):
    OrganizationFactory(name="Transit Awa SARL", notes="Met at the Kayes workshop.")
    call_command("import_stakeholders", str(sheet), "--map", "Zone=-", "--map", "N°=")
    assert capsys.readouterr().out.startswith("created 1, updated 1")
    awa = Organization.objects.get(name="Transit Awa SARL")
    assert awa.notes == "Met at the Kayes workshop.\n\nContact principal: Awa Diop"
    call_command("import_stakeholders", str(sheet), "--map", "Zone=-", "--map", "N°=")
    assert capsys.readouterr().out.startswith("created 0, updated 0, duplicates 2")  # nothing added twice


def test_map_tells_a_contacts_file_by_its_fields(db, tmp_path, capsys):
    path = tmp_path / "gens.csv"
    path.write_text("Nom complet;Portable\nTraoré;+223 70 11 22 33\n", encoding="utf-8")
    call_command("import_stakeholders", str(path), "--map", "Nom complet=last_name")
    assert Contact.objects.get().phone == "+223 70 11 22 33"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--map", "Raison sociale=name"], '--map "Raison sociale=name": the file has no column "Raison sociale"'),
        (["--map", "Zone=zone"], '--map "Zone=zone": "zone" is not a field of organizations (fields: name, acronym,'),
        (["--map", "Zone=name"], 'columns "Dénomination" and "Zone" all go to name: keep one, and add --map "Zone=-"'),
        (["--map", "Dénomination=-"], 'no column goes to name, which is required: add --map "HEADER=name"'),
        (["--map", "Zone"], '--map "Zone": write it as "HEADER=field" (or "HEADER=-").'),
        (["--map", "Zone=city", "--map", "zone=region"], "say two things of one column"),
        (["--kind", "contacts", "--map", "Dénomination=name"], '"name" is not a field of contacts'),
    ],
)
def test_a_mapping_that_cannot_be_is_refused_before_anything_is_written(db, sheet, options, message):
    with pytest.raises(CommandError) as refused:
        call_command("import_stakeholders", str(sheet), *options)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)
    assert not Organization.objects.exists()
    assert not Contact.objects.exists()


def test_a_refused_mapping_exits_1_with_one_line_on_stderr(sheet, tmp_path):
    env = {"CRM_VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "tests.settings", "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    command = [sys.executable, "manage.py", "import_stakeholders", str(sheet), "--map", "Zone=name"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0
    assert "all go to name" in done.stderr
