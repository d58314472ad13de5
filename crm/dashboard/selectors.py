"""The managers' dashboard: figures for a period against the previous one, and the aggregates
behind its charts. Every figure is computed in the database (COUNT, SUM, GROUP BY) or in one pandas
pass over values(); none row by row. The number of queries is fixed, whatever the data size.

Officers see the same dashboard limited to their own work (engagements they logged).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd
from django import forms
from django.contrib.auth import get_user_model
from django.db import NotSupportedError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import CharField, Count, Func, IntegerField, Q, QuerySet, Sum
from django.db.models.sql.compiler import SQLCompiler
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communications.choices import CommitmentStatus, ConcernStatus
from communications.models import Campaign, Concern, Engagement
from crm.accounts.roles import Role
from crm.dashboard import rolled_up
from crm.lib.forms import suggest_attrs
from crm.lib.listing import list_rows
from crm.models import User
from stakeholders.choices import HIGH_SCORE, OrganizationType
from stakeholders.models import CustomsOffice, Organization, Region
from stakeholders.normalize import fold

if TYPE_CHECKING:
    from django.db.models.sql.compiler import _AsSqlType

PERIODS = [
    ("30", _("Last 30 days")),
    ("90", _("Last 90 days")),
    ("365", _("Last 365 days")),
    ("custom", _("From – to")),
]
SIGNED = [CommitmentStatus.SIGNED, CommitmentStatus.ACTIVE, CommitmentStatus.EXPIRED]
KEY_STAKEHOLDER_DAYS = 90
DEFAULT_PERIOD = "90"  # the period a dashboard counts when it is not told one
MAX_DAYS = 3660
EARLIEST = date(2000, 1, 1)


class DashboardForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False, initial=DEFAULT_PERIOD)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    region = forms.CharField(
        label=_("Region"),
        required=False,
        widget=forms.TextInput(attrs=suggest_attrs("stakeholders:suggest_regions", "region-options", on_focus=True)),
    )
    customs_office = forms.ModelChoiceField(
        label=_("Customs office"), queryset=CustomsOffice.objects.all(), required=False, to_field_name="name"
    )
    officer = forms.EmailField(label=_("Officer"), required=False, help_text=_("E-mail address"))
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.all(), required=False)
    type = forms.ChoiceField(
        label=_("Stakeholder type"), choices=[("", "—"), *OrganizationType.choices], required=False
    )

    def clean_region(self) -> str:
        name = self.cleaned_data["region"].strip()
        if name and not Region.objects.filter(key=fold(name)).exists():
            raise forms.ValidationError(_("No region has this name."))
        return name

    def clean_officer(self) -> str:
        email = self.cleaned_data["officer"].strip()
        if email and not get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("No user has this e-mail address."))
        return email

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if cleaned.get("period") == "custom":
            if not start or not end:
                raise forms.ValidationError(_("Give both dates of the period."))
            if end < start:
                self.add_error("date_to", _("The end of the period is before its start."))
            elif (end - start).days > MAX_DAYS or start < EARLIEST:
                self.add_error("date_from", _("A period covers at most ten years, from 2000 on."))
        return cleaned


@dataclass
class Scope:
    start: date
    end: date
    region: str = ""
    customs_office: CustomsOffice | None = None
    officer: str = ""
    campaign: Campaign | None = None
    type: str = ""
    own: bool = False  # an officer sees their own work only

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Scope":
        length = timedelta(days=self.days)
        return Scope(**{**self.__dict__, "start": self.start - length, "end": self.start - timedelta(days=1)})

    @property
    def author(self) -> str:
        return "me" if self.own else self.officer

    def engagement_query(self, *, dated: bool = True) -> dict[str, Any]:
        """The engagement list's filters for this scope: figures are counted on exactly the rows
        their drill-down link shows."""
        query = {
            "held": "yes",
            "region": self.region,
            "author": self.author,
            "customs_office": self.customs_office.name if self.customs_office else "",
            "campaign": self.campaign.pk if self.campaign else "",
            "organization_type": self.type,
        }
        if dated:
            query |= {"date_from": self.start.isoformat(), "date_to": self.end.isoformat()}
        return _clean(query)

    def scope_of_engagements(self, *, dated: bool = False) -> dict[str, Any]:
        """The same scope as the engagement_* filters of the follow-up, commitment and concern lists."""
        query = {
            "engagement_region": self.region,
            "engagement_author": self.author,
            "engagement_office": self.customs_office.name if self.customs_office else "",
            "engagement_campaign": self.campaign.pk if self.campaign else "",
            "engagement_type": self.type,
        }
        if dated:
            query |= {"engagement_from": self.start.isoformat(), "engagement_to": self.end.isoformat()}
        return _clean(query)

    def reached_query(self, start: date | None = None, end: date | None = None) -> dict[str, Any]:
        """The organizations list's filters for the organizations met in this scope."""
        return _clean(
            {
                "engaged_from": (start or self.start).isoformat(),
                "engaged_to": (end or self.end).isoformat(),
                "engaged_region": self.region,
                "engaged_by": self.author,
                "engaged_office": self.customs_office.name if self.customs_office else "",
                "engaged_campaign": self.campaign.pk if self.campaign else "",
                "type": self.type,
                "archived": "all",
            }
        )


