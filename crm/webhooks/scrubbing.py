"""What must leave the delivery log.

- A concern referred to Internal Affairs is never delivered (payloads.py gives it no payload). A
  concern told before it became a referral: its deliveries keep their id, event and times but
  lose their data, and those not yet sent are not sent (`withdraw`, on concern.referred, and
  again by the job before each try).
- A person erased on request (stakeholders/personal_data.py calls its erasure hooks): their name
  is taken out of every delivery that carried it (`erase_people`); a delivery not yet sent then
  sends the payload without it."""

import re
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from communications.models import Concern
from crm.models import WebhookDelivery

Status = WebhookDelivery.Status


def about_a_referral(delivery: WebhookDelivery) -> bool:
    kind, _colon, pk = delivery.subject.partition(":")
    return kind == "concern" and Concern.objects.filter(pk=int(pk), referred_to_internal_affairs=True).exists()


@transaction.atomic
def withdraw(subject: str) -> int:
    """Empties the deliveries about `subject`; those not sent yet are cancelled. How many."""
    deliveries = WebhookDelivery.objects.filter(subject=subject)
    deliveries.filter(status__in=[Status.PENDING, Status.RETRYING]).update(status=Status.CANCELLED)
    return deliveries.update(data={}, people="", last_response="", scrubbed_at=timezone.now())


def concern_referred(event: str, *, concern: int, **ids: object) -> None:
    """Listener of concern.referred (crm/apps.py)."""
    withdraw(f"concern:{concern}")


@transaction.atomic
def erase_people(contact_ids: Iterable[int], **_more: object) -> int:
    """Takes these contacts' names out of the delivery log. How many deliveries changed."""
    changed = 0
    for pk in contact_ids:
        deliveries = WebhookDelivery.objects.select_for_update().filter(people__contains=f"|{pk}|")
        for delivery in deliveries:
            _take_out(delivery.data, pk)
            delivery.people = re.sub(rf"\|{pk}(?=\|)", "", delivery.people)
            delivery.people = "" if delivery.people == "|" else delivery.people
            delivery.scrubbed_at = timezone.now()
            delivery.save(update_fields=["data", "people", "scrubbed_at"])
            changed += 1
    return changed


def _take_out(data: dict | list, pk: int) -> None:
    """Every {"id": pk, "name": …} in the payload's people lists loses its name."""
    for value in data.values() if isinstance(data, dict) else data:
        if isinstance(value, dict | list):
            _take_out(value, pk)
    if isinstance(data, dict):
        for person in data.get("people_met", []):
            if person.get("id") == pk:
                person.pop("name", None)
