"""Campaigns: the audience (a saved organization filter) and progress against the targets.

While a campaign runs, its audience is the saved filter applied now. Once it has ended (marked
completed, or read for the first time after its end date) the audience is kept as it was then
(Campaign.kept_audience), so that its figures and its report stay true when organizations are
created or imported later. Every reading of the audience goes through audience() or
campaigns_progress(), which keep it at that first reading.

Progress is counted from the engagements linked to the campaign: held engagements are events;
audience organizations engaged through them during the campaign are reached; commitments signed at
them count as commitments. Progress of any number of campaigns costs four queries; the list's two
figures (audience, reached) two.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db import transaction
from django.db.models import Case, Count, Func, IntegerField, Q, QuerySet, Subquery, When
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from communications import rollups
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
# How long a campaign's counted figures are kept at most (what changes without telling them).
FIGURES_KEPT_SECONDS = 24 * 3600
# The kept figures' shape, in their key: raised whenever it changes.
FIGURES_SHAPE = 1


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
    changes.record_for([_scope(campaign.pk)])


def _release(campaign: Campaign, *, reason: str) -> None:
    campaign._change_reason = reason
    campaign.kept_audience.clear()
    campaign.audience_kept_on = None
    campaign.save(update_fields=["audience_kept_on"])
    changes.record()
    changes.record_for([_scope(campaign.pk)])


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


def organizations_reached(campaign: Campaign) -> QuerySet:
    """One row per organization met at the campaign's held events between its start and end: read
    from the reach the services keep per campaign (communications/rollups.py), not from the events'
    links (tens of thousands for a national campaign)."""
    return rollups.reached(_scope(campaign.pk), campaign.starts_on or date.min, campaign.ends_on or date.max)


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


def _count(queryset: QuerySet) -> Subquery:
    """The number of rows, as a subquery of one value. COUNT(*), not COUNT(id): PostgreSQL can then
    count from an index that does not hold the id."""
    return Subquery(queryset.order_by().values(n=Func(template="COUNT(*)", output_field=IntegerField())))


def _kept_counts(campaigns: list[Campaign]) -> dict[int, tuple[int, int]]:
    """(audience, reached) of campaigns whose audience is kept: one query, one row per campaign
    holding its own two counts. The reached rows are read and checked against the kept members;
    a live audience (below) goes the other way, its organizations checked against the reached rows:
    measured, each way round is the faster one for its kind on SQLite (the same query for both
    read the live audience's organizations one by one into the reach index, 280 -> 400 ms)."""
    if not campaigns:
        return {}
    members = {c.pk: KEPT.objects.filter(campaign_id=c.pk) for c in campaigns}
    audience = Case(*[When(pk=pk, then=_count(kept)) for pk, kept in members.items()])
    reached = Case(
        *[
            When(
                pk=c.pk,
                then=_count(
                    organizations_reached(c).filter(organization_id__in=members[c.pk].values("organization_id"))
                ),
            )
            for c in campaigns
        ]
    )
    rows = Campaign.objects.filter(pk__in=list(members)).values_list("pk", audience, reached)
    return {pk: (size or 0, met or 0) for pk, size, met in rows}


def _live_counts(campaigns: list[Campaign]) -> dict[int, tuple[int, int]]:
    """(audience, reached) of running campaigns, each filter applied now: one query for them all,
    one row per campaign holding its own two counts."""
    if not campaigns:
        return {}
    audiences = {c.pk: _live_audience(c) for c in campaigns}
    audience = Case(*[When(pk=pk, then=_count(members)) for pk, members in audiences.items()])
    reached = Case(
        *[
            When(
                pk=c.pk, then=_count(audiences[c.pk].filter(pk__in=organizations_reached(c).values("organization_id")))
            )
            for c in campaigns
        ]
    )
    rows = Campaign.objects.filter(pk__in=list(audiences)).values_list("pk", audience, reached)
    return {pk: (size or 0, met or 0) for pk, size, met in rows}


def campaigns_reach(campaigns: Iterable[Campaign]) -> dict[int, tuple[int, int]]:
    """(audience, reached) of each campaign, by primary key, as the campaigns list shows them.

    Counting them intersects tens of thousands of rows per campaign (20 to 80 ms each at a national
    scale), so they are kept, in the shared cache, under what they were counted from: an ended
    campaign's under its dates and the named mark of its reach (crm.lib.changes: moved when its
    reach rows or its kept audience change, and by nothing else); a running campaign's, whose
    audience is a filter over every organization, under the registers' mark and the day as well.
    One cache read for the page, then one query for the kept campaigns and one for the running
    ones among those counted again (plus, once in a campaign's life, the keeping of its audience)."""
    campaigns = list(campaigns)
    keep_ended_audiences(campaigns)
    if not campaigns:
        return {}
    # The marks are read before anything is counted: a commit landing meanwhile moves a mark past
    # the one the figures are kept under, and the next reading counts them again.
    kept = changes.marks([_scope(c.pk) for c in campaigns], also=[_figures_key(c) for c in campaigns])
    result, stale = {}, {}
    for campaign in campaigns:
        counted_from = _counted_from(campaign, kept)
        figures = kept.get(_figures_key(campaign))
        if figures is not None and figures[0] == counted_from:
            result[campaign.pk] = tuple(figures[1])
        else:
            stale[campaign.pk] = counted_from
    if stale:
        again = [c for c in campaigns if c.pk in stale]
        counts = _kept_counts([c for c in again if c.audience_kept_on is not None])
        counts |= _live_counts([c for c in again if c.audience_kept_on is None])
        cache.set_many({_figures_key(c): (stale[c.pk], counts[c.pk]) for c in again}, FIGURES_KEPT_SECONDS)
        result |= counts
    return result


def _scope(campaign_id: int) -> str:
    """A campaign's scope in the roll-ups (communications/rollups.py), also the name of the mark
    its kept figures follow."""
    return f"campaign:{campaign_id}"


def _figures_key(campaign: Campaign) -> str:
    return f"campaign-figures:{FIGURES_SHAPE}:{campaign.pk}"


def _counted_from(campaign: Campaign, kept: dict) -> str:
    """What a campaign's (audience, reached) were counted from, as it is now (`kept`: the marks)."""
    basis: tuple = (
        campaign.audience_kept_on,
        campaign.starts_on,
        campaign.ends_on,
        kept.get(changes.named(changes.EVERYTHING)),
        kept.get(changes.named(_scope(campaign.pk))),
    )
    if campaign.audience_kept_on is None:
        basis += (campaign.audience_query, kept.get(changes.MARK), timezone.localdate())
    return repr(basis)


def campaigns_progress(campaigns: Iterable[Campaign]) -> dict[int, Progress]:
    """Progress of each campaign, by primary key: four queries whatever their number (plus, once in
    a campaign's life, the keeping of its audience at the first reading after its end). Events are
    read from the roll-ups, organizations reached too (communications/rollups.py)."""
    campaigns = list(campaigns)
    if not campaigns:
        return {}
    counts = campaigns_reach(campaigns)
    held = rollups.held_counts(_scope(c.pk) for c in campaigns)
    # Each campaign's signed commitments counted among its events' (read from the index of held
    # events by campaign), rather than each signed commitment's engagement looked up for its campaign.
    signed = Commitment.objects.filter(status__in=SIGNED).aggregate(
        **{f"campaign_{c.pk}": Count("pk", filter=Q(engagement__in=campaign_events(c).values("pk"))) for c in campaigns}
    )
    result = {}
    for campaign in campaigns:
        size, reached = counts.get(campaign.pk, (0, 0))
        result[campaign.pk] = Progress(
            audience=size,
            reached=Measure(reached, campaign.target_reached),
            events=Measure(held.get(_scope(campaign.pk), 0), campaign.target_events),
            commitments=Measure(signed[f"campaign_{campaign.pk}"], campaign.target_commitments),
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
    return audience(campaign).exclude(pk__in=organizations_reached(campaign).values("organization_id"))


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
    moved = KEPT.objects.filter(organization=duplicate).values_list("campaign_id", flat=True)
    changes.record_for(_scope(pk) for pk in moved)
    KEPT.objects.filter(organization=duplicate, campaign_id__in=holding).delete()
    KEPT.objects.filter(organization=duplicate).update(organization=survivor)


def forget_deleted_member(*, organization: Organization) -> None:
    """Registered as a deletion hook: the kept audiences that held a deleted organization lose it
    (the database deletes the row), and their figures are counted again."""
    holding = KEPT.objects.filter(organization=organization).values_list("campaign_id", flat=True)
    changes.record_for(_scope(pk) for pk in holding)
