"""The dashboard's charts: each one an SVG (pygal) whose bars link to the list that counts the
same rows, and the same figures as a table for screen readers and printing."""

from dataclasses import dataclass
from urllib.parse import urlencode

import pandas as pd
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


def _month_range(scope, month) -> tuple[str, str]:
    return max(month, scope.start).isoformat(), min(_month_end(month), scope.end).isoformat()


def _pivot(frame: pd.DataFrame, group: str, months) -> pd.DataFrame:
    """Months × groups counts in one pandas pass (missing cells are 0)."""
    if frame.empty:
        return pd.DataFrame(index=months)
    table = frame.pivot_table(index="month", columns=group, values="n", aggfunc="sum", fill_value=0)
    return table.reindex(months, fill_value=0)


def _monthly(scope, facts, *, group, labels: dict, title, list_query):
    months = dashboard.months(scope)
    table = _pivot(facts[["month", group, "n"]] if not facts.empty else facts, group, months)
    groups = [code for code in labels if code in table.columns]
    graph = chart("stacked", title=title)
    graph.x_labels = [date_format(m, "M Y") for m in months]
    for code in groups:
        series = []
        for month in months:
            n = int(table.at[month, code])
            start, end = _month_range(scope, month)
            query = list_query | {"date_from": start, "date_to": end, group: code}
            series.append(point(n, _url("communications:engagement_list", query)) if n else None)
        graph.add(str(labels[code]), series)
    table_rows = []
    for month in months:
        start, end = _month_range(scope, month)
        values = [int(table.at[month, code]) for code in groups]
        table_rows.append(
            (
                date_format(month, "F Y"),
                _url("communications:engagement_list", list_query | {"date_from": start, "date_to": end}),
                values,
            )
        )
    return graph, [str(labels[c]) for c in groups], table_rows


def _counts(data, labels, *, title, list_name, list_query, param, kind="bar"):
    data = [(code, n) for code, n in data if code not in (None, "")]
    graph = chart(kind, title=title, show_legend=kind == "pie")
    table_rows = []
    if kind == "pie":
        for code, n in data:
            url = _url(list_name, list_query | {param: code})
            graph.add(str(labels.get(code, code)), [point(n, url)])
            table_rows.append((str(labels.get(code, code)), url, [n]))
        return graph, table_rows
    graph.x_labels = [str(labels.get(code, code)) for code, _n in data]
    values = []
    for code, n in data:
        url = _url(list_name, list_query | {param: code})
        values.append(point(n, url))
        table_rows.append((str(labels.get(code, code)), url, [n]))
    graph.add(title, values)
    return graph, table_rows


def _facts_counts(facts, field) -> list[tuple]:
    if facts.empty:
        return []
    totals = facts.groupby(field, dropna=True)["n"].sum().sort_values(ascending=False)
    return [(code, int(n)) for code, n in totals.items()]


def build(scope, request, nonce: str, facts=None, reached_types=None) -> list[Chart]:
    charts = []
    facts = dashboard.engagement_facts(scope, request) if facts is None else facts
    query = scope.engagement_query()
    name = "communications:engagement_list"

    title = _("Engagements per month, by kind")
    graph, headers, rows = _monthly(
        scope, facts, group="kind", labels=dict(EngagementKind.choices), title=title, list_query=query
    )
    charts.append(Chart(title, render(graph, nonce), headers, rows))

    title = _("Engagements by region")
    graph, rows = _counts(
        _facts_counts(facts, "region__name"),
        {},
        title=title,
        list_name=name,
        list_query=query,
        param="region",
        kind="hbar",
    )
    charts.append(Chart(title, render(graph, nonce), [_("Engagements")], rows))

    title = _("Organizations reached, by stakeholder type")
    graph, rows = _counts(
        dashboard.reached_by_type(scope, request) if reached_types is None else reached_types,
        dict(OrganizationType.choices),
        title=title,
        list_name="stakeholders:organization_list",
        list_query=scope.reached_query(),
        param="type",
        kind="hbar",
    )
    charts.append(Chart(title, render(graph, nonce), [_("Organizations")], rows))

    title = _("Depth of engagement (IAP2)")
    graph, rows = _counts(
        _facts_counts(facts, "depth"),
        dict(Depth.choices),
        title=title,
        list_name=name,
        list_query=query,
        param="depth",
        kind="pie",
    )
    charts.append(Chart(title, render(graph, nonce), [_("Engagements")], rows))

    title = _("Sentiment over time")
    graph, headers, rows = _monthly(
        scope, facts, group="sentiment", labels=dict(Sentiment.choices), title=title, list_query=query
    )
    charts.append(Chart(title, render(graph, nonce), headers, rows))

    charts.append(_concerns_chart(scope, request, nonce))
    progress = _campaigns_chart(scope, nonce)
    if progress:
        charts.append(progress)
    return charts


