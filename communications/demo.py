"""Fictional, deterministic engagements, follow-ups, commitments and concerns (bulk inserts).

Three years of outreach with realistic mixes of kinds, depth and sentiment; some follow-ups are
overdue, some concerns are referred to Internal Affairs (no narrative). A second run adds only the
missing engagements (numbered by their title's suffix), so nothing is duplicated.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from communications.choices import DEFAULT_TOPICS, KeyFactorCode
from communications.models import Commitment, Concern, Engagement, FollowUp, KeyFactor, Topic
from communications.services import refresh_last_engaged
from crm.bulk import field_defaults, insert_rows, next_ids, reset_sequences
from stakeholders.models import Contact, Organization

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


def _title(kind_label: str, subject: str, index: int) -> str:
    return f"{kind_label.capitalize()} on {subject}{TITLE_MARK}{index}"


CHUNK = 50_000


def _buffers() -> dict[str, list]:
    names = [
        "engagements",
        "org_links",
        "contact_links",
        "staff_links",
        "topic_links",
        "factor_links",
        "follow_ups",
        "commitments",
        "concerns",
    ]
    return {name: [] for name in names}


def _flush(buffers: dict, totals: dict, now) -> None:
    """Write the rows gathered so far (with their history) and empty the buffers."""
    insert_rows(Engagement, buffers["engagements"], history_reason="Demo data")
    for through, rows in [
        (Engagement.organizations.through, buffers["org_links"]),
        (Engagement.contacts.through, buffers["contact_links"]),
        (Engagement.staff.through, buffers["staff_links"]),
        (Engagement.topics.through, buffers["topic_links"]),
        (Engagement.key_factors.through, buffers["factor_links"]),
    ]:
        insert_rows(through, rows)
    follow_up_defaults = field_defaults(FollowUp)
    insert_rows(
        FollowUp,
        [
            follow_up_defaults | row | {"id": pk}
            for row, pk in zip(buffers["follow_ups"], next_ids(FollowUp, len(buffers["follow_ups"])), strict=True)
        ],
        history_reason="Demo data",
    )
    commitment_defaults = field_defaults(Commitment)
    commitment_rows, parties = [], []
    for row, pk in zip(buffers["commitments"], next_ids(Commitment, len(buffers["commitments"])), strict=True):
        commitment_rows.append(
            commitment_defaults
            | {
                "id": pk,
                "type": "mou" if row["kind"] == "mou_signing" else "integrity_charter",
                "title": f"Integrity commitment {pk}",
                "engagement_id": row["pk_engagement"],
                "status": "signed",
                "signed_on": row["signed_on"],
                "valid_until": row["signed_on"] + timedelta(days=730),
                "review_on": row["signed_on"] + timedelta(days=365),
                "author_id": row["author_id"],
                "created_at": now,
            }
        )
        parties += [{"commitment_id": pk, "organization_id": o} for o in row["organizations"]]
    insert_rows(Commitment, commitment_rows, history_reason="Demo data")
    insert_rows(Commitment.parties.through, parties)
    concern_defaults = field_defaults(Concern)
    insert_rows(
        Concern,
        [
            concern_defaults | row | {"id": pk}
            for row, pk in zip(buffers["concerns"], next_ids(Concern, len(buffers["concerns"])), strict=True)
        ],
        history_reason="Demo data",
    )
    totals["engagements"] += len(buffers["engagements"])
    totals["follow-ups"] += len(buffers["follow_ups"])
    totals["commitments"] += len(commitment_rows)
    totals["concerns"] += len(buffers["concerns"])
    for rows in buffers.values():
        rows.clear()


@transaction.atomic
def seed_engagements(*, count: int, seed: int, authors: list) -> dict:
    """Create the first `count` demo engagements (and what came of them); return what was added."""
    if not count or not authors:
        return {"engagements": 0}
    rng = random.Random(seed * 7919 + 1)
    organizations = list(
        Organization.objects.filter(registration_number__startswith="DEMO-")
        .order_by("pk")
        .values_list("pk", "region_id", "customs_office_id")
    )
    if not organizations:
        return {"engagements": 0}
    contacts_of: dict[int, list[int]] = {}
    for pk, organization_id in Contact.objects.filter(
        organization_id__in=[o[0] for o in organizations[:50000]]
    ).values_list("pk", "organization_id"):
        contacts_of.setdefault(organization_id, []).append(pk)
    topics = list(Topic.objects.filter(code__in=[t[0] for t in DEFAULT_TOPICS]).values_list("pk", flat=True))
    factors = dict(KeyFactor.objects.values_list("code", "pk"))
    factor_codes = KeyFactorCode.values
    existing = Engagement.objects.filter(title__contains=TITLE_MARK).count()
    today = timezone.localdate()
    now = timezone.now()
    defaults = field_defaults(Engagement)
    buffers = _buffers()
    engagements, org_links, contact_links = buffers["engagements"], buffers["org_links"], buffers["contact_links"]
    staff_links, topic_links, factor_links = buffers["staff_links"], buffers["topic_links"], buffers["factor_links"]
    follow_ups, commitments, concerns = buffers["follow_ups"], buffers["commitments"], buffers["concerns"]
    totals = {"engagements": 0, "follow-ups": 0, "commitments": 0, "concerns": 0}
    touched: set[int] = set()
    ids = iter(next_ids(Engagement, max(0, count - existing)))
    for index in range(count):
        if len(engagements) >= CHUNK:  # memory stays flat: write what is ready, then go on
            _flush(buffers, totals, now)
        kind = rng.choice(KINDS)
        offset = rng.randint(-30, DAYS) if rng.random() > 0.03 else -rng.randint(1, 30)  # a few planned ones
        occurred_on = today - timedelta(days=offset)
        chosen = rng.sample(organizations, rng.choice([1, 1, 1, 2, 2, 3]))
        author = rng.choice(authors)
        subject = rng.choice(SUBJECTS)
        participants = (
            rng.randint(2, 60)
            if kind in ("workshop", "training", "awareness_session", "consultative_committee", "press_event")
            else rng.randint(1, 6)
        )
        women = rng.randint(0, participants)
        picks = (rng.random(), rng.random(), rng.random(), rng.random())
        if index < existing:
            continue  # made by an earlier run: same draws, nothing written
        pk = next(ids)
        engagements.append(
            defaults
            | {
                "id": pk,
                "occurred_on": occurred_on,
                "kind": kind,
                "title": _title(kind.replace("_", " "), subject, index),
                "mode": MODE_OF.get(kind, "in_person"),
                "customs_office_id": chosen[0][2],
                "region_id": chosen[0][1],
                "participants": participants,
                "women_participants": women,
                "depth": rng.choice(DEPTHS),
                "sentiment": rng.choice(SENTIMENTS),
                "author_id": author.pk,
                "is_held": occurred_on <= today,
                "summary": f"Discussed {subject}. Fictional demo record.",
                "created_at": now,
                "updated_at": now,
            }
        )
        org_links += [{"engagement_id": pk, "organization_id": o[0]} for o in chosen]
        touched.update(o[0] for o in chosen)
        people = [c for o in chosen for c in contacts_of.get(o[0], [])[:1]]
        contact_links += [{"engagement_id": pk, "contact_id": c} for c in people]
        staff_links.append({"engagement_id": pk, "user_id": author.pk})
        topic_links += [{"engagement_id": pk, "topic_id": t} for t in rng.sample(topics, 1 + (picks[0] > 0.6))]
        factor_links += [
            {"engagement_id": pk, "keyfactor_id": factors[c]}
            for c in {rng.choice(factor_codes), "private_sector_relationship"}
        ]
        if picks[1] < 0.4:
            due = occurred_on + timedelta(days=rng.randint(3, 45))
            done = due < today and picks[2] < 0.75
            follow_ups.append(
                {
                    "engagement_id": pk,
                    "description": rng.choice(ACTIONS),
                    "owner_id": author.pk,
                    "due_on": due,
                    "status": "done" if done else "open",
                    "completed_on": min(due, today) if done else None,
                    "created_at": now,
                }
            )
        if kind == "mou_signing" or picks[3] < 0.02:
            commitments.append(
                {
                    "pk_engagement": pk,
                    "organizations": [o[0] for o in chosen],
                    "author_id": author.pk,
                    "signed_on": occurred_on,
                    "kind": kind,
                }
            )
        if picks[3] > 0.92:
            referred = picks[3] > 0.99
            resolved = not referred and picks[0] < 0.6
            concerns.append(
                {
                    "organization_id": chosen[0][0],
                    "engagement_id": pk,
                    "raised_on": occurred_on,
                    "topic_id": None if referred else rng.choice(topics),
                    "summary": "" if referred else f"Raised {subject} (fictional).",
                    "status": "resolved" if resolved else ("in_progress" if picks[1] > 0.5 else "open"),
                    "response": "Explained the procedure and followed up." if resolved else "",
                    "resolved_on": min(today, occurred_on + timedelta(days=rng.randint(2, 90))) if resolved else None,
                    "referred_to_internal_affairs": referred,
                    "referral_reference": f"IA-{occurred_on.year}-{index:05d}" if referred else "",
                    "author_id": author.pk,
                    "created_at": now,
                }
            )
    _flush(buffers, totals, now)
    reset_sequences(Engagement, FollowUp, Commitment, Concern)
    refresh_last_engaged(touched)
    return totals


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
    from communications.models import Campaign, KeyFactor

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
        added += 1
    return added


def seed_survey() -> int:
    """Two fictional CIPS waves (aggregates only, groups of 5 respondents or more)."""
    from communications.choices import KeyFactorCode
    from communications.models import SurveyResult

    if SurveyResult.objects.exists():
        return 0
    rng = random.Random(2024)
    rows = []
    for wave, year, lift in (("CIPS 2022", 2022, 0), ("CIPS 2024", 2024, 6)):
        for group, size in (("customs brokers", 120), ("importers", 90), ("customs officers", 200)):
            for code in KeyFactorCode.values:
                rows.append(
                    SurveyResult(
                        wave=wave,
                        year=year,
                        respondent_group=group,
                        key_factor=code,
                        score=rng.randint(35, 70) + lift,
                        respondents=size + rng.randint(-20, 20),
                    )
                )
    SurveyResult.objects.bulk_create(rows)
    return len(rows)
