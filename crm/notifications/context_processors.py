"""The header's follow-ups badge and notices, for every page: read only when a page shows them
(the header of a full page), in one query."""

from django.utils.functional import SimpleLazyObject

from crm.notifications import notices


class Header:
    def __init__(self, user):
        self.user = user
        self._counts = None

    @property
    def counts(self) -> notices.Counts:
        if self._counts is None:
            self._counts = notices.counts(self.user)
        return self._counts

    @property
    def due(self) -> int:
        return self.counts.due

    @property
    def unread(self) -> int:
        return self.counts.unread

    # Past BADGE_CAP a figure reads "99+": the header counts no further (crm/notifications/notices.py).
    most_shown = notices.BADGE_CAP - 1

    @property
    def due_past_cap(self) -> bool:
        return self.due > self.most_shown

    @property
    def unread_past_cap(self) -> bool:
        return self.unread > self.most_shown

    def due_url(self) -> str:
        return notices.due_url()

    def unread_list(self) -> list:
        """The unread notices themselves (a second query, on the pages that list them)."""
        return notices.unread_notices(self.user) if self.unread else []


def header(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications": SimpleLazyObject(lambda: Header(user))}
