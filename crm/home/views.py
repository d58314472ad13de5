"""The home page: the signed-in user's own work across the engagement log."""

from django.shortcuts import render

from communications.choices import OPEN_FOLLOW_UP_STATUSES


def _open_follow_ups(user, limit: int = 10) -> list:
    """The user's open follow-ups, earliest due (overdue) first. Read through the open-follow-up
    index alone; the rare ones of a removed engagement are dropped here rather than by a join."""
    from communications.models import FollowUp

    candidates = (
        FollowUp.objects.filter(owner=user, status__in_codes=OPEN_FOLLOW_UP_STATUSES)
        .select_related("engagement", "owner")
        .order_by("due_on")[: limit * 2]
    )
    return [follow_up for follow_up in candidates if not follow_up.engagement.is_removed][:limit]


def home(request):
    """The signed-in user's own work: open follow-ups (overdue first), upcoming and recent engagements."""
    from communications.selectors import engagement_list

    user = request.user
    # What they logged (index on author and date): cheap at a million engagements.
    mine = engagement_list(user=user).filter(author=user)
    return render(
        request,
        "crm/home.html",
        {
            "role": user.role,
            "follow_ups": _open_follow_ups(user),
            "upcoming": mine.filter(is_held=False).order_by("occurred_on", "pk")[:10],
            "recent": mine.filter(is_held=True).order_by("-occurred_on")[:10],
        },
    )
