"""Campaigns: the audience (a saved organization filter) and progress against the targets.

While a campaign runs, its audience is the saved filter applied now. Once it has ended (marked
completed, or read for the first time after its end date) the audience is kept as it was then
(Campaign.kept_audience), so that its figures and its report stay true when organizations are
created or imported later. Every reading of the audience goes through audience() or
campaigns_progress(), which keep it at that first reading.

Progress is counted from the engagements linked to the campaign: held engagements are events;
audience organizations engaged through them during the campaign are reached; commitments signed at
them count as commitments. Progress of any number of campaigns costs four queries.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from communications.choices import CampaignStatus, CommitmentStatus
from communications.models import Campaign, Commitment, Engagement, KeyFactor
from crm.lib import changes
from stakeholders.filters import OrganizationFilter
from stakeholders.models import Organization

SIGNED = [CommitmentStatus.SIGNED, CommitmentStatus.ACTIVE, CommitmentStatus.EXPIRED]
# The organizations filter that names a campaign's audience: never part of a saved audience (it
# would read itself).
AUDIENCE_PARAMETER = "campaign_audience"
KEPT = Campaign.kept_audience.through
MET = Engagement.organizations.through


def audience_filter(query: str, *, request: HttpRequest | None = None) -> OrganizationFilter:
    data = QueryDict(query or "", mutable=True)
    data.pop(AUDIENCE_PARAMETER, None)
    return OrganizationFilter(data, queryset=Organization.objects.all(), request=request)


def _live_audience(campaign: Campaign) -> QuerySet[Organization]:
    filterset = audience_filter(campaign.audience_query)
    return filterset.qs if filterset.is_valid() else Organization.objects.none()


def has_ended(campaign: Campaign) -> bool:
    return campaign.status == CampaignStatus.COMPLETED or (
        campaign.ends_on is not None and campaign.ends_on < timezone.localdate()
    )


@transaction.atomic
def _keep(campaign: Campaign, *, reason: str) -> None:
    """Keep the audience's members as the filter selects them now (audited: history entry, reason)."""
    campaign._change_reason = reason
    campaign.kept_audience.set(_live_audience(campaign).values_list("pk", flat=True))
    campaign.audience_kept_on = timezone.localdate()
    campaign.save(update_fields=["audience_kept_on"])
    changes.record()


def _release(campaign: Campaign, *, reason: str) -> None:
    campaign._change_reason = reason
    campaign.kept_audience.clear()
    campaign.audience_kept_on = None
    campaign.save(update_fields=["audience_kept_on"])
    changes.record()


def keep_ended_audiences(campaigns: Iterable[Campaign]) -> None:
    """The first reading of a campaign after its end keeps its audience (once: later readings find
    it kept). Two readers at once: the campaign's row is locked, the second finds it kept."""
    for campaign in campaigns:
        if campaign.audience_kept_on is not None or not has_ended(campaign):
            continue
        with transaction.atomic():
            locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
            if locked.audience_kept_on is None:
                _keep(locked, reason=_("Audience kept as it was when the campaign ended"))
            campaign.audience_kept_on = locked.audience_kept_on


def audience(campaign: Campaign) -> QuerySet[Organization]:
    """The organizations the campaign addresses: kept as they were once it ended, else its saved
    filter applied now."""
    keep_ended_audiences([campaign])
    if campaign.audience_kept_on is not None:
        return Organization.objects.filter(pk__in=KEPT.objects.filter(campaign=campaign).values("organization_id"))
    return _live_audience(campaign)


