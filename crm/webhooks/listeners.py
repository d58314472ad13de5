"""Each event becomes one delivery per endpoint subscribed to it, and one job per delivery, in the
transaction of the write that told it: both exist if and only if that write was committed."""

from django.utils import timezone

from crm.jobs.engine import enqueue
from crm.models import WebhookDelivery, WebhookEndpoint
from crm.webhooks import payloads
from crm.webhooks.events import WEBHOOK_EVENTS
from crm.webhooks.sending import deliver


def subscribed(event: str) -> list[WebhookEndpoint]:
    """The active endpoints that asked for `event` (a handful: filtered here, the same on every
    database)."""
    endpoints = WebhookEndpoint.objects.filter(is_paused=False, removed_at=None).only("pk", "events")
    return [endpoint for endpoint in endpoints if event in endpoint.events]


def event_told(event: str, **ids: object) -> list[WebhookDelivery]:
    """Listener of crm.lib.events (plugged in crm/apps.py): the deliveries made."""
    if event not in WEBHOOK_EVENTS:
        return []
    endpoints = subscribed(event)
    if not endpoints:
        return []
    payload = payloads.build(event, ids)
    if payload is None:  # a referral, or a record gone in the meantime
        return []
    now = timezone.now()
    people = "".join(f"|{pk}" for pk in payload.people) + "|" if payload.people else ""
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint,
            event=event,
            subject=payload.subject,
            occurred_at=now,
            data=payload.data,
            people=people,
            created_at=now,
        )
        for endpoint in endpoints
    )
    for delivery in deliveries:
        enqueue(deliver, delivery.pk)
    return deliveries
