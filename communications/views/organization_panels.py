"""What the engagement log adds to an organization's page: its timeline, and its open follow-ups,
commitments and concerns.

The timeline is paged without counting (newer / older). The follow-ups, commitments and concerns
come in a second request as soon as the page has loaded (htmx), so the page itself costs six
queries however long the organization's record; without JavaScript the panel is a link."""

from django.core.paginator import EmptyPage
from django.shortcuts import get_object_or_404, render
from django_tables2.paginators import LazyPaginator

from communications.choices import OPEN_FOLLOW_UP_STATUSES
from communications.selectors import commitment_list, concern_list, engagement_list, follow_up_list
from stakeholders.models import Organization

TIMELINE_PAGE = 10
PANEL_ROWS = 20


def _timeline(request, engagements) -> dict:
    """A page of the timeline, newest first; a page past the end (an old "Older" link after
    engagements were removed, or a number typed in the address) shows the first page."""
    paginator = LazyPaginator(engagements.order_by("-occurred_on", "-pk"), TIMELINE_PAGE)
    try:
        return {"timeline": paginator.get_page(request.GET.get("timeline"))}
    except EmptyPage:  # LazyPaginator cannot tell the last page without counting: it raises
        return {"timeline": paginator.page(1)}


def organization_panels(request, organization) -> dict:
    return _timeline(request, engagement_list(user=request.user).filter(organizations=organization))


def contact_panels(request, contact) -> dict:
    """The engagements a person attended, newest first, for their page."""
    return _timeline(request, engagement_list(user=request.user).filter(contacts=contact))


def organization_outcomes(request, pk):
    """Open follow-ups, commitments and concerns with an organization: a panel of its page (htmx),
    or a page of its own when asked without JavaScript."""
    context = {
        "follow_ups": follow_up_list(user=request.user).filter(
            engagement__organizations=pk, status__in=OPEN_FOLLOW_UP_STATUSES
        )[:PANEL_ROWS],
        "commitments": commitment_list(user=request.user).filter(parties=pk).order_by("-signed_on", "-pk")[:PANEL_ROWS],
        "concerns": concern_list(user=request.user).filter(organization=pk)[:PANEL_ROWS],
    }
    if request.htmx:
        return render(request, "communications/partials/organization_outcomes.html", context)
    context["organization"] = get_object_or_404(Organization, pk=pk)
    return render(request, "communications/organization_outcomes.html", context)
