"""Safe retries: a create sent with an `Idempotency-Key` header makes its record at most once.

A client that lost the answer (a dropped connection, the offline outbox sending again) sends the
same request under the same key:

- the first time, the key is claimed (a row committed at once, so that a second request sees it),
  then the record is made and what came of it (the status and the record's id) is written in the
  same transaction as the record: a crash leaves either both or neither;
- the same key and the same request again: the same status and the record as it is now;
- the same key with another request (another path or body): 422;
- the same key while the first request still runs: 409 (a claim older than STALE is taken to be
  that of a request that died, and the new one goes on in its place);
- a refused request (a 4xx) is not remembered: the client may correct it and send it again under
  its key.

Keys belong to their user and are kept KEPT_DAYS days; nothing of the record is kept but its id.
"""

import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from crm.models import IdempotencyKey

HEADER = "Idempotency-Key"
KEPT_DAYS = 30
STALE = timedelta(minutes=10)  # longer than any create takes, even a slow one


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was sent with another request."


class StillRunning(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "A request with this Idempotency-Key is still running."


def _key(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= 255 or not key.isprintable() or not key.isascii():
        raise exceptions.ValidationError({HEADER: [_("Send a key of 1 to 255 printable ASCII characters.")]})
    return key


def fingerprint(request) -> str:
    """The request a key stands for: its path and its body, keys in order (any JSON formatting)."""
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.path}\n{body}".encode()).hexdigest()


def _claim(user, key: str, request_hash: str) -> tuple[IdempotencyKey, bool]:
    """The key's row, and whether this request holds it (a new claim, or one abandoned)."""
    now = timezone.now()
    IdempotencyKey.objects.filter(user=user, created_at__lt=now - timedelta(days=KEPT_DAYS)).delete()
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(user=user, key=key, request_hash=request_hash, created_at=now), True
    except IntegrityError:
        pass
    entry = IdempotencyKey.objects.get(user=user, key=key)
    if entry.request_hash != request_hash:
        raise KeyReused(_("This Idempotency-Key was sent with another request."))
    if entry.status_code is None:
        taken = IdempotencyKey.objects.filter(pk=entry.pk, status_code=None, created_at__lt=now - STALE)
        if not taken.update(created_at=now):
            raise StillRunning(_("A request with this Idempotency-Key is still running."))
        return entry, True
    return entry, False


class IdempotentCreate:
    """For a resource's viewset: create() honours the Idempotency-Key header."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="Send the same key again to retry safely: the record is made at most once (docs/api.md).",
            )
        ],
    )  # its 409 and 422 are listed with the other errors (crm/api/schema.py)
    def create(self, request, *args, **kwargs):
        key = _key(request)
        if key is None:
            return super().create(request, *args, **kwargs)
        entry, claimed = _claim(request.user, key, fingerprint(request))
        if not claimed:
            return self._replay(entry)
        try:
            with transaction.atomic():
                response = super().create(request, *args, **kwargs)
                IdempotencyKey.objects.filter(pk=entry.pk).update(
                    status_code=response.status_code, record_id=response.data["id"]
                )
        except BaseException:
            entry.delete()  # refused or failed: not remembered, the key may be sent again
            raise
        return response

    def _replay(self, entry: IdempotencyKey) -> Response:
        record = self.get_queryset().filter(pk=entry.record_id).first()
        if record is None:
            raise exceptions.NotFound(_("The record this Idempotency-Key made is no longer there."))
        response = Response(self.get_serializer(record).data, status=entry.status_code)
        response["Idempotent-Replayed"] = "true"
        return response
