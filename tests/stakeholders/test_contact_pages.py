from stakeholders.models import Contact
from tests.factories import ContactFactory, OrganizationFactory


def test_an_officer_adds_a_contact_found_by_registration_number(officer_client):
    organization = OrganizationFactory(name="Trans Bani SA", registration_number="RC-MAR-001001")
    response = officer_client.post(
        "/stakeholders/contacts/new/",
        {
            "first_name": "Kadiatou",
            "last_name": "Diabaté",
            "organization": "Trans Bani SA · RC-MAR-001001",
            "email": "Kadiatou@Transbani.example",
            "consent": "on",
            "consent_source": "Workshop in Kayes",
        },
    )
    contact = Contact.objects.get()
    assert response.status_code == 302
    assert contact.organization == organization
    assert contact.email == "kadiatou@transbani.example"
    assert contact.consent
    assert contact.consent_date is not None  # dated today when left empty


def test_the_organization_is_also_found_by_its_exact_name(officer_client):
    organization = OrganizationFactory(name="Trans Bani SA")
    officer_client.post("/stakeholders/contacts/new/", {"last_name": "Maïga", "organization": "trans bani sa"})
    assert Contact.objects.get().organization == organization


def test_an_unknown_organization_is_an_error_that_keeps_what_was_typed(officer_client):
    response = officer_client.post("/stakeholders/contacts/new/", {"last_name": "Maïga", "organization": "Nowhere Ltd"})
    body = response.content.decode()
    assert "No organization has this name or registration number." in body
    assert 'value="Nowhere Ltd"' in body


def test_the_e_mail_is_unique_among_active_contacts(officer_client):
    existing = ContactFactory(email="awa@x.example")
    response = officer_client.post("/stakeholders/contacts/new/", {"last_name": "Other", "email": "AWA@x.example"})
    assert "An active contact already has this e-mail address" in response.content.decode()
    existing.is_archived = True
    existing.save()
    response = officer_client.post("/stakeholders/contacts/new/", {"last_name": "Other", "email": "awa@x.example"})
    assert response.status_code == 302


def test_the_contact_list_filters_by_organization_and_consent(officer_client):
    organization = OrganizationFactory()
    ContactFactory(organization=organization, consent=True, last_name="Yes")
    ContactFactory(organization=organization, consent=False, last_name="No")
    ContactFactory(consent=True, last_name="Elsewhere")
    response = officer_client.get(f"/stakeholders/contacts/?organization={organization.pk}&consent=yes")
    assert [c.last_name for c in response.context["table"].page.object_list.data] == ["Yes"]


def test_the_suggestions_offer_matching_organizations(officer_client):
    OrganizationFactory(name="Comptoir Kapok", registration_number="RC-K-1", city="Kayes")
    OrganizationFactory(name="Union Aïr", registration_number="")
    body = officer_client.get("/stakeholders/suggest/organizations/?organization=kapok").content.decode()
    assert body.strip() == '<option value="Comptoir Kapok · RC-K-1" label="Customs broker · Kayes"></option>'


def test_regions_are_offered_when_the_field_is_entered_not_carried_by_every_page(officer_client):
    from tests.factories import RegionFactory

    for name in ("Kayes", "Sikasso", "Thiès"):
        RegionFactory(name=name)
    page = officer_client.get("/stakeholders/organizations/").content.decode()
    assert '<datalist id="region-options"></datalist>' in page
    assert 'hx-get="/stakeholders/suggest/regions/"' in page
    assert "focus once" in page
    every = officer_client.get("/stakeholders/suggest/regions/?region=").content.decode()
    assert every.strip() == (
        '<option value="Kayes"></option><option value="Sikasso"></option><option value="Thiès"></option>'
    )
    assert "Kayes" not in officer_client.get("/stakeholders/suggest/regions/?region=thi").content.decode()
