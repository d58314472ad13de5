"""What the engagement log adds to an organization's page: timeline, follow-ups, commitments, concerns."""

from django.core.paginator import Paginator

from communications.choices import OPEN_FOLLOW_UP_STATUSES
from communications.selectors import commitment_list, concern_list, engagement_list, follow_up_list

TIMELINE_PAGE = 10


def organization_panels(request, organization) -> dict:
    engagements = engagement_list(user=request.user).filter(organizations=organization).order_by("-occurred_on", "-pk")
    return {
        "timeline": Paginator(engagements, TIMELINE_PAGE).get_page(request.GET.get("timeline")),
        "follow_ups": follow_up_list(user=request.user).filter(
            engagement__organizations=organization, status__in=OPEN_FOLLOW_UP_STATUSES
        )[:20],
        "commitments": commitment_list(user=request.user)
        .filter(parties=organization)
        .order_by("-signed_on", "-pk")[:20],
        "concerns": concern_list(user=request.user).filter(organization=organization)[:20],
    }


def contact_panels(request, contact) -> dict:
    """The engagements a person attended, newest first, for their page."""
    engagements = engagement_list(user=request.user).filter(contacts=contact).order_by("-occurred_on", "-pk")
    return {"timeline": Paginator(engagements, TIMELINE_PAGE).get_page(request.GET.get("timeline"))}