def organizations_in_audience(campaign_id: int | str) -> QuerySet:
    """The ids of the organizations in a campaign's audience; none for an unknown campaign (the
    organization list's campaign_audience filter asks, through stakeholders.extensions)."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    return audience(campaign).values("pk") if campaign else Organization.objects.none().values("pk")


def campaign_events(campaign: Campaign) -> QuerySet[Engagement]:
    return Engagement.objects.filter(campaign=campaign, is_held=True, is_removed=False)


def _during(engagements: QuerySet[Engagement], campaign: Campaign) -> QuerySet[Engagement]:
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
        """Share of the target done; above 100 when the target is beaten (never capped)."""
        if not self.target:
            return None
        return round(100 * self.done / self.target)


@dataclass
class Progress:
    audience: int
    reached: Measure
    events: Measure
    commitments: Measure


def _met_during(campaign_field: str, organization_field: str) -> Exists:
    """Whether the organization was met at a held event of the campaign, between its start and end."""
    return Exists(
        MET.objects.filter(
            organization_id=OuterRef(organization_field),
            engagement__campaign_id=OuterRef(campaign_field),
            engagement__is_held=True,
            engagement__is_removed=False,
        ).filter(
            Q(engagement__campaign__starts_on__isnull=True)
            | Q(engagement__occurred_on__gte=F("engagement__campaign__starts_on")),
            Q(engagement__campaign__ends_on__isnull=True)
            | Q(engagement__occurred_on__lte=F("engagement__campaign__ends_on")),
        )
    )


def _kept_counts(campaigns: list[Campaign]) -> dict[int, tuple[int, int]]:
    """(audience, reached) of campaigns whose audience is kept: one query."""
    rows = (
        KEPT.objects.filter(campaign_id__in=[c.pk for c in campaigns])
        .values("campaign_id")
        .annotate(audience=Count("pk"), reached=Count("pk", filter=_met_during("campaign_id", "organization_id")))
        .order_by()
    )
    return {row["campaign_id"]: (row["audience"], row["reached"]) for row in rows}


def _live_counts(campaigns: list[Campaign]) -> dict[int, tuple[int, int]]:
    """(audience, reached) of running campaigns, each filter applied now: one query for them all."""
    aggregates = {}
    for campaign in campaigns:
        members = Q(pk__in=_live_audience(campaign).values("pk"))
        aggregates[f"audience_{campaign.pk}"] = Count("pk", filter=members)
        aggregates[f"reached_{campaign.pk}"] = Count("pk", filter=members & Q(pk__in=reached_ids(campaign)))
    totals = Organization.objects.aggregate(**aggregates) if aggregates else {}
    return {c.pk: (totals[f"audience_{c.pk}"], totals[f"reached_{c.pk}"]) for c in campaigns}


def campaigns_progress(campaigns: Iterable[Campaign]) -> dict[int, Progress]:
    """Progress of each campaign, by primary key: four queries whatever their number (plus, once in
    a campaign's life, the keeping of its audience at the first reading after its end)."""
    campaigns = list(campaigns)
    if not campaigns:
        return {}
    keep_ended_audiences(campaigns)
    counts = _kept_counts([c for c in campaigns if c.audience_kept_on is not None])
    counts |= _live_counts([c for c in campaigns if c.audience_kept_on is None])
    pks = [c.pk for c in campaigns]
    events = dict(
        Engagement.objects.filter(campaign_id__in=pks, is_held=True, is_removed=False)
        .values_list("campaign_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    signed = dict(
        Commitment.objects.filter(
            engagement__campaign_id__in=pks, engagement__is_held=True, engagement__is_removed=False, status__in=SIGNED
        )
        .values_list("engagement__campaign_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    result = {}
    for campaign in campaigns:
        size, reached = counts.get(campaign.pk, (0, 0))
        result[campaign.pk] = Progress(
            audience=size,
            reached=Measure(reached, campaign.target_reached),
            events=Measure(events.get(campaign.pk, 0), campaign.target_events),
            commitments=Measure(signed.get(campaign.pk, 0), campaign.target_commitments),
        )
    return result


def expected_share(campaign: Campaign, on: date) -> float | None:
    """How much of its targets a campaign should have met by `on`, if it kept an even pace from its
    start to its end (0 to 1); None when it has no dates to measure a pace by."""
    if not campaign.starts_on or not campaign.ends_on or campaign.ends_on < campaign.starts_on:
        return None
    span = (campaign.ends_on - campaign.starts_on).days + 1
    elapsed = (min(on, campaign.ends_on) - campaign.starts_on).days + 1
    return min(max(elapsed / span, 0.0), 1.0)


def behind_targets(campaign: Campaign, progress: Progress, on: date) -> list[tuple[str, Measure, int]]:
    """The targets an active campaign is behind on by `on`: (measure name, progress, what an even
    pace would have done by then). Empty when it is on pace, has no target, or no dates."""
    share = expected_share(campaign, on)
    if campaign.status != CampaignStatus.ACTIVE or share is None:
        return []
    behind = []
    for name in ("reached", "events", "commitments"):
        measure = getattr(progress, name)
        if measure.target:
            expected = math.ceil(measure.target * share)
            if measure.done < expected:
                behind.append((name, measure, expected))
    return behind


def campaign_progress(campaign: Campaign) -> Progress:
    return campaigns_progress([campaign])[campaign.pk]


def not_reached(campaign: Campaign) -> QuerySet[Organization]:
    return audience(campaign).exclude(pk__in=reached_ids(campaign))


@transaction.atomic
def campaign_save(*, campaign: Campaign, key_factors: Iterable[KeyFactor], channels: list[str]) -> Campaign:
    """Save a campaign. Completing it (or saving it past its end date) keeps its audience as it is;
    reopening it follows its filter again; a new filter for an ended campaign is kept afresh."""
    before = Campaign.objects.filter(pk=campaign.pk).values_list("audience_query", flat=True).first()
    campaign.channels = ",".join(channels)
    campaign.full_clean()
    campaign.save()
    campaign.key_factors.set(key_factors)
    if has_ended(campaign):
        if campaign.audience_kept_on is None:
            _keep(campaign, reason=_("Campaign ended: audience kept as it is"))
        elif before is not None and before != campaign.audience_query:
            _keep(campaign, reason=_("Audience filters changed: audience kept afresh"))
    elif campaign.audience_kept_on is not None:
        _release(campaign, reason=_("Campaign reopened: the audience follows its filters again"))
    changes.record()
    return campaign


def move_kept_audience_on_merge(*, survivor: Organization, duplicate: Organization) -> None:
    """Registered as a merge hook: a kept audience that held the duplicate holds the survivor."""
    holding = set(KEPT.objects.filter(organization=survivor).values_list("campaign_id", flat=True))
    KEPT.objects.filter(organization=duplicate, campaign_id__in=holding).delete()
    KEPT.objects.filter(organization=duplicate).update(organization=survivor)
