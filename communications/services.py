"""Writes to the engagement log. Views, commands and the demo data call these; each keeps its history,
and records its change for what is kept from the registers (crm.lib.changes)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from communications import rollups
from communications.choices import OPEN_FOLLOW_UP_STATUSES, CommitmentStatus, ConcernStatus, FollowUpStatus
from communications.models import Commitment, Concern, Engagement, FollowUp
from crm.lib import changes, events, search
from crm.models import User
from stakeholders.models import Contact, Organization

# A commitment counts as signed from "signed" on (it may be recorded straight as active).
SIGNED_COMMITMENTS = (CommitmentStatus.SIGNED, CommitmentStatus.ACTIVE)


@dataclass
class FollowUpDraft:
    description: str
    owner: User
    due_on: date


def engagement_problems(
    *,
    occurred_on: date | None,
    organizations: list,
    contacts: Iterable,
    participants: int | None,
    women_participants: int | None,
    follow_ups: Iterable[FollowUpDraft] = (),
) -> dict[str, list[str]]:
    """The rules an engagement must keep, as {field: [messages]} ("follow_ups.N.due_on" for a row).

    One place for them: the form shows them beside the fields, the service refuses to save without them.
    """
    problems: dict[str, list[str]] = {}
    if not organizations:
        problems.setdefault("organizations", []).append(_("Name at least one organization met."))
    organization_ids = {o.pk for o in organizations}
    strangers = [c for c in contacts if c.organization_id not in organization_ids]
    if strangers:
        names = ", ".join(c.full_name for c in strangers)
        problems.setdefault("contacts", []).append(
            _("%(names)s: not from the organizations of this engagement. Add the organization or untick the person.")
            % {"names": names}
        )
    if participants is not None and women_participants is not None and women_participants > participants:
        problems.setdefault("women_participants", []).append(
            ngettext(
                "Cannot be more than the %(n)s participant.",
                "Cannot be more than the %(n)s participants.",
                participants,
            )
            % {"n": participants}
        )
    for index, draft in enumerate(follow_ups):
        if occurred_on and draft.due_on and draft.due_on < occurred_on:
            problems.setdefault(f"follow_ups.{index}.due_on", []).append(
                _("Due before the engagement itself (%(date)s).")
                % {"date": date_format(occurred_on, "SHORT_DATE_FORMAT")}
            )
    return problems


def _derive(engagement: Engagement, organizations: list) -> None:
    engagement.is_held = engagement.occurred_on <= timezone.localdate()
    if engagement.customs_office_id:
        engagement.region_id = engagement.customs_office.region_id  # type: ignore[union-attr]
    else:
        engagement.region_id = organizations[0].region_id if organizations else None


@transaction.atomic
def engagement_save(
    *,
    engagement: Engagement,
    organizations: list,
    contacts: list,
    staff: Iterable,
    topics: Iterable,
    key_factors: Iterable,
    follow_ups: Iterable[FollowUpDraft] = (),
) -> Engagement:
    """Log a new engagement (with its follow-ups) or save changes to one."""
    changes.take_turn()  # first, before any write (crm/lib/changes.py)
    follow_ups = list(follow_ups)
    problems = engagement_problems(
        occurred_on=engagement.occurred_on,
        organizations=organizations,
        contacts=contacts,
        participants=engagement.participants,
        women_participants=engagement.women_participants,
        follow_ups=follow_ups,
    )
    if problems:
        raise ValidationError(problems)
    is_new = engagement.pk is None
    before = set(engagement.organizations.values_list("pk", flat=True)) if engagement.pk else set()
    was_on = (
        Engagement.objects.filter(pk=engagement.pk).values_list("occurred_on", flat=True).first()
        if engagement.pk
        else None
    )
    _derive(engagement, organizations)
    engagement.full_clean()
    engagement.save()
    engagement.organizations.set(organizations)
    engagement.contacts.set(contacts)
    engagement.staff.set(staff)
    engagement.topics.set(topics)
    engagement.key_factors.set(key_factors)
    for draft in follow_ups:
        follow_up = FollowUp(
            engagement=engagement, description=draft.description, owner=draft.owner, due_on=draft.due_on
        )
        follow_up.full_clean()
        follow_up.save()
        if follow_up.owner_id != engagement.author_id:
            events.emit("follow_up.assigned", follow_up=follow_up.pk, by=engagement.author_id)
    refresh_last_engaged(before | {o.pk for o in organizations})
    if is_new:
        rollups.added(engagement.pk)
    else:
        rollups.refresh(engagements=[engagement.pk], days=[was_on])
    changes.record()
    if is_new:
        events.emit("engagement.logged", engagement=engagement.pk)
    return engagement


@transaction.atomic
def engagement_mark_held(*, engagement: Engagement, on: date | None = None) -> Engagement:
    """A planned engagement took place: it now counts in figures."""
    changes.take_turn()  # first, before any write (crm/lib/changes.py)
    was_on = engagement.occurred_on
    engagement.occurred_on = on or min(engagement.occurred_on, timezone.localdate())
    engagement.is_held = True
    engagement._change_reason = _("Marked as held")
    engagement.save()
    refresh_last_engaged(engagement.organizations.values_list("pk", flat=True))
    rollups.refresh(engagements=[engagement.pk], days=[was_on])
    changes.record()
    return engagement


@transaction.atomic
def engagement_remove(*, engagement: Engagement) -> None:
    """Managers remove an engagement logged by mistake: hidden everywhere, kept in the history."""
    changes.take_turn()  # first, before any write (crm/lib/changes.py)
    engagement.is_removed = True
    engagement._change_reason = _("Removed")
    engagement.save()
    refresh_last_engaged(engagement.organizations.values_list("pk", flat=True))
    rollups.refresh(engagements=[engagement.pk])
    changes.record()


def last_engaged_dates() -> QuerySet:
    """Organization.last_engaged_on, defined once: a row (organization, last_engaged_on) for each
    organization an engagement names, the date of its latest engagement that was held and is not
    removed, else None (and a row with organization None for engagements naming none, which no
    organization matches). last_engaged_on() runs it for one organization; the demo seeding for
    all those its engagements name, in one pass.

    The engagements are read first and their links found by engagement (a LEFT JOIN, whose order
    SQLite keeps): for all organizations at once, that reads the engagement table in order, about
    three times faster at a million engagements than organization by organization."""
    return (
        Engagement.objects.values(organization=F("organizations"))
        .annotate(last_engaged_on=Max("occurred_on", filter=Q(is_held=True, is_removed=False)))
        .order_by()
    )


def last_engaged_on() -> Subquery:
    """last_engaged_dates() of the organization of the row at hand (OuterRef("pk"))."""
    return Subquery(last_engaged_dates().filter(organization=OuterRef("pk")).values("last_engaged_on"))


def refresh_last_engaged(organization_ids: Iterable[int]) -> None:
    """Keep Organization.last_engaged_on (what lists sort and filter by) in step: one UPDATE per
    batch of 5 000 organizations (a database takes only so many parameters)."""
    ids = sorted(set(organization_ids))
    for start in range(0, len(ids), 5000):
        Organization.objects.filter(pk__in=ids[start : start + 5000]).update(last_engaged_on=last_engaged_on())
    changes.record()


@transaction.atomic
def follow_up_set_status(*, follow_up: FollowUp, status: str, by: User | None) -> FollowUp:
    """Change a follow-up's state; closing someone else's is recorded under the name of who did it."""
    changes.take_turn()  # first, before any write (crm/lib/changes.py)
    was_done = follow_up.pk and FollowUp.objects.filter(pk=follow_up.pk, status=FollowUpStatus.DONE).exists()
    was_due = follow_up.pk and FollowUp.objects.filter(pk=follow_up.pk).values_list("due_on", flat=True).first()
    follow_up.status = status
    if status == FollowUpStatus.DONE:
        follow_up.completed_on = follow_up.completed_on or timezone.localdate()
    elif status in OPEN_FOLLOW_UP_STATUSES:
        follow_up.completed_on = None
    if by is not None and by.pk != follow_up.owner_id and not getattr(follow_up, "_change_reason", None):
        follow_up._change_reason = _("Status changed by %(name)s for %(owner)s") % {
            "name": by,
            "owner": follow_up.owner,
        }
    follow_up.full_clean()
    follow_up.save()
    rollups.refresh(due_days=[day for day in (was_due, follow_up.due_on) if day])
    changes.record()
    if status == FollowUpStatus.DONE and not was_done:
        events.emit("follow_up.done", follow_up=follow_up.pk, by=by.pk if by else None)
    return follow_up


@transaction.atomic
def follow_up_update(
    *, follow_up: FollowUp, description: str, owner: User, due_on: date, status: str, by: User | None
) -> FollowUp:
    changes.take_turn()  # first, before any write (crm/lib/changes.py)
    reassigned = owner.pk != follow_up.owner_id
    if reassigned:
        follow_up._change_reason = _("Reassigned by %(name)s") % {"name": by}
    follow_up.description, follow_up.owner, follow_up.due_on = description, owner, due_on
    if due_on < follow_up.engagement.occurred_on:
        raise ValidationError(
            {
                "due_on": _("Due before the engagement itself (%(date)s).")
                % {"date": follow_up.engagement.occurred_on.isoformat()}
            }
        )
    follow_up = follow_up_set_status(follow_up=follow_up, status=status, by=by)
    if reassigned and (by is None or by.pk != owner.pk):
        events.emit("follow_up.assigned", follow_up=follow_up.pk, by=by.pk if by else None)
    return follow_up


@transaction.atomic
def commitment_save(*, commitment: Commitment, parties: list) -> Commitment:
    if not parties:
        raise ValidationError({"parties": [_("Name at least one party.")]})
    was_signed = commitment.pk and Commitment.objects.filter(pk=commitment.pk, status__in=SIGNED_COMMITMENTS).exists()
    commitment.full_clean()
    commitment.save()
    commitment.parties.set(parties)
    changes.record()
    if commitment.status in SIGNED_COMMITMENTS and not was_signed:
        events.emit("commitment.signed", commitment=commitment.pk)
    return commitment


@transaction.atomic
def concern_save(*, concern: Concern) -> Concern:
    """Record a concern. A referral to Internal Affairs keeps only its date, reference and organization:
    any narrative is dropped here, and from the concern's earlier history entries too."""
    if (
        concern.pk
        and not concern.referred_to_internal_affairs
        and Concern.objects.filter(pk=concern.pk, referred_to_internal_affairs=True).exists()
    ):
        # Undoing it would show the referral's reference and history to everyone.
        raise ValidationError({"referred_to_internal_affairs": [_("A referral to Internal Affairs stays one.")]})
    if concern.referred_to_internal_affairs:
        concern.summary = concern.response = ""
        concern.topic = None
        if not concern.referral_reference:
            raise ValidationError({"referral_reference": [_("Give the reference Internal Affairs gave the referral.")]})
    else:
        concern.referral_reference = ""
    is_new = concern.pk is None
    becomes_referral = (
        not is_new
        and concern.referred_to_internal_affairs
        and Concern.objects.filter(pk=concern.pk, referred_to_internal_affairs=False).exists()
    )
    was_resolved = not is_new and Concern.objects.filter(pk=concern.pk, resolved_on__isnull=False).exists()
    if concern.status in (ConcernStatus.RESOLVED, ConcernStatus.CLOSED):
        concern.resolved_on = concern.resolved_on or timezone.localdate()
    else:
        concern.resolved_on = None
    if concern.resolved_on and concern.resolved_on < concern.raised_on:
        raise ValidationError({"resolved_on": [_("Cannot be before the concern was raised.")]})
    concern.full_clean()
    concern.save()
    if concern.referred_to_internal_affairs:
        concern.history.filter(~Q(summary="") | ~Q(response="") | Q(topic__isnull=False)).update(
            summary="", response="", topic=None
        )
    changes.record()
    if is_new:
        events.emit("concern.raised", concern=concern.pk)
    if concern.resolved_on and not was_resolved:
        events.emit("concern.resolved", concern=concern.pk)
    if becomes_referral:
        search.forget_removed_text(Concern)  # its narrative's words, out of the index's storage too
        events.emit("concern.referred", concern=concern.pk)
    return concern