def _clean(query: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in query.items() if value not in (None, "", [])}


def scope_from(form: DashboardForm, user: User) -> Scope:
    today = timezone.localdate()
    data = form.cleaned_data if form.is_valid() else {}
    period = data.get("period") or DEFAULT_PERIOD
    if period == "custom" and data.get("date_from") and data.get("date_to"):
        start, end = data["date_from"], data["date_to"]
    else:
        days = int(period if period.isdigit() else DEFAULT_PERIOD)
        start, end = today - timedelta(days=days - 1), today
    return Scope(
        start=start,
        end=end,
        region=data.get("region", "").strip(),
        customs_office=data.get("customs_office"),
        officer=data.get("officer", ""),
        campaign=data.get("campaign"),
        type=data.get("type", ""),
        own=user.role == Role.OFFICER,
    )


def engagements(scope: Scope, request: HttpRequest, *, dated: bool = True) -> QuerySet[Engagement]:
    from communications.filters import EngagementFilter
    from communications.selectors import engagement_list

    return list_rows(EngagementFilter, scope.engagement_query(dated=dated), engagement_list(user=request.user), request)


def reached(
    scope: Scope, request: HttpRequest, start: date | None = None, end: date | None = None
) -> QuerySet[Organization]:
    from stakeholders.filters import OrganizationFilter

    return list_rows(OrganizationFilter, scope.reached_query(start, end), Organization.objects.all(), request)


@dataclass
class Reach:
    """Organizations reached in scope per stakeholder type, most first (the chart, and summed the
    figure); `key`: the key stakeholders among them engaged in the coverage window, when counted in
    the same pass (else None: figures() counts them)."""

    by_type: list[tuple]
    key: int | None = None


def reach(scope: Scope, request: HttpRequest) -> Reach:
    """One query, instead of a second pass over the period's engagements for the figure, and a third
    over the roll-ups for the key stakeholders when their window is the period (the 90-day default)."""
    key = rolled_up.scope_key(scope, request)
    if not rolled_up.reach_kept(key):
        return Reach(counts_by(reached(scope, request), "type"))
    if scope.region or key_window_start(scope) != scope.start:
        return Reach(rolled_up.reached_by_type(key, scope.start, scope.end))  # type: ignore[arg-type]
    rows = rolled_up.reached_by_type(key, scope.start, scope.end, with_key=True)  # type: ignore[arg-type]
    return Reach([(type_, n) for type_, n, _key in rows], sum(key_n for _type, _n, key_n in rows))


def key_window_start(scope: Scope) -> date:
    """The first day of the coverage figure's window: the last 90 days of the period."""
    return scope.end - timedelta(days=KEY_STAKEHOLDER_DAYS - 1)


def key_stakeholders(scope: Scope) -> dict[str, Any]:
    return _clean({"influence_min": HIGH_SCORE, "type": scope.type, "region": scope.region})


