"""The managers' dashboard: figures for a period against the previous one, and the aggregates
behind its charts. Every figure is computed in the database (COUNT, SUM, GROUP BY) or in one pandas
pass over values(); none row by row. The number of queries is fixed, whatever the data size.

Officers see the same dashboard limited to their own work (engagements they logged).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd
from django import forms
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communications.choices import OPEN_FOLLOW_UP_STATUSES, CommitmentStatus, ConcernStatus
from communications.models import Campaign, Commitment, Concern, Engagement, FollowUp
from crm.roles import Role
from stakeholders.choices import HIGH_SCORE, OrganizationType
from stakeholders.models import CustomsOffice, Organization
from stakeholders.normalize import fold

PERIODS = [
    ("30", _("Last 30 days")),
    ("90", _("Last 90 days")),
    ("365", _("Last 365 days")),
    ("custom", _("From – to")),
]
SIGNED = [CommitmentStatus.SIGNED, CommitmentStatus.ACTIVE, CommitmentStatus.EXPIRED]
KEY_STAKEHOLDER_DAYS = 90


class DashboardForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False, initial="90")
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    region = forms.CharField(
        label=_("Region"),
        required=False,
        widget=forms.TextInput(attrs={"list": "region-options", "autocomplete": "off"}),
    )
    customs_office = forms.ModelChoiceField(
        label=_("Customs office"), queryset=CustomsOffice.objects.all(), required=False, to_field_name="name"
    )
    officer = forms.EmailField(label=_("Officer"), required=False, help_text=_("E-mail address"))
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.all(), required=False)
    type = forms.ChoiceField(
        label=_("Stakeholder type"), choices=[("", "—")] + OrganizationType.choices, required=False
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if cleaned.get("period") == "custom":
            if not start or not end:
                raise forms.ValidationError(_("Give both dates of the period."))
            if end < start:
                self.add_error("date_to", _("The end of the period is before its start."))
        return cleaned


@dataclass
class Scope:
    start: date
    end: date
    region: str = ""
    customs_office: object = None
    officer: str = ""
    campaign: object = None
    type: str = ""
    own_user: object = None  # an officer sees their own work only

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Scope":
        length = timedelta(days=self.days)
        return Scope(**{**self.__dict__, "start": self.start - length, "end": self.start - timedelta(days=1)})

    def list_query(self) -> dict:
        """The engagements list's filters for the same scope (drill-down)."""
        query = {"date_from": self.start.isoformat(), "date_to": self.end.isoformat(), "held": "yes"}
        if self.region:
            query["region"] = self.region
        if self.customs_office:
            query["customs_office"] = self.customs_office.name
        if self.officer:
            query["author"] = self.officer
        if self.own_user is not None:
            query["author"] = "me"
        if self.campaign:
            query["campaign"] = self.campaign.pk
        if self.type:
            query["organization_type"] = self.type
        return query


def scope_from(form: DashboardForm, user) -> Scope:
    today = timezone.localdate()
    data = form.cleaned_data if form.is_valid() else {}
    period = data.get("period") or "90"
    if period == "custom":
        start, end = data["date_from"], data["date_to"]
    else:
        start, end = today - timedelta(days=int(period) - 1), today
    own = user if user.role == Role.OFFICER else None
    return Scope(
        start=start,
        end=end,
        region=data.get("region", "").strip(),
        customs_office=data.get("customs_office"),
        officer=data.get("officer", ""),
        campaign=data.get("campaign"),
        type=data.get("type", ""),
        own_user=own,
    )


def engagements(scope: Scope, *, dated: bool = True):
    rows = Engagement.objects.filter(is_held=True, is_removed=False)
    if dated:
        rows = rows.filter(occurred_on__range=(scope.start, scope.end))
    if scope.region:
        rows = rows.filter(region__key=fold(scope.region))
    if scope.customs_office:
        rows = rows.filter(customs_office=scope.customs_office)
    if scope.officer:
        rows = rows.filter(author__email__iexact=scope.officer)
    if scope.own_user is not None:
        rows = rows.filter(author=scope.own_user)
    if scope.campaign:
        rows = rows.filter(campaign=scope.campaign)
    if scope.type:
        through = Engagement.organizations.through.objects.filter(
            engagement=OuterRef("pk"), organization__type=scope.type
        )
        rows = rows.filter(Exists(through))
    return rows


def _links(scope: Scope, *, dated: bool = True):
    """Engagement–organization links in scope (one row per organization met at each engagement)."""
    links = Engagement.organizations.through.objects.filter(engagement__in=engagements(scope, dated=dated))
    if scope.type:
        links = links.filter(organization__type=scope.type)
    return links


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
    extra: dict = field(default_factory=dict)

    @property
    def women_share(self) -> int | None:
        return round(100 * self.women / self.participants) if self.participants else None

    @property
    def key_coverage(self) -> int | None:
        return round(100 * self.key_engaged / self.key_total) if self.key_total else None


