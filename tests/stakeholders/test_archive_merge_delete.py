from stakeholders.models import Contact, Organization
from tests.factories import ContactFactory, OrganizationFactory


def test_officers_never_archive_merge_or_delete(officer_client):
    organization = OrganizationFactory()
    assert officer_client.post(f"/stakeholders/organizations/{organization.pk}/archive/").status_code == 403
    assert officer_client.get(f"/stakeholders/organizations/{organization.pk}/merge/").status_code == 403
    assert officer_client.post(f"/stakeholders/organizations/{organization.pk}/delete/").status_code == 403
    assert Organization.objects.filter(pk=organization.pk, is_archived=False).exists()


def test_a_manager_archives_and_restores(manager_client):
    organization = OrganizationFactory()
    manager_client.post(f"/stakeholders/organizations/{organization.pk}/archive/", {"action": "archive"})
    organization.refresh_from_db()
    assert organization.is_archived
    assert organization.history.first().history_change_reason == "Archived"
    assert manager_client.get("/stakeholders/organizations/").context["table"].paginator.count == 0
    manager_client.post(f"/stakeholders/organizations/{organization.pk}/archive/", {"action": "restore"})
    organization.refresh_from_db()
    assert not organization.is_archived


def test_a_manager_merges_two_organizations(manager_client):
    survivor = OrganizationFactory(name="Transit Baobab SARL", email="", city="Kayes")
    duplicate = OrganizationFactory(name="TRANSIT BAOBAB", email="tb@x.example", registration_number="RC-DUP")
    duplicate.tags.create(name="AEO pilot")
    person = ContactFactory(organization=duplicate)
    page = manager_client.get(f"/stakeholders/organizations/{survivor.pk}/merge/")
    assert duplicate in page.context["candidates"]  # similar names are offered
    response = manager_client.post(
        f"/stakeholders/organizations/{survivor.pk}/merge/", {"other": duplicate.pk, "keep": "this"}
    )
    assert response.status_code == 302
    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    person.refresh_from_db()
    assert person.organization == survivor
    assert [t.name for t in survivor.tags.all()] == ["AEO pilot"]
    assert survivor.email == "tb@x.example"  # empty fields filled from the duplicate
    assert duplicate.is_archived
    assert duplicate.merged_into == survivor
    assert "Merged with TRANSIT BAOBAB" in survivor.history.first().history_change_reason
    assert "Merged into Transit Baobab SARL" in duplicate.history.first().history_change_reason


def test_merging_can_keep_the_other_one(manager_client):
    first, second = OrganizationFactory(), OrganizationFactory()
    manager_client.post(f"/stakeholders/organizations/{first.pk}/merge/", {"other": second.pk, "keep": "other"})
    first.refresh_from_db()
    assert first.merged_into == second


def test_only_administrators_delete_and_the_history_keeps_it(client, manager, administrator):
    organization = OrganizationFactory(name="Gone SA")
    client.force_login(manager)
    assert client.post(f"/stakeholders/organizations/{organization.pk}/delete/").status_code == 403
    client.force_login(administrator)
    assert client.post(f"/stakeholders/organizations/{organization.pk}/delete/").status_code == 302
    assert not Organization.objects.filter(pk=organization.pk).exists()
    assert Organization.history.filter(id=organization.pk, history_type="-").exists()


def test_an_organization_with_contacts_is_not_deleted(client, administrator):
    person = ContactFactory()
    client.force_login(administrator)
    client.post(f"/stakeholders/organizations/{person.organization_id}/delete/")
    assert Contact.objects.filter(pk=person.pk).exists()


def test_a_manager_merges_two_contacts(manager_client):
    keep = ContactFactory(last_name="Koné", email="awa@x.example", phone="")
    other = ContactFactory(last_name="Koné", email="awa.kone@y.example", phone="+223 20 00 00 00")
    manager_client.post(f"/stakeholders/contacts/{keep.pk}/merge/", {"other": other.pk, "keep": "this"})
    keep.refresh_from_db()
    other.refresh_from_db()
    assert keep.phone == "+223 20 00 00 00"
    assert other.is_archived
    assert other.merged_into == keep
