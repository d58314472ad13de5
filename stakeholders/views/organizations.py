"""Organization pages: list (filters, sort, export), page, create, edit, archive, merge, delete, history, map."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import Count, F, OuterRef, ProtectedError, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.lib.expressions import JoinedValues
from crm.lib.history import history_page
from crm.lib.listing import ListPage
from stakeholders import extensions
from stakeholders.choices import MapQuadrant, quadrant
from stakeholders.exports import ORGANIZATIONS
from stakeholders.filters import OrganizationFilter
from stakeholders.forms import OrganizationForm
from stakeholders.models import Contact, Organization, Tag
from stakeholders.selectors import organization_list
from stakeholders.services import (
    organization_delete,
    organization_merge,
    organization_save,
    organization_set_archived,
    similar_organizations,
    tags_from_names,
)
from stakeholders.tables import OrganizationTable
from stakeholders.views.merging import comparison, merge_page


class OrganizationList(ListPage):
    table_class = OrganizationTable
    filterset_class = OrganizationFilter
    dataset = ORGANIZATIONS
    template_name = "stakeholders/organization_list.html"
    partial_template_name = "stakeholders/partials/organization_results.html"

    def get_queryset(self):
        return organization_list(user=self.request.user)


def organization_detail(request, pk):
    """Six queries however long its record (with the session and the user): the organization with
    its tags and number of contacts, similar names, contacts, a page of its timeline; its open
    follow-ups, commitments and concerns come just after (communications:organization_outcomes)."""
    live_contacts = Contact.objects.filter(organization=OuterRef("pk"), is_archived=False).order_by()
    organization = get_object_or_404(
        organization_list(user=request.user)
        .select_related("customs_office", "merged_into")
        .annotate(
            tag_names=JoinedValues(
                Tag.objects.filter(organizations=OuterRef("pk")).order_by("name").values(joined_value=F("name"))
            ),
            contact_count=Coalesce(
                Subquery(live_contacts.values("organization").annotate(n=Count("pk")).values("n")), 0
            ),
        ),
        pk=pk,
    )
    contacts = organization.contacts.filter(is_archived=False).order_by("-is_key_contact", "last_name", "first_name")
    extra = {}
    for add_context in extensions.ORGANIZATION_PAGE_CONTEXT:
        extra.update(add_context(request, organization))
    return render(
        request,
        "stakeholders/organization_detail.html",
        {
            **extra,
            "organization": organization,
            "tags": organization.tag_names.split("; ") if organization.tag_names else [],
            "contacts": contacts[:50],
            "contact_count": organization.contact_count,
            "similar": similar_organizations(organization.name, exclude_pk=organization.pk),
            "quadrant": organization.quadrant,
            "map_rows": _mini_map(organization),
        },
    )


def _mini_map(organization) -> list[list[dict]]:
    """A 5×5 grid, influence 5 at the top, with the organization's cell marked."""
    return [
        [
            {
                "influence": influence,
                "interest": interest,
                "here": influence == organization.influence and interest == organization.interest,
                "quadrant": quadrant(influence, interest),
            }
            for interest in range(1, 6)
        ]
        for influence in range(5, 0, -1)
    ]


def _save_form(request, form, organization=None):
    organization = form.save(commit=False)
    organization_save(organization=organization, tags=tags_from_names(form.tags()))
    return organization


@permission_required("stakeholders.add_organization", raise_exception=True)
def organization_create(request):
    form = OrganizationForm(request.POST or None, initial={"owner": request.user.email})
    if request.method == "POST" and form.is_valid():
        organization = _save_form(request, form)
        messages.success(request, _("Organization “%(name)s” created.") % {"name": organization.name})
        return redirect(organization)
    return render(request, "stakeholders/organization_form.html", {"form": form})


@permission_required("stakeholders.change_organization", raise_exception=True)
def organization_edit(request, pk):
    organization = get_object_or_404(Organization, pk=pk)
    form = OrganizationForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        organization = _save_form(request, form)
        messages.success(request, _("Changes to “%(name)s” saved.") % {"name": organization.name})
        return redirect(organization)
    return render(request, "stakeholders/organization_form.html", {"form": form, "organization": organization})


