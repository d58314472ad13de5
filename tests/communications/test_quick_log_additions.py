"""The quick log's pickers: suggestions that tell organizations apart, and a missing organization
or a new person added from the quick log itself, without losing anything typed."""

from communications.models import Engagement
from stakeholders.models import Contact, Organization
from tests.factories import ContactFactory, OrganizationFactory, RegionFactory

URL = "/communications/engagements/new/"


def typed(**extra) -> dict:
    """A half-filled quick log, as the browser sends it."""
    return {
        "csrfmiddlewaretoken": "-",
        "occurred_on": "2026-03-02",
        "kind": "meeting",
        "title": "Réunion sur les délais",
        "organizations": "Transit Saloum · RC-SAL-1; Acacia Nouvelle",
        "summary": "Délais à Diboli",
        "follow_ups-TOTAL_FORMS": "2",
        "follow_ups-INITIAL_FORMS": "0",
        "follow_ups-0-description": "Envoyer le compte rendu",
        **extra,
    }


def assert_kept(response, organizations=None):
    form = response.context["form"]
    assert form["title"].value() == "Réunion sur les délais"
    assert form["summary"].value() == "Délais à Diboli"
    assert response.context["formset"].forms[0]["description"].value() == "Envoyer le compte rendu"
    if organizations is not None:
        assert form["organizations"].value() == organizations
    assert not form.errors, "checking the quick log waits until it is sent"


def test_suggestions_tell_organizations_apart_by_type_and_place(officer_client):
    OrganizationFactory(name="Transit Acacia SARL", type="freight_forwarder", city="Kayes", registration_number="")
    OrganizationFactory(name="Import Acacia SARL", type="importer", city="", region=RegionFactory(name="Sikasso"))
    body = officer_client.get("/stakeholders/suggest/organizations/?organization=acacia").content.decode()
    assert '<option value="Import Acacia SARL · RC-TEST-' in body
    assert 'label="Importer · Sikasso"' in body
    assert '<option value="Transit Acacia SARL" label="Freight forwarder · Kayes"></option>' in body
    officer_client.cookies["django_language"] = "fr"
    body = officer_client.get("/stakeholders/suggest/organizations/?organization=acacia").content.decode()
    assert 'label="Transitaire · Kayes"' in body


def test_suggestions_complete_the_last_of_several_organizations(officer_client):
    OrganizationFactory(name="Transit Acacia SARL", registration_number="RC-A")
    body = officer_client.get(
        "/stakeholders/suggest/organizations/", {"organizations": "Transit Saloum · RC-SAL-1; acac"}
    ).content.decode()
    assert '<option value="Transit Acacia SARL · RC-A"' in body


def test_a_missing_organization_is_added_from_the_quick_log_keeping_what_was_typed(officer_client):
    OrganizationFactory(name="Transit Saloum", registration_number="RC-SAL-1")
    kayes = RegionFactory(name="Kayes")
    opened = officer_client.post(URL, typed(_add_organization="1"))
    assert opened.status_code == 200
    assert_kept(opened)
    assert opened.context["new_organization_form"]["name"].value() == "Acacia Nouvelle"  # what was not found
    assert 'name="new_organization-name"' in opened.content.decode()

    added = officer_client.post(
        URL,
        typed(
            _create_organization="1",
            **{
                "new_organization-name": "Acacia Nouvelle",
                "new_organization-type": "importer",
                "new_organization-registration_number": "RC-ACA-9",
                "new_organization-region": str(kayes.pk),
                "new_organization-city": "Kayes",
            },
        ),
    )
    assert added.status_code == 200
    organization = Organization.objects.get(name="Acacia Nouvelle")
    assert (organization.type, organization.region, organization.city) == ("importer", kayes, "Kayes")
    assert_kept(added, organizations="Transit Saloum · RC-SAL-1; Acacia Nouvelle · RC-ACA-9")
    assert "new_organization_form" not in added.context or added.context["new_organization_form"] is None
    assert Engagement.objects.count() == 0  # nothing logged yet


