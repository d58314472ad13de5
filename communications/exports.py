"""What the engagement-log exports write (CONTRACT.md columns first; codes for machines, labels
for people: each column says its header's label and where its values' labels come from).

pandas is imported by the few derived columns only when they run: a worker that never exports
concerns or campaigns never loads it (about 56 MB and a quarter of a second).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Case, CharField, F, Value, When
from django.utils.translation import pgettext_lazy

from communications.choices import (
    CampaignStatus,
    Channel,
    CommitmentStatus,
    CommitmentType,
    ConcernStatus,
    Depth,
    EngagementKind,
    FollowUpStatus,
    KeyFactorCode,
    Mode,
    Sentiment,
)
from communications.models import Commitment, Topic
from crm.lib.exports import Column, Dataset, Related, yes_no, yes_no_labels
from stakeholders.choices import language_codes

if TYPE_CHECKING:
    import pandas as pd


def topic_labels() -> dict[str, str]:
    """Each topic's name in the active language (topics are a short managed list)."""
    return {topic.code: str(topic) for topic in Topic.objects.all()}


ENGAGEMENTS = Dataset(
    name="engagements",
    columns=[
        Column("date", "occurred_on", label=pgettext_lazy("export column", "Date")),
        Column("kind", "kind", label=pgettext_lazy("export column", "Kind"), labels=EngagementKind),
        Column("title", "title", label=pgettext_lazy("export column", "Title")),
        Column("organizations", "links__organizations", label=pgettext_lazy("export column", "Organizations")),
        Column("contacts", "links__contacts", label=pgettext_lazy("export column", "People")),
        Column("customs_office", "customs_office__name", label=pgettext_lazy("export column", "Customs office")),
        Column("region", "region__name", label=pgettext_lazy("export column", "Region")),
        Column(
            "topics",
            "links__topics",
            label=pgettext_lazy("export column", "Topics"),
            labels=topic_labels,
            split="; ",
        ),
        Column(
            "key_factors",
            "links__key_factors",
            label=pgettext_lazy("export column", "Key factors"),
            labels=KeyFactorCode,
            split="; ",
        ),
        Column("depth", "depth", label=pgettext_lazy("export column", "Depth"), labels=Depth),
        Column("sentiment", "sentiment", label=pgettext_lazy("export column", "Sentiment"), labels=Sentiment),
        Column("participants", "participants", label=pgettext_lazy("export column", "Participants")),
        Column("women_participants", "women_participants", label=pgettext_lazy("export column", "Women participants")),
        Column("campaign", "campaign__name", label=pgettext_lazy("export column", "Campaign")),
        Column("author", "author__email", label=pgettext_lazy("export column", "Author")),
        Column("id", "pk", label=pgettext_lazy("export column", "ID")),
        Column("mode", "mode", label=pgettext_lazy("export column", "Mode"), labels=Mode),
        Column("place", "location", label=pgettext_lazy("export column", "Place")),
        Column("held", "is_held", yes_no, label=pgettext_lazy("export column", "Held"), labels=yes_no_labels),
    ],
    # the many-to-many columns are kept by the database on a row of their own (communications/kept_links.py)
    order=["-occurred_on", "-pk"],
)

FOLLOW_UPS = Dataset(
    name="follow-ups",
    columns=[
        Column("due_on", "due_on", label=pgettext_lazy("export column", "Due on")),
        Column("status", "status", label=pgettext_lazy("export column", "Status"), labels=FollowUpStatus),
        Column("description", "description", label=pgettext_lazy("export column", "Description")),
        Column("owner", "owner__email", label=pgettext_lazy("export column", "Owner")),
        Column("engagement", "engagement__title", label=pgettext_lazy("export column", "Engagement")),
        Column(
            "organizations",
            "engagement__links__organizations",
            label=pgettext_lazy("export column", "Organizations"),
        ),
        Column("completed_on", "completed_on", label=pgettext_lazy("export column", "Completed on")),
        Column("id", "pk", label=pgettext_lazy("export column", "ID")),
        Column("engagement_date", "engagement__occurred_on", label=pgettext_lazy("export column", "Engagement date")),
    ],
    order=["due_on", "pk"],
)

