"""People: list (filters, export), page, create, edit, archive, merge, delete, history, data-protection requests."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from crm.lib.exports import record_export
from crm.lib.history import history_page
from crm.lib.listing import ListPage
from stakeholders import extensions, personal_data
from stakeholders.exports import CONTACTS
from stakeholders.filters import ContactFilter
from stakeholders.forms import ContactForm
from stakeholders.models import Contact, Organization
from stakeholders.selectors import contact_list
from stakeholders.services import contact_delete, contact_merge, contact_save, contact_set_archived
from stakeholders.tables import ContactTable
from stakeholders.views.merging import comparison, merge_page


class ContactList(ListPage):
    table_class = ContactTable
    filterset_class = ContactFilter
    dataset = CONTACTS
    template_name = "stakeholders/contact_list.html"
    partial_template_name = "stakeholders/partials/contact_results.html"

    def get_queryset(self):
        return contact_list(user=self.request.user)


def contact_detail(request, pk):
    contact = get_object_or_404(contact_list(user=request.user).select_related("merged_into"), pk=pk)
    extra = {}
    for add_context in extensions.CONTACT_PAGE_CONTEXT:
        extra.update(add_context(request, contact))
    return render(request, "stakeholders/contact_detail.html", {"contact": contact, **extra})


@permission_required("stakeholders.add_contact", raise_exception=True)
def contact_create(request):
    initial = {}
    organization_pk = request.GET.get("organization", "")
    if organization_pk.isdigit():
        initial["organization"] = Organization.objects.filter(pk=organization_pk).first()
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        contact = contact_save(contact=form.save(commit=False), changed=form.changed_data, by=request.user)
        messages.success(request, _("Contact “%(name)s” created.") % {"name": contact.full_name})
        return redirect(contact)
    return render(request, "stakeholders/contact_form.html", {"form": form})


@permission_required("stakeholders.change_contact", raise_exception=True)
def contact_edit(request, pk):
    contact = get_object_or_404(Contact, pk=pk)
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        contact = contact_save(contact=form.save(commit=False), changed=form.changed_data, by=request.user)
        messages.success(request, _("Changes to “%(name)s” saved.") % {"name": contact.full_name})
        return redirect(contact)
    return render(request, "stakeholders/contact_form.html", {"form": form, "contact": contact})


@require_POST
@permission_required("stakeholders.archive_contact", raise_exception=True)
def contact_archive(request, pk):
    contact = get_object_or_404(Contact, pk=pk)
    archive = request.POST.get("action") != "restore"
    try:
        contact_set_archived(contact=contact, archived=archive)
    except ValidationError as error:  # restoring can clash with an active contact's e-mail
        messages.error(request, " ".join(error.messages))
        return redirect(contact)
    messages.success(
        request,
        (_("“%(name)s” is archived.") if archive else _("“%(name)s” is restored.")) % {"name": contact.full_name},
    )
    return redirect(contact)


CONTACT_COMPARED = ["first_name", "last_name", "organization", "job_title", "email", "phone", "consent"]


def _contact_candidates(contact, q: str) -> list:
    if q:
        found = Contact.objects.filter(Q(last_name__icontains=q) | Q(first_name__icontains=q) | Q(email__iexact=q))
    else:
        found = Contact.objects.filter(last_name__iexact=contact.last_name)
    return list(found.exclude(pk=contact.pk).select_related("organization").order_by("last_name")[:20])


@permission_required("stakeholders.merge_contact", raise_exception=True)
def contact_merge_view(request, pk):
    return merge_page(
        request,
        get_object_or_404(Contact, pk=pk),
        merge=contact_merge,
        candidates=_contact_candidates,
        compare=lambda contact, other: comparison(contact, other, CONTACT_COMPARED),
        search_hint=_("Name or e-mail"),
        intro=_(
            "Engagements of the one not kept move to the one kept; empty fields of the one kept are filled from the other. The one not kept is archived and points to the one kept. Both histories record the merge."
        ),
    )


@permission_required("stakeholders.delete_contact", raise_exception=True)
def contact_delete_view(request, pk):
    contact = get_object_or_404(Contact, pk=pk)
    if request.method == "POST":
        name = contact.full_name
        contact_delete(contact=contact)
        messages.success(request, _("“%(name)s” was deleted; its history is kept.") % {"name": name})
        return redirect("stakeholders:contact_list")
    return render(
        request, "stakeholders/confirm_delete.html", {"object": contact, "cancel_url": contact.get_absolute_url()}
    )


def contact_history(request, pk):
    contact = get_object_or_404(Contact, pk=pk)
    return history_page(request, contact, back_url=contact.get_absolute_url())


@permission_required("stakeholders.delete_contact", raise_exception=True)
def contact_personal_data(request, pk):
    """A data-protection request, from the contact's page: everything held on the person, as JSON."""
    contact = get_object_or_404(Contact, pk=pk)
    people = personal_data.person_of(contact)
    data = personal_data.export_contacts(people, email=contact.email)
    record_export(
        user=request.user, name="personal-data", fmt="json", filters=f"contact={contact.pk}", rows=len(people)
    )
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="personal-data-contact-{contact.pk}.json"'
    return response


@permission_required("stakeholders.delete_contact", raise_exception=True)
def contact_erase(request, pk):
    """A data-protection request, from the contact's page: anonymise the person (after a confirmation)."""
    contact = get_object_or_404(Contact, pk=pk)
    people = personal_data.person_of(contact)
    if request.method == "POST":
        done = personal_data.erase_contacts(people)
        messages.success(
            request,
            _("Personal data erased from %(contacts)s and %(history)s; %(engagements)s.")
            % {
                "contacts": ngettext("%(n)s record", "%(n)s records", done["contacts"]) % {"n": done["contacts"]},
                "history": ngettext("%(n)s history entry", "%(n)s history entries", done["history_entries"])
                % {"n": done["history_entries"]},
                "engagements": ngettext("%(n)s engagement kept", "%(n)s engagements kept", done["engagements_kept"])
                % {"n": done["engagements_kept"]},
            },
        )
        return redirect(contact)
    return render(request, "stakeholders/contact_erase.html", {"contact": contact, "people": people})
