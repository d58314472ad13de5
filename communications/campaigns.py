"""Campaigns: the audience (a saved organization filter) and progress against the targets.

Progress is counted from the engagements linked to the campaign: held engagements are events;
audience organizations engaged through them during the campaign are reached; commitments signed at
them count as commitments. Each figure costs one query, whatever the size of the audience.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict

from communications.choices import CommitmentStatus
from communications.models import Campaign, Commitment, Engagement
from stakeholders.filters import OrganizationFilter
from stakeholders.models import Organization

SIGNED = [CommitmentStatus.SIGNED, CommitmentStatus.ACTIVE, CommitmentStatus.EXPIRED]


def audience_filter(query: str, *, request=None) -> OrganizationFilter:
    return OrganizationFilter(QueryDict(query or ""), queryset=Organization.objects.all(), request=request)


def audience(campaign: Campaign) -> QuerySet:
    """The organizations the campaign addresses (the saved filter, applied now)."""
    filterset = audience_filter(campaign.audience_query)
    return filterset.qs if filterset.is_valid() else Organization.objects.none()


def campaign_events(campaign: Campaign) -> QuerySet:
    return Engagement.objects.filter(campaign=campaign, is_held=True, is_removed=False)


def _during(engagements: QuerySet, campaign: Campaign) -> QuerySet:
    if campaign.starts_on:
        engagements = engagements.filter(occurred_on__gte=campaign.starts_on)
    if campaign.ends_on:
        engagements = engagements.filter(occurred_on__lte=campaign.ends_on)
    return engagements


def reached_ids(campaign: Campaign) -> QuerySet:
    """Ids of organizations engaged through the campaign's events during the campaign."""
    events = _during(campaign_events(campaign), campaign)
    return Engagement.organizations.through.objects.filter(engagement__in=events).values("organization_id")


@dataclass
class Measure:
    done: int
    target: int | None

    @property
    def percent(self) -> int | None:
        if not self.target:
            return None
        return min(100, round(100 * self.done / self.target))


@dataclass
class Progress:
    audience: int
    reached: Measure
    events: Measure
    commitments: Measure


def campaign_progress(campaign: Campaign) -> Progress:
    audience_rows = audience(campaign)
    return Progress(
        audience=audience_rows.count(),
        reached=Measure(audience_rows.filter(pk__in=reached_ids(campaign)).count(), campaign.target_reached),
        events=Measure(campaign_events(campaign).count(), campaign.target_events),
        commitments=Measure(
            Commitment.objects.filter(engagement__in=campaign_events(campaign), status__in=SIGNED).count(),
            campaign.target_commitments,
        ),
    )


def not_reached(campaign: Campaign) -> QuerySet:
    return audience(campaign).exclude(pk__in=reached_ids(campaign))


@transaction.atomic
def campaign_save(*, campaign: Campaign, key_factors, channels: list[str]) -> Campaign:
    campaign.channels = ",".join(channels)
    campaign.full_clean()
    campaign.save()
    campaign.key_factors.set(key_factors)
    return campaign
