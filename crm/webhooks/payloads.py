"""What a delivery carries, read when the event happens: ids, dates, codes, titles, the names of
organizations and links to the CRM's pages. The only personal data is the names of the people met
at an engagement (no e-mail, phone or job title; taken out when a person is erased). Narratives
(summaries, concerns' text and responses, notes) never leave; a referral to Internal Affairs gives
no payload at all.

`build(event, ids)` returns a Payload, or None when nothing may be sent."""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.urls import reverse

from communications.models import Commitment, Concern, Engagement, FollowUp
from stakeholders.models import Organization


@dataclass
class Payload:
    subject: str  # "engagement:12": what it is about (a referral's deliveries are found by it)
    data: dict
    people: list[int] = field(default_factory=list)  # the contacts it names


def link(name: str, pk: int) -> str:
    return settings.SITE_URL + reverse(name, kwargs={"pk": pk})


def _organization(organization: Organization) -> dict:
    return {
        "id": organization.pk,
        "name": organization.name,
        "url": link("stakeholders:organization_detail", organization.pk),
    }


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def engagement_data(engagement: Engagement) -> Payload:
    people = sorted(engagement.contacts.all(), key=lambda contact: contact.pk)
    data = {
        "engagement": {
            "id": engagement.pk,
            "url": link("communications:engagement_detail", engagement.pk),
            "title": engagement.title,
            "kind": engagement.kind,
            "mode": engagement.mode,
            "occurred_on": _day(engagement.occurred_on),
            "held": engagement.is_held,
            "depth": engagement.depth,
            "organizations": [_organization(o) for o in engagement.organizations.order_by("pk")],
            "people_met": [{"id": c.pk, "name": f"{c.first_name} {c.last_name}".strip()} for c in people],
            "customs_office": engagement.customs_office.name if engagement.customs_office else None,
            "region": engagement.region.name if engagement.region else None,
            "topics": [topic.code or topic.name for topic in engagement.topics.order_by("pk")],
            "key_factors": [factor.code for factor in engagement.key_factors.order_by("pk")],
            "campaign": (
                {"id": engagement.campaign_id, "name": engagement.campaign.name} if engagement.campaign else None
            ),
        }
    }
    return Payload(subject=f"engagement:{engagement.pk}", data=data, people=[c.pk for c in people])


def follow_up_data(follow_up: FollowUp) -> Payload:
    engagement = follow_up.engagement
    data = {
        "follow_up": {
            "id": follow_up.pk,
            "url": link("communications:followup_edit", follow_up.pk),
            "description": follow_up.description,
            "status": follow_up.status,
            "due_on": _day(follow_up.due_on),
            "completed_on": _day(follow_up.completed_on),
            "engagement": {
                "id": engagement.pk,
                "title": engagement.title,
                "url": link("communications:engagement_detail", engagement.pk),
                "organizations": [_organization(o) for o in engagement.organizations.order_by("pk")],
            },
        }
    }
    return Payload(subject=f"follow_up:{follow_up.pk}", data=data)


def concern_data(concern: Concern) -> Payload | None:
    if concern.referred_to_internal_affairs:
        return None  # a referral is never told to another system, not even that it exists
    data = {
        "concern": {
            "id": concern.pk,
            "url": link("communications:concern_detail", concern.pk),
            "organization": _organization(concern.organization),
            "topic": (concern.topic.code or concern.topic.name) if concern.topic else None,
            "status": concern.status,
            "raised_on": _day(concern.raised_on),
            "resolved_on": _day(concern.resolved_on),
            "days_to_resolve": concern.days_to_resolve,
        }
    }
    return Payload(subject=f"concern:{concern.pk}", data=data)


def commitment_data(commitment: Commitment) -> Payload:
    data = {
        "commitment": {
            "id": commitment.pk,
            "url": link("communications:commitment_detail", commitment.pk),
            "title": commitment.title,
            "type": commitment.type,
            "status": commitment.status,
            "signed_on": _day(commitment.signed_on),
            "valid_until": _day(commitment.valid_until),
            "parties": [_organization(o) for o in commitment.parties.order_by("pk")],
        }
    }
    return Payload(subject=f"commitment:{commitment.pk}", data=data)


def build(event: str, ids: dict) -> Payload | None:
    """The payload of `event` told with `ids` (engagement=…, follow_up=…, concern=…, commitment=…)."""
    kind = event.split(".")[0]
    if kind == "engagement":
        engagement = Engagement.objects.select_related("customs_office", "region", "campaign")
        found = engagement.filter(pk=ids["engagement"]).first()
        return engagement_data(found) if found else None
    if kind == "follow_up":
        follow_up = FollowUp.objects.select_related("engagement").filter(pk=ids["follow_up"]).first()
        return follow_up_data(follow_up) if follow_up else None
    if kind == "concern":
        concern = Concern.objects.select_related("organization", "topic").filter(pk=ids["concern"]).first()
        return concern_data(concern) if concern else None
    if kind == "commitment":
        commitment = Commitment.objects.filter(pk=ids["commitment"]).first()
        return commitment_data(commitment) if commitment else None
    return None
