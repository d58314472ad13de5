"""The dashboard's charts: each one an SVG (pygal) with links to the rows behind every bar, and
the same figures as a table for screen readers and printing."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Case, Count, IntegerField, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from communications.campaigns import campaign_progress
from communications.choices import CampaignStatus, Depth, EngagementKind, Sentiment
from communications.models import Campaign
from crm import dashboard
from crm.charts import chart, point, render
from stakeholders.choices import OrganizationType
from stakeholders.models import Organization
from stakeholders.normalize import fold


@dataclass
class Chart:
    title: str
    svg: str
    headers: list
    rows: list  # [(label, url, [values…])]


def _url(name: str, query: dict) -> str:
    return f"{reverse(name)}?{urlencode(query, doseq=True)}"


def _month_end(month):
    return (month.replace(day=28) + timezone.timedelta(days=4)).replace(day=1) - timezone.timedelta(days=1)


def _monthly(scope, rows, *, date_field, group, labels: dict, title, list_name, list_query, group_param):
    frame = dashboard.by_month(rows, date_field=date_field, group=group)
    months = dashboard.months(scope)
    graph = chart("stacked", title=title)
    graph.x_labels = [date_format(m, "M Y") for m in months]
    table_rows = []
    groups = [g for g in labels if not frame.empty and g in set(frame[group])]
    for code in groups:
        series = []
        for month in months:
            n = int(frame[(frame["month"] == month) & (frame[group] == code)]["n"].sum())
            query = list_query | {
                "date_from": max(month, scope.start).isoformat(),
                "date_to": min(_month_end(month), scope.end).isoformat(),
                group_param: code,
            }
            series.append(point(n, _url(list_name, query)) if n else None)
        graph.add(str(labels[code]), series)
    for month in months:
        values = [
            int(frame[(frame["month"] == month) & (frame[group] == code)]["n"].sum()) if not frame.empty else 0
            for code in groups
        ]
        query = list_query | {
            "date_from": max(month, scope.start).isoformat(),
            "date_to": min(_month_end(month), scope.end).isoformat(),
        }
        table_rows.append((date_format(month, "F Y"), _url(list_name, query), values))
    return graph, [str(labels[c]) for c in groups], table_rows


def _counts(rows, field_name, labels, *, title, list_name, list_query, param, kind="bar"):
    data = [(code, n) for code, n in dashboard.counts_by(rows, field_name) if code not in (None, "")]
    graph = chart(kind, title=title, show_legend=kind == "pie")
    table_rows = []
    if kind == "pie":
        for code, n in data:
            url = _url(list_name, list_query | {param: code})
            graph.add(str(labels.get(code, code)), [point(n, url)])
            table_rows.append((str(labels.get(code, code)), url, [n]))
    else:
        graph.x_labels = [str(labels.get(code, code)) for code, _n in data]
        values = []
        for code, n in data:
            url = _url(list_name, list_query | {param: code})
            values.append(point(n, url))
            table_rows.append((str(labels.get(code, code)), url, [n]))
        graph.add(title, values)
    return graph, table_rows


def build(scope, nonce: str) -> list[Chart]:
    charts = []
    engagements = dashboard.engagements(scope)
    query = scope.list_query()
    name = "communications:engagement_list"

    graph, headers, rows = _monthly(
        scope,
        engagements,
        date_field="occurred_on",
        group="kind",
        labels=dict(EngagementKind.choices),
        title=_("Engagements per month, by kind"),
        list_name=name,
        list_query=query,
        group_param="kind",
    )
    charts.append(Chart(_("Engagements per month, by kind"), render(graph, nonce), headers, rows))

    regions = {r: r for r, _n in dashboard.counts_by(engagements, "region__name")}
    graph, rows = _counts(
        engagements,
        "region__name",
        regions,
        title=_("Engagements by region"),
        list_name=name,
        list_query=query,
        param="region",
        kind="hbar",
    )
    charts.append(Chart(_("Engagements by region"), render(graph, nonce), [_("Engagements")], rows))

    links = dashboard._links(scope)
    graph, rows = _counts(
        links,
        "organization__type",
        dict(OrganizationType.choices),
        title=_("Organizations met, by stakeholder type"),
        list_name=name,
        list_query=query,
        param="organization_type",
        kind="hbar",
    )
    charts.append(Chart(_("Organizations met, by stakeholder type"), render(graph, nonce), [_("Meetings")], rows))

    graph, rows = _counts(
        engagements,
        "depth",
        dict(Depth.choices),
        title=_("Depth of engagement (IAP2)"),
        list_name=name,
        list_query=query,
        param="depth",
        kind="pie",
    )
    charts.append(Chart(_("Depth of engagement (IAP2)"), render(graph, nonce), [_("Engagements")], rows))

    graph, headers, rows = _monthly(
        scope,
        engagements,
        date_field="occurred_on",
        group="sentiment",
        labels=dict(Sentiment.choices),
        title=_("Sentiment over time"),
        list_name=name,
        list_query=query,
        group_param="sentiment",
    )
    charts.append(Chart(_("Sentiment over time"), render(graph, nonce), headers, rows))

    charts.append(_concerns_chart(scope, nonce))
    progress = _campaigns_chart(nonce)
    if progress:
        charts.append(progress)
    return charts


def _concerns_chart(scope, nonce) -> Chart:
    """Concerns opened against resolved, per month (referrals are counted apart, never shown)."""
    concerns = dashboard.concerns(scope, dated=False).filter(referred_to_internal_affairs=False)
    opened = dashboard.by_month(concerns.filter(raised_on__range=(scope.start, scope.end)), date_field="raised_on")
    resolved = dashboard.by_month(
        concerns.filter(resolved_on__range=(scope.start, scope.end)), date_field="resolved_on"
    )
    months = dashboard.months(scope)
    title = _("Concerns opened and resolved, per month")
    graph = chart("bar", title=title)
    graph.x_labels = [date_format(m, "M Y") for m in months]
    rows = []
    series = {"opened": [], "resolved": []}
    for month in months:
        counts = []
        for key, frame in (("opened", opened), ("resolved", resolved)):
            n = int(frame[frame["month"] == month]["n"].sum()) if not frame.empty else 0
            series[key].append(n)
            counts.append(n)
        url = _url(
            "communications:concern_list",
            {
                "raised_from": max(month, scope.start).isoformat(),
                "raised_to": min(_month_end(month), scope.end).isoformat(),
            },
        )
        rows.append((date_format(month, "F Y"), url, counts))
    graph.add(_("Opened"), series["opened"])
    graph.add(_("Resolved"), series["resolved"])
    return Chart(title, render(graph, nonce), [_("Opened"), _("Resolved")], rows)


def _campaigns_chart(nonce) -> Chart | None:
    campaigns = list(Campaign.objects.filter(status=CampaignStatus.ACTIVE).order_by("ends_on")[:5])
    if not campaigns:
        return None
    title = _("Active campaigns: share of each target reached")
    graph = chart("hbar", title=title, range=(0, 100), height=120 + 60 * len(campaigns))
    graph.x_labels = [c.name for c in campaigns]
    rows, measures = [], {"reached": [], "events": [], "commitments": []}
    for campaign in campaigns:
        progress = campaign_progress(campaign)
        url = campaign.get_absolute_url()
        values = []
        for key in measures:
            percent = getattr(progress, key).percent
            measures[key].append(point(percent or 0, url))
            values.append(f"{percent}%" if percent is not None else "—")
        rows.append((campaign.name, url, values))
    graph.add(_("Organizations reached"), measures["reached"])
    graph.add(_("Events held"), measures["events"])
    graph.add(_("Commitments signed"), measures["commitments"])
    return Chart(
        title, render(graph, nonce), [_("Organizations reached"), _("Events held"), _("Commitments signed")], rows
    )


def recency_map(scope) -> list[list[dict]]:
    """The stakeholder map (influence × interest), each cell split by how recently its
    organizations were engaged: in the last 90 days, the last year, or longer ago / never."""
    today = timezone.localdate()
    recent, year = today - timezone.timedelta(days=90), today - timezone.timedelta(days=365)
    bucket = Case(
        When(last_engaged_on__gte=recent, then=Value(0)),
        When(last_engaged_on__gte=year, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    rows = Organization.objects.filter(is_archived=False)
    if scope.type:
        rows = rows.filter(type=scope.type)
    if scope.region:
        rows = rows.filter(region__key=fold(scope.region))
    counts = {}
    for influence, interest, b, n in (
        rows.annotate(b=bucket).values_list("influence", "interest", "b").annotate(n=Count("pk")).order_by()
    ):
        counts[(influence, interest, b)] = n
    grid = []
    for influence in range(5, 0, -1):
        cells = []
        for interest in range(1, 6):
            parts = [counts.get((influence, interest, b), 0) for b in (0, 1, 2)]
            total = sum(parts)
            query = {"influence": influence, "interest": interest}
            if scope.type:
                query["type"] = scope.type
            if scope.region:
                query["region"] = scope.region
            shade = (
                "none"
                if not total
                else ("recent" if parts[0] * 2 >= total else ("year" if (parts[0] + parts[1]) * 2 >= total else "old"))
            )
            cells.append(
                {
                    "influence": influence,
                    "interest": interest,
                    "recent": parts[0],
                    "year": parts[1],
                    "old": parts[2],
                    "total": total,
                    "shade": shade,
                    "url": _url("stakeholders:organization_list", query),
                }
            )
        grid.append(cells)
    return grid