def _concerns_chart(scope, request, nonce) -> Chart:
    """Concerns opened against resolved, per month; referrals are never among the rows (count only)."""
    from communications.filters import ConcernFilter
    from communications.selectors import concern_list

    concerns = concern_list(user=request.user)
    base = {"referred": "no"} | scope.scope_of_engagements()
    period = {"raised_from": scope.start.isoformat(), "raised_to": scope.end.isoformat()}
    opened = dashboard.list_rows(ConcernFilter, base | period, concerns, request)
    resolved = dashboard.list_rows(
        ConcernFilter,
        base | {"resolved_from": scope.start.isoformat(), "resolved_to": scope.end.isoformat()},
        concerns,
        request,
    )
    months = dashboard.months(scope)
    counts = {
        "opened": _pivot(dashboard.by_month(opened, date_field="raised_on").assign(g=1), "g", months),
        "resolved": _pivot(dashboard.by_month(resolved, date_field="resolved_on").assign(g=1), "g", months),
    }
    title = _("Concerns opened and resolved, per month")
    graph = chart("bar", title=title)
    graph.x_labels = [date_format(m, "M Y") for m in months]
    rows, series = [], {"opened": [], "resolved": []}
    for month in months:
        start, end = _month_range(scope, month)
        links = {
            "opened": _url("communications:concern_list", base | {"raised_from": start, "raised_to": end}),
            "resolved": _url("communications:concern_list", base | {"resolved_from": start, "resolved_to": end}),
        }
        values = []
        for key in ("opened", "resolved"):
            table = counts[key]
            n = int(table.at[month, 1]) if 1 in table.columns else 0
            series[key].append(point(n, links[key]) if n else 0)
            values.append(n)
        rows.append((date_format(month, "F Y"), links["opened"], values))
    graph.add(_("Opened"), series["opened"])
    graph.add(_("Resolved"), series["resolved"])
    return Chart(title, render(graph, nonce), [_("Opened"), _("Resolved")], rows)


def _campaigns_chart(scope, nonce) -> Chart | None:
    """Active campaigns (or the one chosen) against their targets; at most five, so the cost is bounded."""
    if scope.own:
        return None  # an officer's dashboard shows their own work only
    campaigns = (
        [scope.campaign]
        if scope.campaign
        else list(Campaign.objects.filter(status=CampaignStatus.ACTIVE).order_by("ends_on")[:5])
    )
    if not campaigns:
        return None
    title = _("Campaigns: share of each target reached")
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


def recency_map(scope, request) -> list[list[dict]]:
    """The stakeholder map (influence × interest), each cell split by how recently its
    organizations were engaged: in the last 90 days, the last year, or longer ago / never."""
    today = timezone.localdate()
    recent, year = today - timezone.timedelta(days=89), today - timezone.timedelta(days=364)
    bucket = Case(
        When(last_engaged_on__gte=recent, then=Value(0)),
        When(last_engaged_on__gte=year, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    rows = Organization.objects.filter(is_archived=False)
    base = {}
    if scope.type:
        rows, base["type"] = rows.filter(type=scope.type), scope.type
    if scope.region:
        rows, base["region"] = rows.filter(region__key=fold(scope.region)), scope.region
    if scope.own:
        rows, base["owner"] = rows.filter(owner=request.user), "me"
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
            if not total:
                shade = "none"
            elif parts[0] * 2 >= total:
                shade = "recent"
            elif (parts[0] + parts[1]) * 2 >= total:
                shade = "year"
            else:
                shade = "old"
            cells.append(
                {
                    "influence": influence,
                    "interest": interest,
                    "recent": parts[0],
                    "year": parts[1],
                    "old": parts[2],
                    "total": total,
                    "shade": shade,
                    "url": _url(
                        "stakeholders:organization_list", base | {"influence": influence, "interest": interest}
                    ),
                }
            )
        grid.append(cells)
    return grid
