import json

import pytest
from django.core.management import CommandError, call_command

from communications.models import Engagement
from crm.lib import search
from stakeholders.models import Contact
from tests.factories import ContactFactory, EngagementFactory


def test_export_prints_everything_held_on_the_person(db, capsys):
    contact = ContactFactory(first_name="Awa", last_name="Koné", email="awa.kone@x.example", phone="+223 20 00 00 00")
    engagement = EngagementFactory(organizations=[contact.organization], title="Workshop in Kayes")
    engagement.contacts.add(contact)
    call_command("personal_data", "export", "AWA.KONE@x.example")
    data = json.loads(capsys.readouterr().out)
    [person] = data["contacts"]
    assert (person["first_name"], person["phone"]) == ("Awa", "+223 20 00 00 00")
    assert person["engagements"][0]["title"] == "Workshop in Kayes"
    assert person["history"]
    assert person["history"][0]["email"] == "awa.kone@x.example"


def test_erase_says_what_it_would_do_then_anonymises_and_keeps_counts(db, capsys, monkeypatch):
    merged = []
    forget = search.forget_removed_text
    monkeypatch.setattr(search, "forget_removed_text", lambda model: merged.append(model) or forget(model))
    contact = ContactFactory(first_name="Awa", last_name="Koné", email="awa.kone@x.example", phone="+223 20 00 00 00")
    engagement = EngagementFactory(organizations=[contact.organization])
    engagement.contacts.add(contact)
    call_command("personal_data", "erase", "awa.kone@x.example")
    assert "would anonymise 1 contact(s)" in capsys.readouterr().out
    assert Contact.objects.get().first_name == "Awa"  # nothing done without --yes
    call_command("personal_data", "erase", "awa.kone@x.example", "--yes")
    contact.refresh_from_db()
    assert (contact.first_name, contact.email, contact.phone) == ("", "", "")
    assert contact.last_name == f"Erased person {contact.pk}"
    assert contact.is_archived
    assert not contact.history.filter(first_name="Awa").exists()  # the history holds no trace either
    assert not contact.history.filter(phone="+223 20 00 00 00").exists()
    assert Engagement.objects.get().contacts.count() == 1  # the engagement and its count stay
    # Not found by the old name, nor left in the search index's storage (merged at once on SQLite).
    assert list(search.matching(Contact.objects.all(), "kone")) == []
    assert merged == [Contact]


def test_erasing_an_unknown_address_is_an_error(db):
    with pytest.raises(CommandError, match="no contact"):
        call_command("personal_data", "erase", "nobody@x.example", "--yes")


def test_an_administrator_downloads_a_persons_data_from_their_page_and_it_is_logged(admin_client_, administrator):
    from crm.models import ExportLog

    contact = ContactFactory(first_name="Awa", last_name="Koné", email="awa.kone@x.example")
    ContactFactory(first_name="Awa", last_name="Kone", email="AWA.KONE@x.example", is_archived=True)  # an old duplicate
    page = admin_client_.get(f"/stakeholders/contacts/{contact.pk}/").content.decode()
    assert "Download their personal data" in page
    assert "Erase their personal data" in page

    response = admin_client_.get(f"/stakeholders/contacts/{contact.pk}/personal-data/")
    assert response["Content-Disposition"] == f'attachment; filename="personal-data-contact-{contact.pk}.json"'
    data = json.loads(response.content)
    assert sorted(person["last_name"] for person in data["contacts"]) == ["Kone", "Koné"]
    entry = ExportLog.objects.get()
    assert (entry.user, entry.dataset, entry.rows) == (administrator, "personal-data", 2)


def test_an_administrator_erases_a_person_from_their_page_after_confirming(admin_client_):
    contact = ContactFactory(first_name="Awa", last_name="Koné", email="awa.kone@x.example")
    engagement = EngagementFactory(organizations=[contact.organization])
    engagement.contacts.add(contact)
    url = f"/stakeholders/contacts/{contact.pk}/erase/"
    assert "This cannot be undone" in admin_client_.get(url).content.decode()
    assert Contact.objects.get().first_name == "Awa"  # the confirmation page changes nothing

    response = admin_client_.post(url, follow=True)
    assert "Personal data erased from 1 record and " in response.content.decode()
    contact.refresh_from_db()
    assert (contact.first_name, contact.email, contact.is_archived) == ("", "", True)
    assert engagement.contacts.count() == 1


@pytest.mark.parametrize("client_fixture", ["officer_client", "manager_client"])
def test_only_administrators_may_make_these_requests(request, client_fixture):
    client = request.getfixturevalue(client_fixture)
    contact = ContactFactory(email="awa.kone@x.example")
    assert "Erase their personal data" not in client.get(f"/stakeholders/contacts/{contact.pk}/").content.decode()
    assert client.get(f"/stakeholders/contacts/{contact.pk}/personal-data/").status_code == 403
    assert client.post(f"/stakeholders/contacts/{contact.pk}/erase/").status_code == 403
    assert Contact.objects.get().email == "awa.kone@x.example"
