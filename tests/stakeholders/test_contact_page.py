"""A contact's page: who they are and the engagements they attended."""

from tests.factories import ContactFactory, EngagementFactory


def test_a_contacts_page_lists_the_engagements_they_attended(officer_client):
    contact = ContactFactory(first_name="Awa", last_name="Koné")
    attended = EngagementFactory(organizations=[contact.organization], title="Workshop in Kayes")
    attended.contacts.add(contact)
    EngagementFactory(organizations=[contact.organization], title="Call without her")
    removed = EngagementFactory(organizations=[contact.organization], title="Removed meeting", is_removed=True)
    removed.contacts.add(contact)
    page = officer_client.get(f"/stakeholders/contacts/{contact.pk}/").content.decode()
    assert "Workshop in Kayes" in page
    assert "Call without her" not in page
    assert "Removed meeting" not in page