def test_an_organization_added_from_the_quick_log_follows_the_duplicate_rules(officer_client):
    OrganizationFactory(name="Transit Saloum", registration_number="RC-SAL-1")
    OrganizationFactory(name="Acacia Nouvelle SARL", registration_number="RC-OLD")
    common = {"new_organization-type": "importer", "_create_organization": "1"}
    clash = officer_client.post(
        URL, typed(**common, **{"new_organization-name": "Autre", "new_organization-registration_number": "rc-old "})
    )
    assert "This registration number is already used by" in clash.content.decode()
    similar = officer_client.post(URL, typed(**common, **{"new_organization-name": "ACACIA NOUVELLE S.A.R.L."}))
    assert "An organization with a similar name exists" in similar.content.decode()
    assert 'name="new_organization-confirm_similar"' in similar.content.decode()
    assert Organization.objects.count() == 2
    assert_kept(clash), assert_kept(similar)
    assert "There is a problem" in similar.content.decode()  # the summary lists the refusal


def test_a_new_person_met_is_added_from_the_quick_log_and_ticked(officer_client):
    saloum = OrganizationFactory(name="Transit Saloum", registration_number="RC-SAL-1")
    known = ContactFactory(organization=saloum, first_name="Fatoumata", last_name="Diallo")
    data = typed(organizations="Transit Saloum · RC-SAL-1", contacts=[str(known.pk)])
    opened = officer_client.post(URL, {**data, "_add_contact": "1"})
    assert_kept(opened)
    assert list(opened.context["new_contact_form"].fields["organization"].queryset) == [saloum]

    added = officer_client.post(
        URL,
        {
            **data,
            "_create_contact": "1",
            "new_contact-first_name": "Ibrahima",
            "new_contact-last_name": "Sow",
            "new_contact-organization": str(saloum.pk),
            "new_contact-job_title": "Déclarant",
            "new_contact-email": "ibrahima.sow@saloum.example",
        },
    )
    person = Contact.objects.get(last_name="Sow")
    assert person.organization == saloum
    assert person.job_title == "Déclarant"
    assert_kept(added)
    ticked = {str(contact.pk) for contact, checked in added.context["form"].contact_options() if checked}
    assert ticked == {str(known.pk), str(person.pk)}


def test_a_new_person_follows_the_duplicate_rules(officer_client):
    saloum = OrganizationFactory(name="Transit Saloum", registration_number="RC-SAL-1")
    ContactFactory(organization=saloum, email="awa@saloum.example")
    refused = officer_client.post(
        URL,
        typed(
            organizations="Transit Saloum · RC-SAL-1",
            _create_contact="1",
            **{
                "new_contact-last_name": "Sow",
                "new_contact-organization": str(saloum.pk),
                "new_contact-email": "AWA@saloum.example",
            },
        ),
    )
    assert "An active contact already has this e-mail address" in refused.content.decode()
    assert Contact.objects.count() == 1
    assert_kept(refused)


def test_logging_with_a_new_organization_half_typed_is_refused(officer_client):
    OrganizationFactory(name="Transit Saloum", registration_number="RC-SAL-1")
    response = officer_client.post(
        URL, typed(organizations="Transit Saloum · RC-SAL-1", **{"new_organization-name": "Acacia Nouvelle"})
    )
    assert response.status_code == 200
    assert Engagement.objects.count() == 0
    assert "Add this organization, or cancel it" in response.content.decode()


def test_the_small_forms_refuse_hostile_ids(officer_client):
    from tests.crm.test_hostile_input import HOSTILE_IDS

    OrganizationFactory(name="Transit Saloum", registration_number="RC-SAL-1")
    for value in HOSTILE_IDS:
        organization = officer_client.post(
            URL,
            typed(
                _create_organization="1",
                **{"new_organization-name": "Acacia", "new_organization-type": value, "new_organization-region": value},
            ),
        )
        assert organization.status_code == 200
        assert {"type", "region"} <= set(organization.context["new_organization_form"].errors)
        person = officer_client.post(
            URL, typed(_create_contact="1", **{"new_contact-last_name": "Sow", "new_contact-organization": value})
        )
        assert person.status_code == 200
        assert "organization" in person.context["new_contact_form"].errors
    assert Organization.objects.count() == 1
    assert Contact.objects.count() == 0
