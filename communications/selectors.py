"""Reads of the engagement log that views, exports and commands share; scoping lives here.

A concern referred to Internal Affairs is visible only to its author and to users allowed to see
referrals: every list, page, export and search goes through concern_list().
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from communications.models import Commitment, Concern, Engagement, FollowUp
from crm.models import User


def engagement_list(*, user: User | AnonymousUser | None = None) -> QuerySet[Engagement]:
    return Engagement.objects.filter(is_removed=False).select_related("author", "customs_office", "region", "campaign")


def follow_up_list(*, user: User | AnonymousUser | None = None) -> QuerySet[FollowUp]:
    """By due date: among open follow-ups, the overdue ones come first (index on owner, status, due).
    Those of a removed engagement are left out by the few removed engagements' ids rather than by a
    join, so the list and its count read the follow-ups' indexes alone."""
    # "IN (true)" rather than a bare "is_removed": SQLite then reads the ids from the index on
    # (is_removed, occurred_on) instead of scanning a million entries of it.
    removed = Engagement.objects.filter(is_removed__in=[True]).values("pk")
    return (
        FollowUp.objects.exclude(engagement__in=removed).select_related("owner", "engagement").order_by("due_on", "pk")
    )


def commitment_list(*, user: User | AnonymousUser | None = None) -> QuerySet[Commitment]:
    return Commitment.objects.select_related("author", "engagement")


def concern_list(*, user: User | AnonymousUser | None) -> QuerySet[Concern]:
    concerns = Concern.objects.select_related("organization", "topic", "author", "engagement")
    if user is None:  # the server itself (commands run by administrators of the machine): counts only
        return concerns.filter(referred_to_internal_affairs=False)
    if user.has_perm("communications.view_referral"):
        return concerns
    return concerns.filter(Q(referred_to_internal_affairs=False) | Q(author=user))
