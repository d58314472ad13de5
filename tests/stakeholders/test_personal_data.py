import json

import pytest
from django.core.management import CommandError, call_command

from communications.models import Engagement
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
    assert person["history"] and person["history"][0]["email"] == "awa.kone@x.example"


def test_erase_says_what_it_would_do_then_anonymises_and_keeps_counts(db, capsys):
    contact = ContactFactory(first_name="Awa", last_name="Koné", email="awa.kone@x.example", phone="+223 20 00 00 00")
    engagement = EngagementFactory(organizations=[contact.organization])
    engagement.contacts.add(contact)
    call_command("personal_data", "erase", "awa.kone@x.example")
    assert "would anonymise 1 contact(s)" in capsys.readouterr().out
    assert Contact.objects.get().first_name == "Awa"  # nothing done without --yes
    call_command("personal_data", "erase", "awa.kone@x.example", "--yes")
    contact.refresh_from_db()
    assert (contact.first_name, contact.email, contact.phone) == ("", "", "")
    assert contact.last_name == f"Erased person {contact.pk}" and contact.is_archived
    assert not contact.history.filter(first_name="Awa").exists()  # the history holds no trace either
    assert not contact.history.filter(phone="+223 20 00 00 00").exists()
    assert Engagement.objects.get().contacts.count() == 1  # the engagement and its count stay


def test_erasing_an_unknown_address_is_an_error(db):
    with pytest.raises(CommandError, match="no contact"):
        call_command("personal_data", "erase", "nobody@x.example", "--yes")
