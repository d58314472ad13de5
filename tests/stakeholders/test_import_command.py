"""import_stakeholders against sample files shaped like those users send (tests/fixtures/README.md)."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from stakeholders.models import Contact, Organization, Region, Tag

DATA = Path(__file__).resolve().parents[1] / "fixtures"


def run(path, *args, capsys=None):
    call_command("import_stakeholders", str(path), *args)
    return capsys.readouterr().out if capsys else ""


def test_the_clean_file_imports_and_a_second_import_creates_nothing(db, capsys):
    out = run(DATA / "organizations.csv", capsys=capsys)
    assert out.startswith("created 40, updated 0, duplicates 0")
    assert "new regions: Abidjan, Bamako," in out
    assert "Thiès" in out
    assert "Ségou" in out
    assert Organization.objects.count() == 40
    assert Region.objects.count() == 21
    broker = Organization.objects.get(registration_number="SN-THS-2008-B-0101")
    assert broker.name == "Kora Transit Services SARL"
    assert broker.type == "customs_broker"
    assert broker.region.name == "Thiès"
    assert broker.influence == 4
    assert broker.interest == 5
    assert broker.website == "https://www.koratransit.example"  # typed without its scheme
    assert [t.name for t in broker.tags.all()] == ["AEO pilot"]
    forwarder = Organization.objects.get(registration_number="ML-BKO-2015-B-0138")
    assert sorted(t.name for t in forwarder.tags.all()) == ["Dakar–Bamako corridor", "women traders"]
    mangoes = Organization.objects.get(registration_number="ML-SKO-2019-B-0952")  # tags split by "|"
    assert sorted(t.name for t in mangoes.tags.all()) == ["Dakar–Bamako corridor", "women traders"]

    out = run(DATA / "organizations.csv", capsys=capsys)
    assert out.startswith("created 0, updated 0, duplicates 40")
    assert Organization.objects.count() == 40


def test_the_french_file_with_semicolons_and_a_bom_imports(db, capsys):
    run(DATA / "organizations.csv", capsys=capsys)
    tags = sorted(Tag.objects.values_list("name", flat=True))
    out = run(DATA / "organisations_fr_point-virgule.csv", capsys=capsys)
    # «SIKASSO», «Segou», «thies», «INTEGRITE», «aeo pilot»… are the regions and tags already known,
    # matched without regard to case or accents: only Kédougou and one tag are new.
    new = "new regions: Kédougou; new tags: comité frontalier de Kidira"
    assert out.strip() == f"created 20, updated 0, duplicates 0; {new}"
    carrier = Organization.objects.get(registration_number="ML-SKO-2010-B-5101")
    assert carrier.name == "Transports Sahel Express"
    assert carrier.type == "carrier"  # «Transporteur»
    assert carrier.sector == "transport_logistics"
    assert carrier.aeo_status == "applicant"  # «Candidat OEA»
    assert carrier.region.name == "Sikasso"
    assert carrier.city == "Zégoua"
    assert carrier.interest == 4
    # «Exportateur», «OEA certifié», «Français», and «SIKASSO» and «INTEGRITE» found as they were
    shea = Organization.objects.get(registration_number="ML-SKO-2011-B-5124")
    assert shea.type == "exporter"
    assert shea.aeo_status == "certified"
    assert shea.preferred_language == "fr"
    assert shea.region.name == "Sikasso"
    assert [t.name for t in shea.tags.all()] == ["intégrité"]
    capitals = Organization.objects.get(registration_number="NE-ZDR-2017-B-5538")
    assert capitals.type == "freight_forwarder"  # «TRANSITAIRE»
    assert sorted(Tag.objects.values_list("name", flat=True)) == sorted([*tags, "comité frontalier de Kidira"])
    assert Region.objects.filter(name__iexact="sikasso").count() == 1
    assert Region.objects.count() == 22


def test_the_file_with_errors_is_refused_with_every_error_named(db):
    with pytest.raises(CommandError) as caught:
        run(DATA / "organizations_with_errors.csv")
    message = str(caught.value)
    assert "row 4: influence: «6» must be a whole number from 1 to 5." in message
    assert "row 8: email: «contact(at)kankan-fret.example» is not a valid e-mail address." in message
    assert "row 11: type: «money changer» is not a known value." in message
    assert "3 problem(s), nothing was written" in message
    assert Organization.objects.count() == 0
    assert Region.objects.count() == 0  # all or nothing


def test_contacts_import_after_their_organizations(db, capsys):
    run(DATA / "organizations.csv", capsys=capsys)
    out = run(DATA / "contacts.csv", capsys=capsys)
    assert out.startswith("created 80, updated 0, duplicates 0")
    aissatou = Contact.objects.get(email="aissatou.ndiaye@koratransit.example")
    assert aissatou.organization.registration_number == "SN-THS-2008-B-0101"
    assert aissatou.consent is True
    assert aissatou.consent_date is not None  # «yes»
    assert "contacts.csv" in aissatou.consent_source
    assert Contact.objects.get(email="hawa.dembele@koratransit.example").consent is False  # «no»
    # yes, Yes, 1, oui, true: 40 people; no, NON, 0, non, false: 35; 5 left blank
    assert Contact.objects.filter(consent=True).count() == 40
    assert Contact.objects.filter(consent=False, consent_date__isnull=False).count() == 35
    # This one names her organization instead of giving its registration number.
    ramatoulaye = Contact.objects.get(email="ramatoulaye.keita@cci-kaolack.example")
    assert ramatoulaye.organization.registration_number == "SN-KLK-2020-B-0323"
    assert run(DATA / "contacts.csv", capsys=capsys).startswith("created 0, updated 0, duplicates 80")


def test_contacts_of_unknown_organizations_are_refused(db):
    with pytest.raises(
        CommandError,
        match="row 2: organization: no organization has the registration number or name «SN-THS-2008-B-0101»",
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
    assert not result.is_valid
    assert result.problems == ["row 10: influence: «9» must be a whole number from 1 to 5."]
    assert Organization.objects.count() == 10  # the first batches, although valid, were not written


def test_an_import_that_fails_halfway_through_writing_leaves_nothing(db, tmp_path, monkeypatch):
    from stakeholders.imports import prepared
    from stakeholders.imports.service import import_path
    from stakeholders.models import Tag

    insert = prepared.insert_rows
    calls = []

    def insert_then_fail(*args, **kwargs):
        insert(*args, **kwargs)  # the rows are in the database
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")

    monkeypatch.setattr(prepared, "insert_rows", insert_then_fail)
    path = tmp_path / "orgs.csv"
    lines = ["name,registration_number,influence,tags"] + [f"Org {i},RC-{i},3,corridor" for i in range(9)]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(OSError, match="disk full"):
        import_path(path, batch=3)
    assert calls == [1, 1]  # it did write before failing
    assert (Organization.objects.count(), Organization.history.count(), Tag.objects.count()) == (0, 0, 0)