@dataclass
class Figures:
    engagements: int = 0
    organizations: int = 0
    participants: int = 0
    women: int = 0
    key_total: int = 0
    key_engaged: int = 0
    follow_ups_open: int = 0
    follow_ups_overdue: int = 0
    commitments: int = 0
    concerns_open: int = 0
    median_days: float | None = None
    referrals: int = 0

    @property
    def women_share(self) -> int | None:
        return round(100 * self.women / self.participants) if self.participants else None

    @property
    def key_coverage(self) -> int | None:
        return round(100 * self.key_engaged / self.key_total) if self.key_total else None


def figure_queries(scope: Scope) -> dict[str, tuple[str, dict[str, Any]]]:
    """For each figure: the list it drills down to and that list's filters."""
    recent_start = key_window_start(scope)
    owner = {"owner": "all"}
    return {
        "engagements": ("communications:engagement_list", scope.engagement_query()),
        "organizations": ("stakeholders:organization_list", scope.reached_query()),
        "coverage": (
            "stakeholders:organization_list",
            key_stakeholders(scope)
            | _clean(
                {
                    "engaged_from": recent_start.isoformat(),
                    "engaged_to": scope.end.isoformat(),
                    "engaged_by": scope.author,
                    "engaged_campaign": scope.campaign.pk if scope.campaign else "",
                    "engaged_office": scope.customs_office.name if scope.customs_office else "",
                }
            ),
        ),
        "key_stakeholders": ("stakeholders:organization_list", key_stakeholders(scope)),
        "follow_ups": ("communications:followup_list", owner | scope.scope_of_engagements()),
        "follow_ups_overdue": (
            "communications:followup_list",
            owner | {"overdue": "on"} | scope.scope_of_engagements(),
        ),
        "commitments": (
            "communications:commitment_list",
            {"signed_from": scope.start.isoformat(), "signed_to": scope.end.isoformat(), "status": SIGNED}
            | scope.scope_of_engagements(),
        ),
        "concerns": (
            "communications:concern_list",
            {"status": [ConcernStatus.OPEN, ConcernStatus.IN_PROGRESS], "referred": "no"}
            | scope.scope_of_engagements(),
        ),
    }


class YearMonth(Func):
    """'2026-03' for a date, by the database's own text functions: Django's TruncMonth runs a Python
    function for every row on SQLite."""

    output_field = CharField()

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, *args: Any, **kwargs: Any) -> "_AsSqlType":
        raise NotSupportedError(f"YearMonth is written for SQLite and PostgreSQL, not {connection.vendor}")

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any) -> "_AsSqlType":
        return super().as_sql(compiler, connection, template="substr(%(expressions)s, 1, 7)", **extra_context)

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> "_AsSqlType":
        return super().as_sql(compiler, connection, template="to_char(%(expressions)s, 'YYYY-MM')", **extra_context)


FACT_FIELDS = ["month", "kind", "sentiment", "depth", "region__name"]


def engagement_facts(scope: Scope, request: HttpRequest) -> pd.DataFrame:
    """The engagements in scope as counts per month and measure (kind, sentiment, depth, region, and
    from the roll-ups key factor), with their participants, from which pandas derives the totals
    and every engagement chart: from the roll-ups when they hold these filters, else one GROUP BY
    of the live rows folded into the same shape."""
    key = rolled_up.scope_key(scope, request)
    if key is not None:
        return rolled_up.facts(key, scope.start, scope.end)
    values = (
        engagements(scope, request)
        .annotate(month=YearMonth("occurred_on"))
        .values(*FACT_FIELDS)
        .annotate(n=Count("pk"), participants=Sum("participants"), women=Sum("women_participants"))
        .order_by()
    )
    frame = pd.DataFrame.from_records(list(values), columns=[*FACT_FIELDS, "n", "participants", "women"])
    if not frame.empty:
        frame["month"] = pd.to_datetime(frame["month"] + "-01").dt.date
    parts = []
    for measure in ["kind", "sentiment", "depth", "region"]:
        column = rolled_up.COLUMNS[measure]
        part = frame.groupby(["month", column], as_index=False, dropna=False)[["n", "participants", "women"]].sum()
        parts.append(part.assign(measure=measure))
    return pd.concat(parts, ignore_index=True).reindex(columns=rolled_up.FRAME) if parts else frame


