"""import_stakeholders against the sample files users really send (../shared/data/)."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from stakeholders.models import Contact, Organization, Region, Tag

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


def run(path, *args, capsys=None):
    call_command("import_stakeholders", str(path), *args)
    return capsys.readouterr().out if capsys else ""


def test_the_clean_file_imports_and_a_second_import_creates_nothing(db, capsys):
    out = run(DATA / "organizations.csv", capsys=capsys)
    assert out.startswith("created 40, updated 0, duplicates 0")
    assert "new regions: Bamako" in out and "Thiès" in out
    assert Organization.objects.count() == 40
    broker = Organization.objects.get(registration_number="RC-THI-001000")
    assert broker.name == "Entreprise Niger Logistics" and broker.type == "customs_broker"
    assert broker.region.name == "Thiès" and broker.influence == 2 and broker.interest == 1
    assert [t.name for t in broker.tags.all()] == ["CIPS 2024"]
    sahel = Organization.objects.get(registration_number="RC-POR-001002")
    assert sorted(t.name for t in sahel.tags.all()) == ["corridor Dakar–Bamako", "women traders"]

    out = run(DATA / "organizations.csv", capsys=capsys)
    assert out.startswith("created 0, updated 0, duplicates 40")
    assert Organization.objects.count() == 40


def test_the_french_file_with_semicolons_and_a_bom_imports(db, capsys):
    run(DATA / "organizations.csv", capsys=capsys)
    out = run(DATA / "organisations_fr_point-virgule.csv", capsys=capsys)
    assert out.startswith("created 25,")
    carrier = Organization.objects.get(registration_number="RC-ZÉG-005000")
    assert carrier.name == "Trans Sahel Négoce" and carrier.type == "carrier"  # «Transporteur»
    assert carrier.aeo_status == "applicant" and carrier.interest == 4
    assert Organization.objects.get(registration_number="RC-SIK-005001").type == "exporter"
    # «intégrité» in both files is one tag, matched without regard to case or accents
    assert Tag.objects.filter(name__iexact="intégrité").count() == 1
    assert Region.objects.filter(name="Sikasso").count() == 1


def test_the_file_with_errors_is_refused_with_every_error_named(db):
    with pytest.raises(CommandError) as caught:
        run(DATA / "organizations_with_errors.csv")
    message = str(caught.value)
    assert "row 5: influence: «7» must be a whole number from 1 to 5." in message
    assert "row 7: email: «not-an-email» is not a valid e-mail address." in message
    assert "row 10: type: «smuggler» is not a known value." in message
    assert "3 problem(s), nothing was written" in message
    assert Organization.objects.count() == 0 and Region.objects.count() == 0  # all or nothing


def test_contacts_import_after_their_organizations(db, capsys):
    run(DATA / "organizations.csv", capsys=capsys)
    out = run(DATA / "contacts.csv", capsys=capsys)
    assert out.startswith("created 80, updated 0, duplicates 0")
    fatoumata = Contact.objects.get(email="fatoumata.dembelako@entreprisenige.example")
    assert fatoumata.organization.registration_number == "RC-THI-001000"
    assert fatoumata.consent is True and fatoumata.consent_date is not None
    assert "contacts.csv" in fatoumata.consent_source
    assert Contact.objects.get(email="kadiatou.diabatesow@transbanisa.example").consent is False
    assert run(DATA / "contacts.csv", capsys=capsys).startswith("created 0, updated 0, duplicates 80")


def test_contacts_of_unknown_organizations_are_refused(db):
    with pytest.raises(
        CommandError, match="row 2: organization: no organization has the registration number or name «RC-THI-001000»"
    ):
        run(DATA / "contacts.csv")
    assert Contact.objects.count() == 0


def test_a_dry_run_writes_nothing(db, capsys):
    out = run(DATA / "organizations.csv", "--dry-run", capsys=capsys)
    assert "would create 40" in out
    assert Organization.objects.count() == 0


def test_a_missing_file_is_a_clear_error(db):
    with pytest.raises(CommandError, match="no such file"):
        run("/nonexistent/file.csv")


def test_a_file_is_checked_and_written_batch_by_batch_all_or_nothing(db, tmp_path):
    from stakeholders.imports.service import import_path

    lines = ["name,registration_number,influence"] + [f"Org {i},RC-{i},3" for i in range(10)]
    path = tmp_path / "orgs.csv"
    path.write_text("\n".join(lines + ["Org again,RC-1,3"]) + "\n")  # repeats row 3, three batches later
    result = import_path(path, batch=3)
    assert (result.summary.created, result.summary.duplicates) == (10, 1)
    assert Organization.objects.count() == 10

    path.write_text(
        "\n".join(["name,registration_number,influence"] + [f"New {i},RN-{i},3" for i in range(8)] + ["Bad,RN-9,9"])
        + "\n"
    )
    result = import_path(path, batch=3)
    assert not result.is_valid and result.problems == ["row 10: influence: «9» must be a whole number from 1 to 5."]
    assert Organization.objects.count() == 10  # the first batches, although valid, were not written


def test_an_import_that_fails_halfway_through_writing_leaves_nothing(db, tmp_path, monkeypatch):
    from stakeholders.imports import writing
    from stakeholders.imports.service import import_path
    from stakeholders.models import Tag

    insert = writing._insert_new
    calls = []

    def insert_then_fail(*args, **kwargs):
        insert(*args, **kwargs)  # the rows are in the database
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")

    monkeypatch.setattr(writing, "_insert_new", insert_then_fail)
    path = tmp_path / "orgs.csv"
    lines = ["name,registration_number,influence,tags"] + [f"Org {i},RC-{i},3,corridor" for i in range(9)]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(OSError):
        import_path(path, batch=3)
    assert calls == [1, 1]  # it did write before failing
    assert (Organization.objects.count(), Organization.history.count(), Tag.objects.count()) == (0, 0, 0)
