"""Every page of the app with a form that the server may refuse, for tests that go over them all.

`form_pages(...)` lists (name, url, client) after making the records the pages need; the client
is signed in with a role allowed to use the page."""

import pytest
from django.test import Client

from communications.models import Campaign, Commitment, Topic
from crm.accounts.roles import Role
from crm.webhooks.services import endpoint_create
from tests.factories import ContactFactory, EngagementFactory, FollowUpFactory, OrganizationFactory, UserFactory


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def form_pages(db):
    manager = UserFactory(role=Role.MANAGER, email="pages-manager@example.test")
    administrator = UserFactory(role=Role.ADMINISTRATOR, email="pages-admin@example.test")
    Topic.objects.get_or_create(name="Release delays")
    organization, other = OrganizationFactory(), OrganizationFactory()
    contact, other_contact = ContactFactory(organization=organization), ContactFactory(organization=organization)
    engagement = EngagementFactory(organizations=[organization], author=manager)
    follow_up = FollowUpFactory(engagement=engagement, owner=manager)
    commitment = Commitment.objects.create(type="mou", title="MoU", author=manager)
    commitment.parties.set([organization])
    from tests.factories import ConcernFactory

    concern = ConcernFactory(organization=organization, author=manager)
    campaign = Campaign.objects.create(name="Integrity day", owner=manager)
    colleague = UserFactory(role=Role.OFFICER, email="pages-officer@example.test")
    endpoint, _secret = endpoint_create(
        name="Partner", url="https://partner.example.org/hooks", events=["concern.raised"], actor=administrator
    )
    as_manager, as_admin = _client(manager), _client(administrator)
    return [
        ("organization new", "/stakeholders/organizations/new/", as_manager),
        ("organization edit", f"/stakeholders/organizations/{organization.pk}/edit/", as_manager),
        ("organization merge", f"/stakeholders/organizations/{organization.pk}/merge/?other={other.pk}", as_manager),
        ("contact new", "/stakeholders/contacts/new/", as_manager),
        ("contact edit", f"/stakeholders/contacts/{contact.pk}/edit/", as_manager),
        ("contact merge", f"/stakeholders/contacts/{contact.pk}/merge/?other={other_contact.pk}", as_manager),
        ("import", "/stakeholders/import/", as_manager),
        ("quick log", "/communications/engagements/new/", as_manager),
        ("engagement edit", f"/communications/engagements/{engagement.pk}/edit/", as_manager),
        ("follow-up edit", f"/communications/follow-ups/{follow_up.pk}/edit/", as_manager),
        ("commitment new", "/communications/commitments/new/", as_manager),
        ("commitment edit", f"/communications/commitments/{commitment.pk}/edit/", as_manager),
        ("concern new", "/communications/concerns/new/", as_manager),
        ("concern edit", f"/communications/concerns/{concern.pk}/edit/", as_manager),
        ("campaign new", "/communications/campaigns/new/", as_manager),
        ("campaign edit", f"/communications/campaigns/{campaign.pk}/edit/", as_manager),
        ("survey import", "/dashboard/survey/", as_admin),
        ("user invite", "/users/invite/", as_admin),
        ("user edit", f"/users/{colleague.pk}/", as_admin),
        ("webhook endpoint new", "/settings/webhooks/new/", as_admin),
        ("webhook endpoint edit", f"/settings/webhooks/{endpoint.pk}/edit/", as_admin),
        ("password change", "/accounts/password/change/", as_manager),
    ]


def page_forms(context) -> list:
    """The Django forms a page shows: `form`, each form of `formset`, and the audience filter's form."""
    found = []
    for key in ("form", "formset", "audience_form", "new_organization_form", "new_contact_form"):
        item = context.get(key)
        if item is None:
            continue
        if hasattr(item, "forms"):  # a formset
            found.extend(item.forms)
        elif hasattr(item, "fields"):
            found.append(item)
        elif hasattr(item, "form"):  # a filterset
            found.append(item.form)
    return found


def formset_management(context) -> dict:
    formset = context.get("formset")
    if formset is None:
        return {}
    return {f"{formset.prefix}-TOTAL_FORMS": str(len(formset.forms)), f"{formset.prefix}-INITIAL_FORMS": "0"}


def form_data(response) -> dict:
    """What the browser would send back: every field of the page's form as shown."""
    data = {}
    for field in response.context["form"]:
        value = field.value()
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[field.html_name] = [str(getattr(v, "pk", v)) for v in value]
        else:
            data[field.html_name] = value
    formset = response.context.get("formset")
    if formset is not None:  # no follow-up added
        data |= {f"{formset.prefix}-TOTAL_FORMS": "0", f"{formset.prefix}-INITIAL_FORMS": "0"}
    return data
