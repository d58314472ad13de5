"""crm.lib.bulk: rows written in bulk get the "created" history entry django-simple-history would
have written for them through the ORM, from one definition (history_entry) that the import and
the demo seeding share."""

from django.utils import timezone

from crm.lib.bulk import history_entry, insert_created_history, insert_rows, next_ids
from stakeholders.models import Contact, Organization
from tests.factories import OrganizationFactory, RegionFactory, UserFactory

# Columns that differ between two records of the same values: their ids and timestamps.
OWN = {"history_id", "id", "history_date", "created_at"}


def entry(record) -> dict:
    return {k: v for k, v in record.history.filter(history_type="+").values().get().items() if k not in OWN}


def row_of(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_a_bulk_insert_writes_the_entry_simple_history_writes(db):
    actor = UserFactory()
    saved = Organization(name="Transit Baobab SARL", region=RegionFactory(), owner=actor, influence=5)
    saved._history_user, saved._change_reason = actor, "Import: file.csv"
    saved.save()  # through the ORM: simple-history writes the entry
    row = row_of(saved) | {"id": next_ids(Organization, 1).start}
    assert insert_rows(Organization, [row], history_reason="Import: file.csv", history_user_id=actor.pk) == 1
    assert entry(Organization.objects.get(pk=row["id"])) == entry(saved)
    assert entry(saved)["history_user_id"] == actor.pk
    assert entry(saved)["influence"] == 5


def test_the_entries_follow_the_one_shape_for_any_model(db):
    organization = OrganizationFactory()
    first = next_ids(Contact, 1).start
    when = timezone.now()
    Contact.objects.bulk_create(
        Contact(pk=first + i, last_name=f"Fictive {i}", organization=organization) for i in range(3)
    )
    assert insert_created_history(Contact, range(first, first + 3), reason="Demo data", date=when) == 3
    shape = history_entry(date=when, reason="Demo data", user_id=None)
    entries = Contact.history.filter(id__gte=first).order_by("id")
    assert [e.id for e in entries] == [first, first + 1, first + 2]
    for record in entries.values():
        assert {k: record[k] for k in shape} == shape
    assert [e.last_name for e in entries] == ["Fictive 0", "Fictive 1", "Fictive 2"]
    assert insert_created_history(Contact, range(first, first)) == 0


def test_rows_without_consecutive_ids_each_get_one_entry(db):
    organization = OrganizationFactory()
    start = next_ids(Contact, 1).start
    ids = [start, start + 1, start + 5, start + 9, start + 10]
    defaults = row_of(Contact(last_name="x", organization=organization)) | {"created_at": timezone.now()}
    rows = [defaults | {"id": pk, "last_name": f"Fictive {pk}", "updated_at": defaults["created_at"]} for pk in ids]
    assert insert_rows(Contact, rows, history_reason="Demo data") == 5
    assert sorted(Contact.history.filter(history_type="+").values_list("id", flat=True)) == ids
