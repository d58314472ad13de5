"""The dashboard's figures read from the engagement log's roll-ups (communications.rollups), for the
filters they are kept for: none, or one of officer, region, customs office and campaign (the
organizations reached: none, or an officer). The selectors fall back to counting the live rows
for any other filters (a stakeholder type, two dimensions at once), with the same results.

Each reader gives what its live twin in crm/dashboard/selectors.py gives, in the same shape; the
tests check the two agree after random writes."""

from datetime import date
from typing import Any

import pandas as pd
from django.contrib.auth import get_user_model
from django.db.models import Count, Q, Sum
from django.http import HttpRequest
from django.utils import timezone

from communications import rollups
from stakeholders.models import Region
from stakeholders.normalize import fold

# The facts frame's column for each measure of the tallies.
COLUMNS = {"kind": "kind", "sentiment": "sentiment", "depth": "depth", "region": "region__name", "factor": "factor"}
FRAME = ["month", "measure", *COLUMNS.values(), "n", "participants", "women"]


def scope_key(scope: Any, request: HttpRequest) -> str | None:
    """The roll-up scope that holds these filters' figures, or None when they are counted live.
    Worked out once per request (the filters do not change with the period)."""
    memo = request.__dict__.setdefault("_dashboard_scope_keys", {})
    filters = (scope.own, scope.officer, scope.region, scope.customs_office, scope.campaign, scope.type)
    if filters not in memo:
        memo[filters] = _scope_key(scope, request)
    return memo[filters]


def _scope_key(scope: Any, request: HttpRequest) -> str | None:
    if scope.type:
        return None
    given = []
    if scope.own:
        given.append(("author", [request.user.pk]))
    elif scope.officer:
        users = get_user_model().objects.filter(email__iexact=scope.officer)
        given.append(("author", list(users.values_list("pk", flat=True))))
    if scope.region:
        given.append(("region", list(Region.objects.filter(key=fold(scope.region)).values_list("pk", flat=True))))
    if scope.customs_office:
        given.append(("office", [scope.customs_office.pk]))
    if scope.campaign:
        given.append(("campaign", [scope.campaign.pk]))
    if not given:
        return ""
    [(dimension, ids)] = given if len(given) == 1 else [("", [])]
    return f"{dimension}:{ids[0]}" if len(ids) == 1 else None


def reach_kept(key: str | None) -> bool:
    """Whether the organizations reached are kept for this scope (everyone's work or an officer's)."""
    return key is not None and (key == "" or key.startswith(tuple(f"{d}:" for d in rollups.REACH_DIMENSIONS)))


def facts(key: str, start: date, end: date) -> pd.DataFrame:
    """The tallies of a period folded into months: one row per (month, measure, value)."""
    from crm.dashboard.selectors import YearMonth

    rows = (
        rollups.tallies(key, start, end)
        .annotate(month=YearMonth("day"))
        .values("month", "measure", "code")
        .annotate(n=Sum("n"), participants=Sum("participants"), women=Sum("women"))
        .order_by()
    )
    regions = dict(Region.objects.values_list("pk", "name"))
    records = []
    for row in rows:
        record: dict[str, Any] = dict.fromkeys(FRAME) | {
            "month": row["month"],
            "measure": row["measure"],
            "n": row["n"],
            "participants": row["participants"],
            "women": row["women"],
        }
        code: Any = row["code"]
        if row["measure"] == "region":
            code = regions.get(int(code)) if code else None
        record[COLUMNS[row["measure"]]] = code
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=FRAME)
    if not frame.empty:
        frame["month"] = pd.to_datetime(frame["month"] + "-01").dt.date
    return frame


def totals(key: str, start: date, end: date) -> dict[str, int]:
    """Engagements and their participants over a period (each engagement has one kind)."""
    return (
        rollups.tallies(key, start, end)
        .filter(measure="kind")
        .aggregate(
            n=Sum("n", default=0),
            participants=Sum("participants", default=0),
            women=Sum("women", default=0),
        )
    )


def factor_volume(frame: pd.DataFrame) -> dict[str, int]:
    rows = frame[frame["measure"] == "factor"] if not frame.empty else frame
    return {code: int(n) for code, n in rows.groupby("factor")["n"].sum().items()} if len(rows) else {}


def reached_by_type(key: str, start: date, end: date, *, with_key: bool = False) -> list[tuple]:
    """(type, organizations) rows, most first; `with_key`: (type, organizations, key stakeholders
    among them). Read from the reach rows' covering index alone: COUNT(*), and "key" counted from
    its column (COUNT(id) would send PostgreSQL to the table for each of the period's rows: 69 ->
    31 ms at a million engagements)."""
    counts = {"n": Count("*")} | ({"key_n": Count("key", filter=Q(key=True))} if with_key else {})
    return list(rollups.reached(key, start, end).values_list("type").annotate(**counts).order_by("-n"))


def reached_count(key: str, start: date, end: date, *, key_only: bool = False) -> int:
    rows = rollups.reached(key, start, end)
    return (rows.filter(key=True) if key_only else rows).count()


def reached_counts(key: str, start: date, end: date) -> tuple[int, int]:
    """(organizations reached, key stakeholders among them) in one pass over the period's rows."""
    counts = rollups.reached(key, start, end).aggregate(n=Count("*"), key=Count("key", filter=Q(key=True)))
    return counts["n"], counts["key"]


def follow_ups(key: str) -> tuple[int, int]:
    """(open, overdue) follow-ups."""
    counts = rollups.open_follow_ups(key).aggregate(
        open=Sum("n", default=0), overdue=Sum("n", default=0, filter=Q(due_on__lt=timezone.localdate()))
    )
    return counts["open"], counts["overdue"]
