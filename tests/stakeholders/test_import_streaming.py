"""The command's streamed import: cells checked once, kept on disk between the check pass and the
write pass, and each batch still classified against the database when it is written."""

from django.db import transaction
from django.utils import translation

from stakeholders.imports import columns, preview
from stakeholders.imports.service import import_file, import_path
from stakeholders.models import Contact, Organization, Region, Tag
from tests.factories import OrganizationFactory

HEADER = "name,registration_number,email,type,influence,region,tags,preferred_language"
ROWS = [
    "Transit Baobab SARL,RC-1,contact@baobab.example,Transitaire,4,Kayes,AEO; aeo|corridor,French",
    "Sahel Import,RC-2,,importer,2,kayes,,fr",
    "Niger Cargo,RC 3,cargo@niger.example,carrier,5,Ségou,corridor,",
    "Transit Baobab again,rc-1,,,,,,",  # repeats row 2, a batch later
    "Plain Name,,,,,,,",
    "PLAIN NAME S.A.R.L.,,,,,,,",  # repeats row 6 by name
    "Existing Updated,RC-9,,,1,,pilot,en",
]


def write_csv(path, rows, header=HEADER):
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def organizations():
    """What an import wrote, timestamps aside; regions and tags by key (their ids are not given
    back by a rolled-back transaction on PostgreSQL)."""
    fields = [
        "region__key" if f.attname == "region_id" else f.attname
        for f in Organization._meta.concrete_fields
        if f.attname not in ("created_at", "updated_at")
    ]
    rows = list(Organization.objects.order_by("pk").values_list(*fields))
    links = sorted(Organization.tags.through.objects.values_list("organization_id", "tag__key"))
    history = sorted(Organization.history.values_list("id", "name", "history_type", "history_change_reason"))
    return rows, links, history, sorted(Region.objects.values_list("key", flat=True)), Tag.objects.count()


def test_each_row_is_checked_once_and_written_as_checked(db, tmp_path, monkeypatch):
    OrganizationFactory(name="Existing", registration_number="RC-9", influence=3)
    checked = []
    parse = preview._parse

    def counting_parse(row, *args):
        checked.append(row.number)
        parse(row, *args)

    monkeypatch.setattr(preview, "_parse", counting_parse)
    result = import_path(write_csv(tmp_path / "orgs.csv", ROWS), batch=3)

    assert sorted(checked) == list(range(2, 2 + len(ROWS)))  # the write pass read the kept values
    assert (result.summary.created, result.summary.updated, result.summary.duplicates) == (4, 1, 2)
    baobab = Organization.objects.get(registration_key="RC-1")
    assert (baobab.type, baobab.influence, baobab.region.name, baobab.preferred_language) == (
        "freight_forwarder",
        4,
        "Kayes",
        "fr",
    )
    assert sorted(baobab.tags.values_list("key", flat=True)) == ["aeo", "corridor"]  # "AEO; aeo" is one tag
    assert Organization.objects.get(registration_key="RC-9").influence == 1
    assert Organization.history.filter(history_type="+").count() == 5  # the existing one, and four imported


def test_streamed_and_one_shot_imports_write_the_same(db, tmp_path):
    """Batches of two, checked then written from the kept values, against the web page's single
    preview of the whole file."""
    OrganizationFactory(name="Existing", registration_number="RC-9", influence=3)
    path = write_csv(tmp_path / "orgs.csv", ROWS)
    with transaction.atomic():
        streamed = import_path(path, batch=2).summary
        written_streamed = organizations()
        transaction.set_rollback(True)
    _preview, one_shot = import_file(path.read_bytes(), path.name)
    assert str(streamed) == str(one_shot)
    assert organizations() == written_streamed


def test_a_later_batch_is_classified_against_what_earlier_batches_wrote(db, tmp_path):
    """Only the cell checks are kept: each batch is matched against the database when written, so a
    row matching (by e-mail) an organization that an earlier batch created updates it, as before."""
    path = write_csv(
        tmp_path / "orgs.csv",
        ["New Two,RC-101,two@n.example,,5,,,", "Two by e-mail,,TWO@n.example,,1,,,"],
    )
    assert import_path(path, batch=1, write=False).counts["new"] == 2  # nothing written yet to match
    summary = import_path(path, batch=1).summary
    assert (summary.created, summary.updated) == (1, 1)
    assert Organization.objects.get().influence == 1


def test_contacts_in_small_batches_find_their_organization_when_written(db, tmp_path):
    sahel = OrganizationFactory(name="Sahel Import", registration_number="RC-2")
    path = write_csv(
        tmp_path / "contacts.csv",
        ["Ann,Lee,RC-2,ann@c.example,oui", "Bob,Diallo,Sahel Import,,no", "Bob,Diallo,Sahel Import,,yes"],
        header="first_name,last_name,organization,email,consent",
    )
    summary = import_path(path, batch=1).summary
    assert (summary.created, summary.duplicates) == (2, 1)
    assert set(Contact.objects.values_list("organization_id", "consent")) == {(sahel.pk, True), (sahel.pk, False)}


def test_the_known_keys_probe_finds_what_the_lookup_would(db):
    OrganizationFactory(name="Transit Baobab SARL", registration_number="RC 1", email="Contact@Baobab.example")
    OrganizationFactory(name="No Number", registration_number="")
    assert preview._known_keys("registration_number", ["RC1", "RC2", ""]) == {"RC1"}
    assert preview._known_keys("email", ["contact@baobab.example", "other@x.example"]) == {"contact@baobab.example"}
    assert preview._known_keys("name", ["transit baobab", "no number", "nobody"]) == {"transit baobab", "no number"}


def test_remembered_checks_keep_values_but_tell_each_reader_in_their_language():
    assert columns.parse_code("type", "Importateur") == columns.parse_code("type", "importer") == "importer"
    assert columns.split_tags("a; b") is not columns.split_tags("a; b")  # a list of its own for each row
    with translation.override("en"):
        english = _message(columns.parse_code, "type", "zzz")
    with translation.override("fr"):
        french = _message(columns.parse_code, "type", "zzz")
    assert english != french
    assert "zzz" in french


def _message(parse, *args) -> str:
    try:
        parse(*args)
    except columns.CellError as error:
        return str(error)
    raise AssertionError("no error")
