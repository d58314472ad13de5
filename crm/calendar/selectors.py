"""What a user's calendar holds: their open follow-ups and their planned engagements, as their own
pages show them (the home page's "My open follow-ups" and "Upcoming"), within a window of dates.

A fixed number of queries whatever the number of rows: follow-ups with their engagement, the last
change of each (one grouped read of their history), planned engagements with their organizations.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Max, Prefetch

from communications.choices import OPEN_FOLLOW_UP_STATUSES
from communications.models import Engagement, FollowUp
from communications.selectors import engagement_list, follow_up_list
from crm.models import User
from stakeholders.models import Organization

DAYS_BEFORE = 30  # overdue follow-ups and recent plans stay in sight for a month
DAYS_AFTER = 365
MOST_OF_EACH = 500  # follow-ups, and engagements, the earliest first: calendar apps slow down on more


@dataclass
class CalendarItems:
    follow_ups: list[FollowUp]
    follow_ups_changed: dict[int, datetime]  # follow-up id → its last change
    engagements: list[Engagement]


def calendar_window(today: date) -> tuple[date, date]:
    return today - timedelta(days=DAYS_BEFORE), today + timedelta(days=DAYS_AFTER)


def calendar_items(*, user: User, today: date) -> CalendarItems:
    window = calendar_window(today)
    follow_ups = list(
        follow_up_list(user=user).filter(owner=user, status__in_codes=OPEN_FOLLOW_UP_STATUSES, due_on__range=window)[
            :MOST_OF_EACH
        ]
    )
    engagements = list(
        # The home page's "Upcoming": the planned engagements the user logged.
        engagement_list(user=user)
        .filter(author=user, is_held=False, occurred_on__range=window)
        .prefetch_related(Prefetch("organizations", queryset=Organization.objects.only("pk", "name").order_by("name")))
        .order_by("occurred_on", "pk")[:MOST_OF_EACH]
    )
    return CalendarItems(follow_ups, _last_changes(follow_ups), engagements)


def _last_changes(follow_ups: list[FollowUp]) -> dict[int, datetime]:
    """When each follow-up last changed, from its history (follow-ups keep no "updated" column)."""
    if not follow_ups:
        return {}
    changes = (
        FollowUp.history.filter(id__in=[follow_up.pk for follow_up in follow_ups])
        .order_by()
        .values("id")
        .annotate(last=Max("history_date"))
        .values_list("id", "last")
    )
    return dict(changes)
