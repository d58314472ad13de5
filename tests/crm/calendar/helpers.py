"""Reading a calendar feed the way calendar apps do: through the icalendar library."""

from icalendar import Calendar

from crm.calendar.services import feed_make


def make_feed(user, language=""):
    """A new feed for the user; returns its path (what the URL holds after the host)."""
    _feed, secret = feed_make(user=user, language=language)
    return f"/calendar/{secret}.ics"


def parse(response) -> Calendar:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> dict[str, object]:
    """The calendar's events by UID."""
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}
