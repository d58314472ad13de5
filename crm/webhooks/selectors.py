"""What the webhooks pages read."""

from django.db.models import Count, Max, Q, QuerySet

from crm.models import WebhookDelivery, WebhookEndpoint
from crm.webhooks.services import PAUSED_GONE

Status = WebhookDelivery.Status


def endpoint_list() -> QuerySet[WebhookEndpoint]:
    """Endpoints not removed, with their counts of failed deliveries and their last delivery."""
    return WebhookEndpoint.objects.filter(removed_at=None).annotate(
        failed=Count("deliveries", filter=Q(deliveries__status=Status.FAILED)),
        last_delivery_at=Max("deliveries__created_at"),
    )


def endpoint_deliveries(endpoint: WebhookEndpoint, *, status: str = "") -> QuerySet[WebhookDelivery]:
    deliveries = endpoint.deliveries.order_by("-created_at", "-pk")
    if status == "failed":
        return deliveries.filter(status__in=[Status.FAILED, Status.RETRYING])
    if status in Status.values:
        return deliveries.filter(status=status)
    return deliveries


def failing_endpoints() -> QuerySet[WebhookEndpoint]:
    """Endpoints that keep failing or were paused by their receiver: the list page warns of them."""
    return WebhookEndpoint.objects.filter(removed_at=None).filter(
        Q(failures_in_a_row__gte=WebhookEndpoint.FAILING_AFTER) | Q(is_paused=True, paused_reason=PAUSED_GONE)
    )
