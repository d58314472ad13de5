"""A missing organization, or a new person met, added from the quick log without leaving it.

The quick log's "Add a new organization" and "Add a new person" buttons send the whole quick log
back to its own page (htmx swaps only the small form that opens; without JavaScript the page
reloads). The record is created through the registry's services, under its de-duplication rules
and permissions, and the quick log is shown again as typed, with the new record chosen in it.
Nothing is checked or saved in the quick log itself until its own button is pressed."""

from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.utils.translation import gettext as _

from communications.forms import resolve_organization
from stakeholders.forms import NewContactForm, NewOrganizationForm, OrganizationChoiceField
from stakeholders.services import contact_save, organization_save

ORGANIZATION_PREFIX, CONTACT_PREFIX = "new_organization", "new_contact"
ACTIONS = ("_add_organization", "_create_organization", "_add_contact", "_create_contact", "_close_new")


def is_addition(request) -> bool:
    return request.method == "POST" and any(action in request.POST for action in ACTIONS)


def _segments(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def _not_found(text: str) -> str:
    """The last organization typed that the registry does not know (offered as the new name)."""
    missing = [part for part in _segments(text) if resolve_organization(part) is None]
    return missing[-1] if missing else ""


def _choose_organization(text: str, organization) -> str:
    kept = [part for part in _segments(text) if resolve_organization(part) != organization]
    return "; ".join([*kept, OrganizationChoiceField.label_for(organization)])


def _without(data: QueryDict, prefix: str) -> None:
    for key in [k for k in data if k.startswith(f"{prefix}-")]:
        del data[key]


def _check(user, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied


def quick_additions(request, form) -> tuple[QueryDict, dict]:
    """What the quick log is shown with after one of ACTIONS: the posted data (with a record just
    added chosen in it) and the context of the small form that is open, if any."""
    posted, data, context = request.POST, request.POST.copy(), {}
    organizations_key, contacts_key = form.add_prefix("organizations"), form.add_prefix("contacts")
    if "_add_organization" in posted:
        _check(request.user, "stakeholders.add_organization")
        initial = {"name": _not_found(posted.get(organizations_key, ""))}
        context["new_organization_form"] = NewOrganizationForm(prefix=ORGANIZATION_PREFIX, initial=initial)
    elif "_create_organization" in posted:
        _check(request.user, "stakeholders.add_organization")
        new = NewOrganizationForm(posted, prefix=ORGANIZATION_PREFIX)
        if new.is_valid():
            organization = organization_save(organization=new.save(commit=False))
            data[organizations_key] = _choose_organization(posted.get(organizations_key, ""), organization)
            _without(data, ORGANIZATION_PREFIX)
            context["organization_added"] = _("“%(name)s” is in the registry now, and among the organizations met.") % {
                "name": organization.name
            }
        else:
            context["new_organization_form"] = new
    elif "_add_contact" in posted or "_create_contact" in posted:
        _check(request.user, "stakeholders.add_contact")
        organizations = form.chosen_organizations()
        if "_add_contact" in posted:
            context["new_contact_form"] = NewContactForm(prefix=CONTACT_PREFIX, organizations=organizations)
        else:
            new = NewContactForm(posted, prefix=CONTACT_PREFIX, organizations=organizations)
            if new.is_valid():
                contact = contact_save(contact=new.save(commit=False), changed=new.changed_data, by=request.user)
                data.setlist(contacts_key, [*posted.getlist(contacts_key), str(contact.pk)])
                _without(data, CONTACT_PREFIX)
                context["contact_added"] = _("%(name)s is in the registry now, and among the people met.") % {
                    "name": contact.full_name
                }
            else:
                context["new_contact_form"] = new
    else:  # _close_new: the small form is put away, what it held is dropped
        _without(data, ORGANIZATION_PREFIX)
        _without(data, CONTACT_PREFIX)
    return data, context


def unfinished_additions(request) -> dict:
    """A new organization or person typed but not added: the quick log is not sent without them."""
    context = {}
    if request.POST.get(f"{ORGANIZATION_PREFIX}-name", "").strip():
        new = NewOrganizationForm(request.POST, prefix=ORGANIZATION_PREFIX)
        new.add_error("name", _("Add this organization, or cancel it, before logging the engagement."))
        context["new_organization_form"] = new
    if request.POST.get(f"{CONTACT_PREFIX}-last_name", "").strip():
        new = NewContactForm(request.POST, prefix=CONTACT_PREFIX)
        new.add_error("last_name", _("Add this person, or cancel, before logging the engagement."))
        context["new_contact_form"] = new
    return context