@require_POST
@permission_required("stakeholders.archive_organization", raise_exception=True)
def organization_archive(request, pk):
    organization = get_object_or_404(Organization, pk=pk)
    archive = request.POST.get("action") != "restore"
    organization_set_archived(organization=organization, archived=archive)
    if archive:
        messages.success(
            request,
            _("“%(name)s” is archived: it no longer shows in lists, and its history is kept.")
            % {"name": organization.name},
        )
    else:
        messages.success(request, _("“%(name)s” is restored.") % {"name": organization.name})
    return redirect(organization)


ORGANIZATION_COMPARED = [
    "name",
    "acronym",
    "type",
    "registration_number",
    "region",
    "city",
    "email",
    "phone",
    "aeo_status",
    "owner",
]


def _organization_candidates(organization, q: str) -> list:
    if q:
        found = Organization.objects.filter(Q(name__icontains=q) | Q(registration_number__iexact=q))
        return list(found.exclude(pk=organization.pk).select_related("region").order_by("name")[:20])
    return similar_organizations(organization.name, exclude_pk=organization.pk, limit=10)


def _organization_comparison(organization, other) -> list[tuple]:
    rows = comparison(organization, other, ORGANIZATION_COMPARED)
    rows.append((_("contacts"), organization.contacts.count(), other.contacts.count()))
    return rows


@permission_required("stakeholders.merge_organization", raise_exception=True)
def organization_merge_view(request, pk):
    return merge_page(
        request,
        get_object_or_404(Organization, pk=pk),
        merge=organization_merge,
        candidates=_organization_candidates,
        compare=_organization_comparison,
        search_hint=_("Name or registration number"),
        intro=_(
            "Contacts, tags and engagements of the one not kept move to the one kept; empty fields of the one kept are filled from the other. The one not kept is archived and points to the one kept. Both histories record the merge."
        ),
    )


@permission_required("stakeholders.delete_organization", raise_exception=True)
def organization_delete_view(request, pk):
    organization = get_object_or_404(Organization, pk=pk)
    if request.method == "POST":
        if organization.contacts.exists():
            messages.error(request, _("Move or delete its contacts first, or merge it into another organization."))
            return redirect(organization)
        name = organization.name
        try:
            organization_delete(organization=organization)
        except ProtectedError:
            messages.error(
                request,
                _(
                    "Other records refer to this organization (engagements, commitments or concerns): archive it, or merge it into another, instead."
                ),
            )
            return redirect(organization)
        messages.success(request, _("“%(name)s” was deleted; its history is kept.") % {"name": name})
        return redirect("stakeholders:organization_list")
    return render(
        request,
        "stakeholders/confirm_delete.html",
        {"object": organization, "cancel_url": organization.get_absolute_url()},
    )


def organization_history(request, pk):
    organization = get_object_or_404(Organization, pk=pk)
    return history_page(request, organization, back_url=organization.get_absolute_url())


def stakeholder_map(request):
    """Influence × interest of the filtered organizations, each cell linking to its list."""
    filterset = OrganizationFilter(request.GET, queryset=Organization.objects.all(), request=request)
    queryset = filterset.qs if filterset.is_valid() else Organization.objects.none()
    counts = {
        (row["influence"], row["interest"]): row["n"]
        for row in queryset.values("influence", "interest").annotate(n=Count("pk")).order_by()
    }
    base = request.GET.copy()
    for key in ("influence", "interest", "page"):
        base.pop(key, None)
    list_url = reverse("stakeholders:organization_list")
    rows = []
    for influence in range(5, 0, -1):
        cells = []
        for interest in range(1, 6):
            query = base.copy()
            query["influence"], query["interest"] = influence, interest
            cells.append(
                {
                    "influence": influence,
                    "interest": interest,
                    "count": counts.get((influence, interest), 0),
                    "url": f"{list_url}?{query.urlencode()}",
                    "quadrant": quadrant(influence, interest),
                }
            )
        rows.append(cells)
    quadrant_totals = dict.fromkeys(MapQuadrant, 0)
    for (influence, interest), n in counts.items():
        quadrant_totals[quadrant(influence, interest)] += n
    return render(
        request,
        "stakeholders/stakeholder_map.html",
        {
            "filter": filterset,
            "rows": rows,
            "total": sum(counts.values()),
            "quadrants": [(q, q.label, quadrant_totals[q]) for q in MapQuadrant],
            "filter_query": urlencode([(k, v) for k, vs in base.lists() for v in vs]),
        },
    )
