"""Administrators' actions on endpoints and deliveries, each in a transaction, each in the
endpoint's history (django-simple-history, the secret left out) under the name of who did it."""

import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.jobs.engine import enqueue
from crm.models import User, WebhookDelivery, WebhookEndpoint
from crm.webhooks.events import WEBHOOK_EVENTS
from crm.webhooks.sending import deliver

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
PAUSED_GONE = "gone"  # paused_reason when the receiver answered 410 Gone
PAUSED_BY_HAND = "administrator"


def make_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def url_problems(url: str) -> list[str]:
    """Why this URL cannot receive deliveries (none: it can). https:// only; http:// to this
    machine when WEBHOOKS_ALLOW_LOCAL_HTTP is on."""
    try:
        URLValidator(schemes=["http", "https"])(url)
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a malformed port)
    except (ValidationError, ValueError):
        return [_("Enter a full web address, such as https://example.org/hooks/crm.")]
    problems = []
    if parts.username or parts.password:
        problems.append(_("Leave the user name and password out of the address; the signature proves who sends."))
    local = (parts.hostname or "") in LOCAL_HOSTS
    if parts.scheme != "https" and not (local and settings.WEBHOOKS_ALLOW_LOCAL_HTTP):
        problems.append(_("The address must start with https://: deliveries are never sent unencrypted."))
    return problems


def _check(endpoint: WebhookEndpoint) -> None:
    problems: dict[str, list[str]] = {}
    if url_problems(endpoint.url):
        problems["url"] = url_problems(endpoint.url)
    unknown = [name for name in endpoint.events if name not in WEBHOOK_EVENTS]
    if not endpoint.events or unknown:
        problems["events"] = [_("Choose at least one event.")]
    if problems:
        raise ValidationError(problems)
    endpoint.full_clean(exclude=["url", "events", "secret"])


def _save(endpoint: WebhookEndpoint, actor: User | None, reason: str) -> None:
    endpoint._history_user = actor  # type: ignore[attr-defined]
    endpoint._change_reason = reason  # type: ignore[attr-defined]
    endpoint.save()


@transaction.atomic
def endpoint_create(*, name: str, url: str, events: list[str], actor: User) -> tuple[WebhookEndpoint, str]:
    """The endpoint and its secret, which is shown this once."""
    endpoint = WebhookEndpoint(name=name, url=url, events=sorted(set(events)), created_by=actor, secret=make_secret())
    _check(endpoint)
    _save(endpoint, actor, _("Registered"))
    return endpoint, endpoint.secret


@transaction.atomic
def endpoint_update(*, endpoint: WebhookEndpoint, name: str, url: str, events: list[str], actor: User) -> None:
    endpoint.name, endpoint.url, endpoint.events = name, url, sorted(set(events))
    _check(endpoint)
    _save(endpoint, actor, _("Changed"))


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: WebhookEndpoint, actor: User) -> str:
    """A new secret, shown this once; the old one stops signing at once (deliveries not yet sent
    are signed with the new one)."""
    endpoint.secret, endpoint.secret_made_at = make_secret(), timezone.now()
    _save(endpoint, actor, _("Secret replaced"))
    return endpoint.secret


@transaction.atomic
def endpoint_pause(*, endpoint: WebhookEndpoint, actor: User | None, reason: str = PAUSED_BY_HAND) -> None:
    """No delivery is made for a paused endpoint; those waiting are not sent."""
    endpoint.is_paused, endpoint.paused_reason = True, reason
    _save(endpoint, actor, _("Paused") if reason == PAUSED_BY_HAND else _("Paused: the receiver answered 410 Gone"))


@transaction.atomic
def endpoint_resume(*, endpoint: WebhookEndpoint, actor: User) -> None:
    endpoint.is_paused, endpoint.paused_reason = False, ""
    endpoint.failures_in_a_row, endpoint.failing_since = 0, None
    _save(endpoint, actor, _("Resumed"))


@transaction.atomic
def endpoint_remove(*, endpoint: WebhookEndpoint, actor: User) -> None:
    """Removed from the list and from every event; the row, its history and its deliveries stay."""
    endpoint.removed_at = timezone.now()
    endpoint.is_paused = True
    _save(endpoint, actor, _("Removed"))


@transaction.atomic
def delivery_send_again(*, delivery: WebhookDelivery, job_gave_up: bool = False) -> bool:
    """A failed or unsent delivery queued once more, with the same id (receivers that took it
    already drop it). False when it is not failed or unsent any more (a second click).
    `job_gave_up`: asked from the job's failure (/jobs/), whose job no longer runs: one left
    waiting or retrying (its job failed before writing the try, or was abandoned) is queued too."""
    endpoint = delivery.endpoint
    if endpoint.removed_at or endpoint.is_paused or delivery.scrubbed_at and not delivery.data:
        return False
    Status = WebhookDelivery.Status
    again = [Status.FAILED, Status.CANCELLED] + ([Status.PENDING, Status.RETRYING] if job_gave_up else [])
    queued = WebhookDelivery.objects.filter(pk=delivery.pk, status__in=again).update(
        status=Status.PENDING, round_attempts=0
    )
    if queued:
        enqueue(deliver, delivery.pk)
    return bool(queued)