def engagement_totals(facts: pd.DataFrame) -> dict[str, int]:
    rows = facts[facts["measure"] == "kind"] if not facts.empty else facts
    return {
        "n": int(rows["n"].sum()),
        "participants": int(rows["participants"].fillna(0).sum()),
        "women": int(rows["women"].fillna(0).sum()),
    }


def figures(
    scope: Scope,
    request: HttpRequest,
    facts: pd.DataFrame | None = None,
    reach_now: Reach | None = None,
    *,
    later: Figures | None = None,
) -> Figures:
    """Every figure counted on the rows of the list it links to. A fixed number of queries.
    `facts` and `reach_now` (reach()), when the caller has them already, spare two or three of them.
    `later`: these are the previous period's figures, for comparison with `later`; the figures that
    do not depend on the period (key stakeholders, open follow-ups and concerns) are taken from it,
    and the median time to resolve (never compared) is left out."""
    from communications.filters import CommitmentFilter, ConcernFilter, FollowUpFilter
    from communications.selectors import commitment_list, concern_list, follow_up_list
    from stakeholders.filters import OrganizationFilter

    queries = figure_queries(scope)
    key = rolled_up.scope_key(scope, request)
    result = Figures()
    if facts is not None:
        totals = engagement_totals(facts)
    elif key is not None:
        totals = rolled_up.totals(key, scope.start, scope.end)
    else:
        totals = engagements(scope, request).aggregate(
            n=Count("pk"), participants=Sum("participants"), women=Sum("women_participants")
        )
    result.engagements = totals["n"]
    result.participants = totals["participants"] or 0
    result.women = totals["women"] or 0
    organizations = Organization.objects.all()
    recent_start = key_window_start(scope)
    kept = rolled_up.reach_kept(key)
    if kept and not scope.region and reach_now is None and recent_start == scope.start:
        # The key stakeholders' window is the period (90 days): both counts in one pass.
        result.organizations, result.key_engaged = rolled_up.reached_counts(key, scope.start, scope.end)  # type: ignore[arg-type]
    else:
        if reach_now is not None:
            result.organizations = sum(n for _type, n in reach_now.by_type)
        elif kept:
            result.organizations = rolled_up.reached_count(key, scope.start, scope.end)  # type: ignore[arg-type]
        else:
            result.organizations = reached(scope, request).count()
        if reach_now is not None and reach_now.key is not None:
            result.key_engaged = reach_now.key
        elif kept and not scope.region:
            result.key_engaged = rolled_up.reached_count(key, recent_start, scope.end, key_only=True)  # type: ignore[arg-type]
        else:
            result.key_engaged = list_rows(OrganizationFilter, queries["coverage"][1], organizations, request).count()
    result.commitments = list_rows(
        CommitmentFilter, queries["commitments"][1], commitment_list(user=request.user), request
    ).count()
    result.referrals = _referrals(scope, request)
    if later is not None:
        result.key_total = later.key_total
        result.follow_ups_open, result.follow_ups_overdue = later.follow_ups_open, later.follow_ups_overdue
        result.concerns_open = later.concerns_open
        return result
    result.key_total = list_rows(OrganizationFilter, key_stakeholders(scope), organizations, request).count()
    if key is not None:
        result.follow_ups_open, result.follow_ups_overdue = rolled_up.follow_ups(key)
    else:
        follow_ups = list_rows(FollowUpFilter, queries["follow_ups"][1], follow_up_list(user=request.user), request)
        counts = follow_ups.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=timezone.localdate())))
        result.follow_ups_open, result.follow_ups_overdue = counts["open"], counts["overdue"]
    concerns = concern_list(user=request.user)
    result.concerns_open = list_rows(ConcernFilter, queries["concerns"][1], concerns, request).count()
    resolved = list_rows(
        ConcernFilter,
        {"referred": "no", "resolved_from": scope.start.isoformat(), "resolved_to": scope.end.isoformat()}
        | scope.scope_of_engagements(),
        concerns,
        request,
    )
    days_taken = resolved.annotate(days=DaysBetween("raised_on", "resolved_on")).values_list("days")
    result.median_days = median_of_counts(days_taken.annotate(n=Count("*")).order_by())
    return result


