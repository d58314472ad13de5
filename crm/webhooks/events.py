"""The events an endpoint may subscribe to, in the administrators' words. follow_up.assigned is
for notices inside the app, not for other systems."""

from django.utils.translation import gettext_lazy as _

WEBHOOK_EVENTS = {
    "engagement.logged": _("Engagement logged"),
    "follow_up.done": _("Follow-up done"),
    "follow_up.overdue": _("Follow-up overdue"),
    "concern.raised": _("Concern raised"),
    "concern.resolved": _("Concern resolved"),
    "commitment.signed": _("Commitment signed"),
}


def label(name: str) -> str:
    return str(WEBHOOK_EVENTS.get(name, name))
