"""Campaigns: list, create and edit (with the audience chosen like the organizations list is
filtered), page with progress against targets, printable report, mailing list, audience not reached."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from communications.campaigns import (
    audience,
    audience_filter,
    campaign_events,
    campaign_progress,
    campaign_save,
    not_reached,
)
from communications.exports import CAMPAIGNS, MAILING_LIST
from communications.filters import CampaignFilter
from communications.forms import CampaignForm
from communications.models import Campaign
from communications.tables import CampaignTable
from crm.lib.exports import export_response, log_export
from crm.lib.history import history_page
from crm.lib.listing import EXPORT_FORMATS, ListPage
from stakeholders.exports import ORGANIZATIONS
from stakeholders.filters import OrganizationFilter
from stakeholders.models import Contact, Organization

AUDIENCE_PREFIX = "audience"


class CampaignList(ListPage):
    table_class = CampaignTable
    filterset_class = CampaignFilter
    dataset = CAMPAIGNS
    template_name = "communications/campaign_list.html"
    partial_template_name = "communications/partials/register_results.html"

    def get_queryset(self):
        return Campaign.objects.select_related("owner")


def _audience_query(data, user=None) -> str:
    """The audience fields of the form (prefixed) as the organizations list's query string.
    "me" as the owner becomes the user's address: the audience must not change with who looks."""
    start = f"{AUDIENCE_PREFIX}-"
    pairs = [
        (key[len(start) :], value) for key, values in data.lists() if key.startswith(start) for value in values if value
    ]
    if user is not None:
        pairs = [(k, user.email if k == "owner" and v.strip().lower() in ("me", "moi") else v) for k, v in pairs]
    return urlencode(pairs)


def _prefixed_audience_filter(campaign_query: str, request):
    """The organizations filter form, its fields prefixed, filled from a saved query string."""
    data = QueryDict(mutable=True)
    for key, values in QueryDict(campaign_query).lists():
        data.setlist(f"{AUDIENCE_PREFIX}-{key}", values)
    return OrganizationFilter(data, queryset=Organization.objects.all(), request=request, prefix=AUDIENCE_PREFIX)


def _campaign_form(request, campaign: Campaign):
    form = CampaignForm(request.POST or None, instance=campaign, initial={"owner": campaign.owner or request.user})
    query = _audience_query(request.POST, request.user) if request.method == "POST" else campaign.audience_query
    audience_form = _prefixed_audience_filter(query, request)
    if request.method == "POST" and form.is_valid():
        if not audience_form.is_valid():
            form.add_error(None, _("Correct the audience filters."))
        else:
            campaign = form.save(commit=False)
            campaign.audience_query = query
            try:
                campaign = campaign_save(
                    campaign=campaign, key_factors=form.key_factor_objects(), channels=form.cleaned_data["channels"]
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Campaign saved."))
                return redirect(campaign)
    size = audience_form.qs.count() if audience_form.is_valid() else None
    return render(
        request,
        "communications/campaign_form.html",
        {
            "form": form,
            "audience_form": audience_form,
            "audience_size": size,
            "campaign": campaign if campaign.pk else None,
        },
    )


@permission_required("communications.add_campaign", raise_exception=True)
def campaign_create(request):
    return _campaign_form(request, Campaign(owner=request.user))


@permission_required("communications.change_campaign", raise_exception=True)
def campaign_edit(request, pk):
    return _campaign_form(request, get_object_or_404(Campaign, pk=pk))


def audience_size(request):
    """How many organizations the audience filters select (htmx, as they change)."""
    filterset = _prefixed_audience_filter(_audience_query(request.GET), request)
    size = filterset.qs.count() if filterset.is_valid() else None
    return render(request, "communications/partials/audience_size.html", {"audience_size": size})


def _context(request, campaign):
    progress = campaign_progress(campaign)
    return {
        "audience_valid": audience_filter(campaign.audience_query).is_valid(),
        "campaign": campaign,
        "progress": progress,
        "measures": [
            (_("Organizations reached"), progress.reached),
            (_("Events held"), progress.events),
            (_("Commitments signed"), progress.commitments),
        ],
        "not_reached": not_reached(campaign).select_related("region").order_by("-influence", "name")[:20],
        "events": campaign_events(campaign).order_by("-occurred_on")[:20],
        "consenting": Contact.objects.filter(
            organization__in=audience(campaign), consent=True, is_archived=False
        ).count(),
        "key_factors": campaign.key_factors.all(),
    }


def campaign_detail(request, pk):
    campaign = get_object_or_404(Campaign.objects.select_related("owner"), pk=pk)
    return render(request, "communications/campaign_detail.html", _context(request, campaign))


def campaign_report(request, pk):
    campaign = get_object_or_404(Campaign.objects.select_related("owner"), pk=pk)
    return render(request, "communications/campaign_report.html", _context(request, campaign))


def _export(request, dataset, queryset):
    fmt = request.GET.get("_export", "csv")
    if fmt not in EXPORT_FORMATS:
        raise Http404
    log_export(user=request.user, dataset=dataset, fmt=fmt, filters=request.path, queryset=queryset)
    return export_response(dataset, queryset, fmt)


def campaign_mailing_list(request, pk):
    """The audience's contacts who consented to communications, for planning messages per language."""
    campaign = get_object_or_404(Campaign, pk=pk)
    contacts = Contact.objects.filter(organization__in=audience(campaign), consent=True, is_archived=False)
    return _export(request, MAILING_LIST, contacts)


def campaign_not_reached(request, pk):
    campaign = get_object_or_404(Campaign, pk=pk)
    return _export(request, ORGANIZATIONS, not_reached(campaign))


def campaign_history(request, pk):
    campaign = get_object_or_404(Campaign, pk=pk)
    return history_page(request, campaign, back_url=campaign.get_absolute_url())