COMMITMENTS = Dataset(
    name="commitments",
    columns=[
        Column("type", "type", label=pgettext_lazy("export column", "Type"), labels=CommitmentType),
        Column("title", "title", label=pgettext_lazy("export column", "Title")),
        Column("organizations", label=pgettext_lazy("export column", "Organizations")),
        Column("status", "status", label=pgettext_lazy("export column", "Status"), labels=CommitmentStatus),
        Column("signed_on", "signed_on", label=pgettext_lazy("export column", "Signed on")),
        Column("valid_until", "valid_until", label=pgettext_lazy("export column", "Valid until")),
        Column("review_on", "review_on", label=pgettext_lazy("export column", "Review on")),
        Column("id", "pk", label=pgettext_lazy("export column", "ID")),
        Column("document_reference", "document_reference", label=pgettext_lazy("export column", "Document reference")),
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
        Column("raised_on", "raised_on", label=pgettext_lazy("export column", "Raised on")),
        Column("organization", "organization__name", label=pgettext_lazy("export column", "Organization")),
        Column("topic", "topic__code", label=pgettext_lazy("export column", "Topic"), labels=topic_labels),
        Column("status", "status", label=pgettext_lazy("export column", "Status"), labels=ConcernStatus),
        Column(
            "summary", "narrative", label=pgettext_lazy("export column", "Summary")
        ),  # empty for a referral: a referral has no narrative
        Column("resolved_on", "resolved_on", label=pgettext_lazy("export column", "Resolved on")),
        Column("days_to_resolve", derive=_days_to_resolve, label=pgettext_lazy("export column", "Days to resolve")),
        Column(
            "referred_to_internal_affairs",
            "referred_to_internal_affairs",
            yes_no,
            label=pgettext_lazy("export column", "Referred to Internal Affairs"),
            labels=yes_no_labels,
        ),
        Column("id", "pk", label=pgettext_lazy("export column", "ID")),
        Column("referral_reference", "referral_reference", label=pgettext_lazy("export column", "Referral reference")),
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
        Column("name", "name", label=pgettext_lazy("export column", "Name")),
        Column("status", "status", label=pgettext_lazy("export column", "Status"), labels=CampaignStatus),
        Column("starts_on", "starts_on", label=pgettext_lazy("export column", "Starts on")),
        Column("ends_on", "ends_on", label=pgettext_lazy("export column", "Ends on")),
        Column("audience", derive=_progress_column("audience"), label=pgettext_lazy("export column", "Audience")),
        Column("reached", derive=_progress_column("reached"), label=pgettext_lazy("export column", "Reached")),
        Column("target_reached", "target_reached", label=pgettext_lazy("export column", "Target: reached")),
        Column("events", derive=_progress_column("events"), label=pgettext_lazy("export column", "Events")),
        Column("target_events", "target_events", label=pgettext_lazy("export column", "Target: events")),
        Column(
            "commitments", derive=_progress_column("commitments"), label=pgettext_lazy("export column", "Commitments")
        ),
        Column("target_commitments", "target_commitments", label=pgettext_lazy("export column", "Target: commitments")),
        Column("id", "pk", label=pgettext_lazy("export column", "ID")),
        Column("owner", "owner__email", label=pgettext_lazy("export column", "Owner")),
        Column("channels", "channels", label=pgettext_lazy("export column", "Channels"), labels=Channel, split=","),
        Column("audience_filter", "audience_query", label=pgettext_lazy("export column", "Audience filter")),
    ],
    order=["-starts_on", "name", "pk"],
)

MAILING_LIST = Dataset(
    name="mailing-list",
    columns=[
        Column("first_name", "first_name", label=pgettext_lazy("export column", "First name")),
        Column("last_name", "last_name", label=pgettext_lazy("export column", "Last name")),
        Column("organization", "organization__name", label=pgettext_lazy("export column", "Organization")),
        Column("email", "email", label=pgettext_lazy("export column", "Email")),
        Column("phone", "phone", label=pgettext_lazy("export column", "Phone")),
        Column(
            "preferred_language",
            "preferred_language",
            label=pgettext_lazy("export column", "Preferred language"),
            labels=language_codes,
        ),
        Column("job_title", "job_title", label=pgettext_lazy("export column", "Job title")),
        Column(
            "registration_number",
            "organization__registration_number",
            label=pgettext_lazy("export column", "Registration number"),
        ),
    ],
    order=["preferred_language", "organization__name", "last_name", "pk"],
)
