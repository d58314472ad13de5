"""A user's calendar written as iCalendar (RFC 5545), in their language.

Every item is an all-day VEVENT on its date (a follow-up on its due date): Outlook, Thunderbird and
the phones' calendars all show subscribed all-day events, where many hide subscribed tasks (VTODO)
or show them in a separate list nobody opens. The events are "free" time (TRANSP:TRANSPARENT: a
due date or an untimed plan books no hours) and private (CLASS:PRIVATE: a calendar shared with
colleagues shows them as busy, without their text).

Nothing here depends on when the feed is read: DTSTAMP is each item's last change (RFC 5545 reads it
so in a calendar without METHOD), so the same data gives the same bytes and calendar apps that ask
again get "not modified".
"""

from datetime import UTC, date, datetime, timedelta

from django.utils import translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from communications.models import Engagement, FollowUp
from crm.calendar.selectors import CalendarItems

PRODUCT = "-//Customs stakeholder CRM//Calendar feed//EN"
REFRESH = "PT1H"  # how often calendar apps are asked to read it again


def calendar_ics(*, items: CalendarItems, language: str, base_url: str, host: str) -> bytes:
    with translation.override(language):
        calendar = Calendar()
        calendar.add("prodid", PRODUCT)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        name = _("Customs CRM")
        description = _("Your open follow-ups, on their due date, and the engagements you planned.")
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
        calendar.add("description", description)
        calendar.add("x-wr-caldesc", description)
        calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", REFRESH)
        base_url = base_url.rstrip("/")
        for follow_up in items.follow_ups:
            changed = items.follow_ups_changed.get(follow_up.pk, follow_up.created_at)
            calendar.add_component(_follow_up_event(follow_up, changed, base_url, host))
        for engagement in items.engagements:
            calendar.add_component(_engagement_event(engagement, base_url, host))
        return calendar.to_ical()


def _all_day_event(*, uid: str, day: date, changed: datetime, created: datetime, url: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", _utc(changed))
    event.add("last-modified", _utc(changed))
    event.add("created", _utc(created))
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))  # all-day: the end is the next day, not included
    event.add("transp", "TRANSPARENT")
    event.add("class", "PRIVATE")
    event.add("url", url)
    return event


def _follow_up_event(follow_up: FollowUp, changed: datetime, base_url: str, host: str) -> Event:
    engagement = follow_up.engagement
    url = f"{base_url}{engagement.get_absolute_url()}#follow-ups"  # follow-ups are listed on their engagement's page
    event = _all_day_event(
        uid=f"followup-{follow_up.pk}@{host}",
        day=follow_up.due_on,
        changed=changed,
        created=follow_up.created_at,
        url=url,
    )
    event.add("summary", _("Follow-up: %(description)s") % {"description": follow_up.description})
    lines = [
        _("Engagement: %(title)s") % {"title": engagement.title},
        _("Status: %(status)s") % {"status": follow_up.get_status_display()},
        _("Open in the CRM: %(url)s") % {"url": url},
    ]
    event.add("description", "\n".join(lines))
    event.add("categories", [_("Follow-up")])
    return event


def _engagement_event(engagement: Engagement, base_url: str, host: str) -> Event:
    url = f"{base_url}{engagement.get_absolute_url()}"
    event = _all_day_event(
        uid=f"engagement-{engagement.pk}@{host}",
        day=engagement.occurred_on,
        changed=engagement.updated_at,
        created=engagement.created_at,
        url=url,
    )
    event.add("summary", engagement.title)
    if engagement.location:
        event.add("location", engagement.location)
    organizations = ", ".join(organization.name for organization in engagement.organizations.all())
    lines = [
        _("Kind: %(kind)s") % {"kind": engagement.get_kind_display()},
        _("Mode: %(mode)s") % {"mode": engagement.get_mode_display()},
        *([_("Organizations: %(names)s") % {"names": organizations}] if organizations else []),
        _("Open in the CRM: %(url)s") % {"url": url},
    ]
    event.add("description", "\n".join(lines))
    event.add("categories", [_("Planned engagement")])
    return event


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
