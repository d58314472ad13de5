"""Posting a delivery: the job, the signed request, what each answer means.

    POST <endpoint URL>
    Content-Type: application/json
    X-CRM-Event: concern.raised
    X-CRM-Delivery: 3f0c…            the same on every try: receivers drop repeats
    X-CRM-Timestamp: 1765432100      when this try was sent (seconds since the epoch)
    X-CRM-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed with the endpoint's secret>

    {"id": "3f0c…", "event": "concern.raised", "occurred_at": "2026-12-09T10:02:11+00:00", "data": {…}}

2xx: delivered. 410 Gone: the receiver is gone for good, the endpoint is paused. 429 or 503 with
Retry-After: tried again after the wait asked for. Anything else (another code, no answer within
WEBHOOKS_TIMEOUT, a refused connection): tried again with backoff by the job engine, and after
the last try the delivery is failed (an administrator may send it again)."""

import email.utils
import hashlib
import hmac
import http.client
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.jobs.engine import MAX_DELAY, Retry, job, policy_of
from crm.models import WebhookDelivery, WebhookEndpoint
from crm.webhooks import scrubbing

Status = WebhookDelivery.Status
EXCERPT = 500  # characters of a response or error kept on the delivery


class DeliveryFailed(Exception):
    """The receiver did not take the delivery: the job engine tries again later."""


@dataclass
class Answer:
    code: int | None  # None: no HTTP answer (refused, timed out, bad certificate…)
    text: str
    retry_after: int | None = None


def body_of(delivery: WebhookDelivery) -> bytes:
    document = {
        "id": str(delivery.uuid),
        "event": delivery.event,
        "occurred_at": delivery.occurred_at.isoformat(),
        "data": delivery.data,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer like any other (a failure): the body is never sent elsewhere."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return None


OPENER = urllib.request.build_opener(_NoRedirects)


def post(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> Answer:
    body = body_of(delivery)
    request = urllib.request.Request(  # noqa: S310 (https, or http to this machine when allowed: services.py)
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "CustomsCRM-Webhooks/1",
            "X-CRM-Event": delivery.event,
            "X-CRM-Delivery": str(delivery.uuid),
            "X-CRM-Timestamp": str(int(time.time())),
            "X-CRM-Signature": signature(endpoint.secret, body),
        },
    )
    try:
        with OPENER.open(request, timeout=settings.WEBHOOKS_TIMEOUT) as response:
            return Answer(response.status, _excerpt(response.read(EXCERPT * 4)))
    except urllib.error.HTTPError as error:
        text = _excerpt(error.read(EXCERPT * 4)) if error.fp else ""
        return Answer(error.code, text or str(error.reason), retry_after=_retry_after(error.headers.get("Retry-After")))
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as error:
        reason = getattr(error, "reason", error)
        return Answer(None, f"{type(error).__name__}: {reason}"[:EXCERPT])


def _excerpt(raw: bytes) -> str:
    return raw.decode("utf-8", "replace").replace("\x00", "")[:EXCERPT]


def _retry_after(value: str | None) -> int | None:
    """Seconds to wait, from "120" or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = int(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when is None or when.tzinfo is None:
            return None
        seconds = int((when - datetime.now(when.tzinfo)).total_seconds())
    return max(1, min(seconds, int(MAX_DELAY.total_seconds())))


def deliver_again(delivery_id: int) -> bool:
    """ "Run again" on the jobs page: the failed delivery queued once more, as from the webhooks page."""
    from crm.webhooks.services import delivery_send_again

    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    return delivery is not None and delivery_send_again(delivery=delivery, job_gave_up=True)


@job(
    label=_("deliver a webhook"),
    attempts=8,
    backoff=60,
    timeout=120,
    again="crm.webhooks.sending.deliver_again",
)
def deliver(delivery_id: int) -> None:
    """One try of one delivery. Done already, or no longer to be sent: nothing happens."""
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status in (Status.DELIVERED, Status.FAILED, Status.CANCELLED):
        return
    endpoint = delivery.endpoint
    if endpoint.removed_at or endpoint.is_paused:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status=Status.CANCELLED)
        return
    if scrubbing.about_a_referral(delivery):
        scrubbing.withdraw(delivery.subject)
        return
    answer = post(endpoint, delivery)
    record(delivery, answer)


def record(delivery: WebhookDelivery, answer: Answer) -> None:
    """Writes the try on the delivery and its endpoint, then says what comes next: nothing
    (delivered, or the endpoint is gone), Retry (the receiver asked to wait) or DeliveryFailed."""
    now = timezone.now()
    delivered = answer.code is not None and 200 <= answer.code < 300
    gone = answer.code == 410
    last_try = delivery.round_attempts + 1 >= policy_of(deliver.module_path).attempts
    if delivered:
        status = Status.DELIVERED
    elif gone or last_try:
        status = Status.FAILED
    else:
        status = Status.RETRYING
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=status,
            attempts=F("attempts") + 1,
            round_attempts=F("round_attempts") + 1,
            last_status_code=answer.code,
            last_response=answer.text,
            last_attempt_at=now,
            delivered_at=now if delivered else None,
        )
        _endpoint_after(delivery.endpoint, delivered=delivered, gone=gone, now=now)
    if delivered or gone:
        return
    message = f"{delivery.endpoint.url} answered {answer.code or 'nothing'}: {answer.text[:200]}"
    if answer.code in (429, 503) and answer.retry_after:
        raise Retry(message, after=answer.retry_after)
    raise DeliveryFailed(message)


def _endpoint_after(endpoint: WebhookEndpoint, *, delivered: bool, gone: bool, now: datetime) -> None:
    endpoints = WebhookEndpoint.objects.filter(pk=endpoint.pk)
    if delivered:
        endpoints.update(failures_in_a_row=0, failing_since=None)
        return
    endpoints.update(failures_in_a_row=F("failures_in_a_row") + 1)
    endpoints.filter(failing_since=None).update(failing_since=now)
    if gone:
        from crm.webhooks.services import PAUSED_GONE, endpoint_pause

        endpoint.refresh_from_db()
        endpoint_pause(endpoint=endpoint, actor=None, reason=PAUSED_GONE)