class DaysBetween(Func):
    """Whole days from `start` to `end`, by the database (no date read into Python per row)."""

    output_field = IntegerField()

    def __init__(self, start: str, end: str) -> None:
        super().__init__(end, start)  # written as end − start

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, *args: Any, **kwargs: Any) -> "_AsSqlType":
        raise NotSupportedError(f"DaysBetween is written for SQLite and PostgreSQL, not {connection.vendor}")

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any) -> "_AsSqlType":
        template = "CAST(julianday(%(expressions)s) AS INTEGER)"
        return super().as_sql(compiler, connection, template=template, arg_joiner=") - julianday(", **extra_context)

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> "_AsSqlType":
        return super().as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra_context)


def median_of_counts(counts: Iterable[tuple[int, int]]) -> float | None:
    """The median of values given as (value, how many times): the middle one, or the mean of the
    two middle ones; None when there is none."""
    ordered = sorted((value, n) for value, n in counts if n)
    total = sum(n for _value, n in ordered)
    if not total:
        return None
    middle, seen = [], 0
    for value, n in ordered:
        middle += [value for position in {(total - 1) // 2, total // 2} if seen <= position < seen + n]
        seen += n
    return sum(middle) / len(middle)


def _referrals(scope: Scope, request: HttpRequest) -> int:
    """Referrals to Internal Affairs: a count only, of all of them in scope (nobody is shown a row)."""
    from communications.filters import ConcernFilter

    return list_rows(
        ConcernFilter,
        {"referred": "yes", "raised_from": scope.start.isoformat(), "raised_to": scope.end.isoformat()}
        | scope.scope_of_engagements(),
        Concern.objects.all(),
        request,
    ).count()


def months(scope: Scope) -> list[date]:
    first = scope.start.replace(day=1)
    result = []
    while first <= scope.end:
        result.append(first)
        first = (first + timedelta(days=32)).replace(day=1)
    return result


def by_month(rows: QuerySet, *, date_field: str, group: str | None = None) -> pd.DataFrame:
    """Counts per month (and per group): one GROUP BY on the plain date (no per-row date function,
    which SQLite would run in Python for every row), then folded into months by pandas."""
    values = rows.values(date_field, *([group] if group else [])).annotate(n=Count("*")).order_by()
    frame = pd.DataFrame.from_records(list(values), columns=[date_field, *([group] if group else []), "n"])
    if frame.empty:
        return frame.rename(columns={date_field: "month"})
    frame["month"] = pd.to_datetime(frame[date_field]).dt.to_period("M").dt.start_time.dt.date
    return frame.groupby(["month", *([group] if group else [])], as_index=False)["n"].sum()


def counts_by(rows: QuerySet, field_name: str) -> list[tuple]:
    return list(rows.values_list(field_name).annotate(n=Count("*")).order_by("-n"))


def key_stakeholders_not_engaged(
    scope: Scope, request: HttpRequest, limit: int = 20
) -> tuple[date, QuerySet[Organization]]:
    """Influence 4 or 5, not engaged in the last 90 days (the coverage figure's complement), with their owner."""
    since = timezone.localdate() - timedelta(days=KEY_STAKEHOLDER_DAYS - 1)
    rows = Organization.objects.filter(is_archived=False, influence__gte=HIGH_SCORE).filter(
        Q(last_engaged_on__lt=since) | Q(last_engaged_on__isnull=True)
    )
    if scope.type:
        rows = rows.filter(type=scope.type)
    if scope.region:
        rows = rows.filter(region__key=fold(scope.region))
    if scope.own:
        rows = rows.filter(owner_id=request.user.pk)
    return since, rows.select_related("owner", "region").order_by("last_engaged_on", "-influence", "name")[:limit]


def change(current: float | None, previous: float | None) -> dict[str, Any]:
    """The change against the previous period, for display."""
    if current is None or previous is None:
        return {"value": None}
    delta = current - previous
    percent = round(100 * delta / previous) if previous else None
    return {"value": delta, "percent": percent, "up": delta > 0, "down": delta < 0}
