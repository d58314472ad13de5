"""What the engagement-log exports write (CONTRACT.md columns first, codes not labels).

pandas is imported by the few derived columns only when they run: a worker that never exports
concerns or campaigns never loads it (about 56 MB and a quarter of a second).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Case, CharField, F, Value, When
from django.db.models.functions import Concat

from communications.models import Commitment, Engagement
from crm.exports import Column, Dataset, Related, yes_no

if TYPE_CHECKING:
    import pandas as pd

_ENGAGEMENT_ORGS = Engagement.organizations.through
_full_name = {
    "full_name": Concat(F("contact__first_name"), Value(" "), F("contact__last_name"), output_field=CharField())
}

ENGAGEMENTS = Dataset(
    name="engagements",
    columns=[
        Column("date", "occurred_on"),
        Column("kind", "kind"),
        Column("title", "title"),
        Column("organizations"),
        Column("contacts"),
        Column("customs_office", "customs_office__name"),
        Column("region", "region__name"),
        Column("topics"),
        Column("key_factors"),
        Column("depth", "depth"),
        Column("sentiment", "sentiment"),
        Column("participants", "participants"),
        Column("women_participants", "women_participants"),
        Column("campaign", "campaign__name"),
        Column("author", "author__email"),
        Column("id", "pk"),
        Column("mode", "mode"),
        Column("place", "location"),
        Column("held", "is_held", yes_no),
    ],
    related=[
        Related("organizations", _ENGAGEMENT_ORGS, "engagement_id", "organization__name"),
        Related("contacts", Engagement.contacts.through, "engagement_id", "full_name", annotate=_full_name),
        Related("topics", Engagement.topics.through, "engagement_id", "topic__code"),
        Related("key_factors", Engagement.key_factors.through, "engagement_id", "keyfactor__code"),
    ],
    order=["-occurred_on", "-pk"],
)

FOLLOW_UPS = Dataset(
    name="follow-ups",
    columns=[
        Column("due_on", "due_on"),
        Column("status", "status"),
        Column("description", "description"),
        Column("owner", "owner__email"),
        Column("engagement", "engagement__title"),
        Column("organizations"),
        Column("completed_on", "completed_on"),
        Column("id", "pk"),
        Column("engagement_date", "engagement__occurred_on"),
    ],
    related=[
        Related("organizations", _ENGAGEMENT_ORGS, "engagement_id", "organization__name", row_key="engagement_id")
    ],
    order=["due_on", "pk"],
)

COMMITMENTS = Dataset(
    name="commitments",
    columns=[
        Column("type", "type"),
        Column("title", "title"),
        Column("organizations"),
        Column("status", "status"),
        Column("signed_on", "signed_on"),
        Column("valid_until", "valid_until"),
        Column("review_on", "review_on"),
        Column("id", "pk"),
        Column("document_reference", "document_reference"),
    ],
    related=[Related("organizations", Commitment.parties.through, "commitment_id", "organization__name")],
    order=["-signed_on", "-pk"],
)


def _days_to_resolve(raw: pd.DataFrame) -> pd.Series:
    """Whole days from raised to resolved, empty while open (as Concern.days_to_resolve). Kept as
    objects: a float column would write 12.0 whenever an open concern shares the chunk."""
    import pandas as pd

    days = [
        (resolved - raised).days if raised and resolved else None
        for raised, resolved in zip(raw["raised_on"], raw["resolved_on"], strict=True)
    ]
    return pd.Series(days, index=raw.index, dtype="object")


CONCERNS = Dataset(
    name="concerns",
    columns=[
        Column("raised_on", "raised_on"),
        Column("organization", "organization__name"),
        Column("topic", "topic__code"),
        Column("status", "status"),
        Column("summary", "narrative"),  # empty for a referral: a referral has no narrative
        Column("resolved_on", "resolved_on"),
        Column("days_to_resolve", derive=_days_to_resolve),
        Column("referred_to_internal_affairs", "referred_to_internal_affairs", yes_no),
        Column("id", "pk"),
        Column("referral_reference", "referral_reference"),
    ],
    annotate={
        "narrative": Case(
            When(referred_to_internal_affairs=True, then=Value("")), default=F("summary"), output_field=CharField()
        )
    },
    extra_sources=["raised_on", "resolved_on"],
    order=["-raised_on", "-pk"],
)


def _progress_column(attribute: str):
    """A campaign progress figure (the kept audience of a campaign that ended)."""

    def derive(raw: pd.DataFrame) -> pd.Series:
        import pandas as pd

        from communications.campaigns import campaigns_progress
        from communications.models import Campaign

        if "progress" not in raw.attrs:  # computed once per chunk (a few queries), shared by the four columns
            raw.attrs["progress"] = campaigns_progress(Campaign.objects.filter(pk__in=raw["pk"].tolist()))
        values = []
        for pk in raw["pk"]:
            value = getattr(raw.attrs["progress"][pk], attribute)
            values.append(value if isinstance(value, int) else value.done)
        return pd.Series(values, index=raw.index, dtype="object")

    return derive


CAMPAIGNS = Dataset(
    name="campaigns",
    columns=[
        Column("name", "name"),
        Column("status", "status"),
        Column("starts_on", "starts_on"),
        Column("ends_on", "ends_on"),
        Column("audience", derive=_progress_column("audience")),
        Column("reached", derive=_progress_column("reached")),
        Column("target_reached", "target_reached"),
        Column("events", derive=_progress_column("events")),
        Column("target_events", "target_events"),
        Column("commitments", derive=_progress_column("commitments")),
        Column("target_commitments", "target_commitments"),
        Column("id", "pk"),
        Column("owner", "owner__email"),
        Column("channels", "channels"),
        Column("audience_filter", "audience_query"),
    ],
    order=["-starts_on", "name", "pk"],
)

MAILING_LIST = Dataset(
    name="mailing-list",
    columns=[
        Column("first_name", "first_name"),
        Column("last_name", "last_name"),
        Column("organization", "organization__name"),
        Column("email", "email"),
        Column("phone", "phone"),
        Column("preferred_language", "preferred_language"),
        Column("job_title", "job_title"),
        Column("registration_number", "organization__registration_number"),
    ],
    order=["preferred_language", "organization__name", "last_name", "pk"],
)