def move_engagements_on_merge(*, survivor: Organization, duplicate: Organization) -> None:
    """Registered as a merge hook: what the duplicate organization took part in moves to the survivor,
    whose last engagement date follows."""
    through = Engagement.organizations.through
    moved = list(through.objects.filter(organization=duplicate).values_list("engagement_id", flat=True))
    taken = set(through.objects.filter(organization=survivor).values_list("engagement_id", flat=True))
    through.objects.filter(organization=duplicate, engagement_id__in=taken).delete()
    through.objects.filter(organization=duplicate).update(organization=survivor)
    parties = Commitment.parties.through
    signed = set(parties.objects.filter(organization=survivor).values_list("commitment_id", flat=True))
    parties.objects.filter(organization=duplicate, commitment_id__in=signed).delete()
    parties.objects.filter(organization=duplicate).update(organization=survivor)
    Concern.objects.filter(organization=duplicate).update(organization=survivor)
    rollups.refresh(engagements=moved)
    # The merge saves the survivor as it holds it: its last engagement is worked out here, by the
    # one definition, over the engagements it now has.
    survivor.last_engaged_on = (
        Organization.objects.filter(pk=survivor.pk).values_list(last_engaged_on(), flat=True).get()
    )


def move_contact_engagements_on_merge(*, survivor: Contact, duplicate: Contact) -> None:
    through = Engagement.contacts.through
    met = set(through.objects.filter(contact=survivor).values_list("engagement_id", flat=True))
    through.objects.filter(contact=duplicate, engagement_id__in=met).delete()
    through.objects.filter(contact=duplicate).update(contact=survivor)