def figures(scope: Scope) -> Figures:
    result = Figures()
    totals = engagements(scope).aggregate(
        n=Count("pk"), participants=Sum("participants"), women=Sum("women_participants")
    )
    result.engagements = totals["n"]
    result.participants = totals["participants"] or 0
    result.women = totals["women"] or 0
    result.organizations = _links(scope).values("organization_id").distinct().count()

    key = Organization.objects.filter(is_archived=False, influence__gte=HIGH_SCORE)
    if scope.type:
        key = key.filter(type=scope.type)
    if scope.region:
        key = key.filter(region__key=fold(scope.region))
    recent = Scope(**{**scope.__dict__, "start": scope.end - timedelta(days=KEY_STAKEHOLDER_DAYS - 1)})
    counts = key.aggregate(
        total=Count("pk"),
        engaged=Count("pk", filter=Q(pk__in=_links(recent).values("organization_id"))),
    )
    result.key_total, result.key_engaged = counts["total"], counts["engaged"]

    follow_ups = FollowUp.objects.filter(
        engagement__in=engagements(scope, dated=False), status__in=OPEN_FOLLOW_UP_STATUSES
    )
    open_counts = follow_ups.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=timezone.localdate())))
    result.follow_ups_open, result.follow_ups_overdue = open_counts["open"], open_counts["overdue"]

    result.commitments = commitments(scope).count()

    concern_rows = concerns(scope, dated=False)
    concern_counts = concern_rows.aggregate(
        open=Count(
            "pk",
            filter=Q(status__in=[ConcernStatus.OPEN, ConcernStatus.IN_PROGRESS], referred_to_internal_affairs=False),
        ),
        referrals=Count("pk", filter=Q(referred_to_internal_affairs=True, raised_on__range=(scope.start, scope.end))),
    )
    result.concerns_open, result.referrals = concern_counts["open"], concern_counts["referrals"]
    resolved = pd.DataFrame.from_records(
        concern_rows.filter(
            resolved_on__range=(scope.start, scope.end), referred_to_internal_affairs=False
        ).values_list("raised_on", "resolved_on"),
        columns=["raised", "resolved"],
    )
    if len(resolved):
        result.median_days = float(
            (pd.to_datetime(resolved["resolved"]) - pd.to_datetime(resolved["raised"])).dt.days.median()
        )
    return result


def commitments(scope: Scope):
    rows = Commitment.objects.filter(status__in=SIGNED, signed_on__range=(scope.start, scope.end))
    if scope.region or scope.customs_office or scope.officer or scope.own_user or scope.campaign or scope.type:
        rows = rows.filter(engagement__in=engagements(scope, dated=False))
    return rows


def concerns(scope: Scope, *, dated: bool = True):
    """Concerns in scope. Referrals appear only as a count (see figures); never as rows here."""
    rows = Concern.objects.all()
    if dated:
        rows = rows.filter(raised_on__range=(scope.start, scope.end))
    if scope.region:
        rows = rows.filter(organization__region__key=fold(scope.region))
    if scope.type:
        rows = rows.filter(organization__type=scope.type)
    if scope.own_user is not None:
        rows = rows.filter(author=scope.own_user)
    if scope.officer:
        rows = rows.filter(author__email__iexact=scope.officer)
    if scope.campaign or scope.customs_office:
        rows = rows.filter(engagement__in=engagements(scope, dated=False))
    return rows


def months(scope: Scope) -> list[date]:
    first = scope.start.replace(day=1)
    result = []
    while first <= scope.end:
        result.append(first)
        first = (first + timedelta(days=32)).replace(day=1)
    return result


def by_month(rows, *, date_field: str, group: str | None = None) -> pd.DataFrame:
    """Counts per month (and per group): one GROUP BY query, pivoted by pandas."""
    values = (
        rows.annotate(month=TruncMonth(date_field))
        .values("month", *([group] if group else []))
        .annotate(n=Count("pk"))
        .order_by()
    )
    frame = pd.DataFrame.from_records(list(values), columns=["month", *([group] if group else []), "n"])
    if frame.empty:
        return frame
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    return frame


def counts_by(rows, field_name: str) -> list[tuple]:
    return list(rows.values_list(field_name).annotate(n=Count("pk")).order_by("-n"))


def key_stakeholders_not_engaged(scope: Scope, limit: int = 20):
    """Influence 4 or 5, not engaged for 90 days or more, with their owner."""
    since = timezone.localdate() - timedelta(days=KEY_STAKEHOLDER_DAYS)
    rows = Organization.objects.filter(is_archived=False, influence__gte=HIGH_SCORE).filter(
        Q(last_engaged_on__lt=since) | Q(last_engaged_on__isnull=True)
    )
    if scope.type:
        rows = rows.filter(type=scope.type)
    if scope.region:
        rows = rows.filter(region__key=fold(scope.region))
    if scope.own_user is not None:
        rows = rows.filter(owner=scope.own_user)
    return since, rows.select_related("owner", "region").order_by("last_engaged_on", "-influence", "name")[:limit]


def change(current, previous) -> dict:
    """The change against the previous period, for display."""
    if current is None or previous is None:
        return {"value": None}
    delta = current - previous
    percent = round(100 * delta / previous) if previous else None
    return {"value": delta, "percent": percent, "up": delta > 0, "down": delta < 0}
