"""The demo's vocabulary mixes (kinds, depth, sentiment, subjects, actions), campaigns and survey.

The engagements themselves, with their follow-ups, commitments and concerns, are written by
crm.demo.seeding in SQL from these mixes: three years of outreach, some follow-ups overdue, some
concerns referred to Internal Affairs (no narrative). A second run adds only what is missing.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from communications import rollups
from communications.choices import KeyFactorCode
from communications.models import Engagement, KeyFactor
from crm.lib import changes

KINDS = (
    ["meeting"] * 30
    + ["phone_call"] * 18
    + ["email"] * 10
    + ["workshop"] * 10
    + ["field_visit"] * 8
    + ["consultative_committee"] * 6
    + ["awareness_session"] * 6
    + ["training"] * 4
    + ["webinar"] * 3
    + ["survey"] * 2
    + ["mou_signing"] * 2
    + ["press_event"]
)
MODE_OF = {"phone_call": "phone", "email": "written", "webinar": "video", "survey": "written"}
DEPTHS = ["inform"] * 35 + ["consult"] * 30 + ["involve"] * 18 + ["collaborate"] * 12 + ["empower"] * 5
SENTIMENTS = ["positive"] * 40 + ["neutral"] * 35 + ["mixed"] * 15 + ["negative"] * 10
SUBJECTS = [
    "release delays at the border",
    "the single window roll-out",
    "AEO onboarding",
    "transit guarantees",
    "e-payment of duties",
    "valuation disputes",
    "the code of conduct",
    "reporting channels",
    "women small traders",
    "appeals procedure",
    "the integrity charter",
]
ACTIONS = [
    "Send the meeting minutes",
    "Share the AEO application guide",
    "Check the valuation file",
    "Invite them to the consultative committee",
    "Reply to the association's letter",
    "Arrange a visit of the border post",
    "Send the integrity charter for signature",
]
DAYS = 3 * 365
TITLE_MARK = " · demo "


DEMO_CAMPAIGNS = [
    # name, start (days ago), end (days ahead), audience, targets (reached, events, commitments), status
    (
        "International Anti-Corruption Day 2026",
        60,
        17,
        "type=customs_broker&type=freight_forwarder",
        (40, 12, 4),
        "active",
    ),
    (
        "AEO integrity pledge, Kayes–Sikasso corridor",
        400,
        -200,
        "region=Kayes,Sikasso&influence_min=3",
        (25, 8, 3),
        "completed",
    ),
]


@transaction.atomic
def seed_campaigns(*, owner) -> int:
    """Two campaigns, with the demo engagements of their period linked to them (one in five)."""
    changes.take_turn()  # first, before any write (crm/lib/changes.py)
    from communications.models import Campaign

    today = timezone.localdate()
    added = 0
    for name, start, end, query, (reached, events, commitments), status in DEMO_CAMPAIGNS:
        if Campaign.objects.filter(name=name).exists():
            continue
        campaign = Campaign.objects.create(
            name=name,
            status=status,
            starts_on=today - timedelta(days=start),
            ends_on=today + timedelta(days=end),
            owner=owner,
            audience_query=query,
            target_reached=reached,
            target_events=events,
            target_commitments=commitments,
            channels="workshop,radio,whatsapp,poster",
            objective="Fictional demo campaign: raise awareness of the integrity charter and the reporting channels.",
            key_messages="Integrity is everyone's business.\nReport through the official channels.",
        )
        campaign.key_factors.set(KeyFactor.objects.filter(code__in=["private_sector_relationship", "transparency"]))
        period = Engagement.objects.filter(
            title__contains=TITLE_MARK, campaign__isnull=True, occurred_on__range=(campaign.starts_on, campaign.ends_on)
        ).order_by("pk")
        ids = list(period.values_list("pk", flat=True))[::5]
        Engagement.objects.filter(pk__in=ids).update(campaign=campaign)
        rollups.refresh(engagements=ids)
        added += 1
    if added:
        changes.record()
    return added


def seed_survey() -> int:
    """Two fictional CIPS waves (aggregates only, groups of 5 respondents or more)."""
    from communications.models import SurveyResult

    if SurveyResult.objects.exists():
        return 0
    rng = random.Random(2024)
    rows = [
        SurveyResult(
            wave=wave,
            year=year,
            respondent_group=group,
            key_factor=code,
            score=rng.randint(35, 70) + lift,
            respondents=size + rng.randint(-20, 20),
        )
        for wave, year, lift in (("CIPS 2022", 2022, 0), ("CIPS 2024", 2024, 6))
        for group, size in (("customs brokers", 120), ("importers", 90), ("customs officers", 200))
        for code in KeyFactorCode.values
    ]
    bulk_create_with_history(rows, SurveyResult)  # with their history, as an import writes them
    changes.record()
    return len(rows)
