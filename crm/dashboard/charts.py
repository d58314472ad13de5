"""The dashboard's charts: each one an SVG (crm/lib/charts.py) whose bars link to the list that counts the
same rows, and the same figures as a table for screen readers and printing."""

from dataclasses import dataclass, field
from urllib.parse import urlencode

import pandas as pd
from django.db.models import Case, Count, IntegerField, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from communications.campaigns import campaigns_progress
from communications.choices import CampaignStatus, Depth, EngagementKind, Sentiment
from communications.models import Campaign
from crm.dashboard import selectors
from crm.lib.charts import COLOURS, GREY, NARROW, SIZES, WIDE, chart, percent_format, point, render
from stakeholders.choices import OrganizationType
from stakeholders.models import Organization
from stakeholders.normalize import fold


@dataclass
class Chart:
    title: str
    svg: str  # for a desktop column
    svg_narrow: str  # for a phone
    headers: list
    rows: list  # [(label, url, [values…])]
    legend: list = field(default_factory=list)  # [(label, colour)] when the chart has several series


def _url(name: str, query: dict) -> str:
    return f"{reverse(name)}?{urlencode(query, doseq=True)}"


def _month_end(month):
    return (month.replace(day=28) + timezone.timedelta(days=4)).replace(day=1) - timezone.timedelta(days=1)


def _month_range(scope, month) -> tuple[str, str]:
    return max(month, scope.start).isoformat(), min(_month_end(month), scope.end).isoformat()


def _month_label(month) -> str:
    """A month in the user's language ("sept. 2026", "Sept. 2026"): Django's formats, never strftime."""
    return date_format(month, "N Y")


def _pivot(frame: pd.DataFrame, group: str, months) -> pd.DataFrame:
    """Months × groups counts in one pandas pass (missing cells are 0)."""
    if frame.empty:
        return pd.DataFrame(index=months)
    table = frame.pivot_table(index="month", columns=group, values="n", aggfunc="sum", fill_value=0)
    return table.reindex(months, fill_value=0)


def _make(title: str, draw, headers, rows, legend=(), *, series_in_title=True) -> Chart:
    """`draw(size)` gives the chart for one width; both are rendered."""
    svgs = {size.name: render(draw(size), label=title, series_in_title=series_in_title) for size in SIZES}
    return Chart(title, svgs[WIDE.name], svgs[NARROW.name], list(headers), rows, list(legend))


def _monthly(scope, facts, *, group, labels: dict, colours: dict, title, list_query) -> Chart:
    """Counts per month (one bar each, the earliest on top) stacked by group."""
    months = selectors.months(scope)
    table = _pivot(facts[["month", group, "n"]] if not facts.empty else facts, group, months)
    groups = [code for code in labels if code in table.columns]
    series = {}
    for code in groups:
        values = []
        for month in months:
            n = int(table.at[month, code])
            start, end = _month_range(scope, month)
            query = list_query | {"date_from": start, "date_to": end, group: code}
            values.append(point(n, _url("communications:engagement_list", query)) if n else None)
        series[code] = values

    top = int(table[groups].sum(axis=1).max()) if groups else 0

    def draw(size):
        graph = chart("hstacked", size=size, colours=[colours[c] for c in groups], labels=len(months), top=top)
        graph.row_labels = [_month_label(m) for m in months]
        for code in groups:
            graph.add(str(labels[code]), series[code])
        return graph

    table_rows = []
    for month in months:
        start, end = _month_range(scope, month)
        table_rows.append(
            (
                date_format(month, "F Y"),
                _url("communications:engagement_list", list_query | {"date_from": start, "date_to": end}),
                [int(table.at[month, code]) for code in groups],
            )
        )
    legend = [(str(labels[c]), colours[c]) for c in groups]
    return _make(title, draw, [str(labels[c]) for c in groups], table_rows, legend)


def _counts(data, labels, *, title, header, list_name, list_query, param, kind="hbar", colours=None) -> Chart:
    """One bar (or slice) per code, linking to its rows."""
    data = [(code, n) for code, n in data if code not in (None, "")]
    rows = [(str(labels.get(code, code)), _url(list_name, list_query | {param: code}), [n]) for code, n in data]
    if kind == "pie":
        palette = [colours.get(code, GREY) for code, _n in data]

        def draw(size):
            graph = chart("pie", size=size, colours=palette)
            for label, url, values in rows:
                graph.add(label, [point(values[0], url)])
            return graph

        legend = [(label, colour) for (label, _url_, _v), colour in zip(rows, palette, strict=True)]
        return _make(title, draw, [header], rows, legend)

    def draw(size):  # noqa: F811 (one of the two, by kind)
        graph = chart(
            "hbar",
            size=size,
            colours=[COLOURS["count"]["count"]],
            labels=len(rows),
            top=max((n for *_, (n,) in rows), default=0),
        )
        graph.row_labels = [label for label, _url_, _v in rows]
        graph.add(header, [point(values[0], url, label) for label, url, values in rows])
        return graph

    return _make(title, draw, [header], rows, series_in_title=False)


def _facts_counts(facts, field) -> list[tuple]:
    if facts.empty:
        return []
    totals = facts.groupby(field, dropna=True)["n"].sum().sort_values(ascending=False)
    return [(code, int(n)) for code, n in totals.items()]


def build(scope, request, facts=None, reached_types=None) -> list[Chart]:
    facts = selectors.engagement_facts(scope, request) if facts is None else facts
    query = scope.engagement_query()
    name = "communications:engagement_list"
    charts = [
        _monthly(
            scope,
            facts,
            group="kind",
            labels=dict(EngagementKind.choices),
            colours=COLOURS["kind"],
            title=_("Engagements per month, by kind"),
            list_query=query,
        ),
        _counts(
            _facts_counts(facts, "region__name"),
            {},
            title=_("Engagements by region"),
            header=_("Engagements"),
            list_name=name,
            list_query=query,
            param="region",
        ),
        _counts(
            selectors.reach(scope, request).by_type if reached_types is None else reached_types,
            dict(OrganizationType.choices),
            title=_("Organizations reached, by stakeholder type"),
            header=_("Organizations"),
            list_name="stakeholders:organization_list",
            list_query=scope.reached_query(),
            param="type",
        ),
        _counts(
            # in the order of the spectrum, so the slices go from light to dark
            sorted(
                [(code, n) for code, n in _facts_counts(facts, "depth") if code in Depth.values],
                key=lambda item: Depth.values.index(item[0]),
            ),
            dict(Depth.choices),
            title=_("Depth of engagement (IAP2)"),
            header=_("Engagements"),
            list_name=name,
            list_query=query,
            param="depth",
            kind="pie",
            colours=COLOURS["depth"],
        ),
        _monthly(
            scope,
            facts,
            group="sentiment",
            labels=dict(Sentiment.choices),
            colours=COLOURS["sentiment"],
            title=_("Sentiment over time"),
            list_query=query,
        ),
        _concerns_chart(scope, request),
    ]
    progress = _campaigns_chart(scope)
    if progress:
        charts.append(progress)
    return charts


def _concerns_chart(scope, request) -> Chart:
    """Concerns opened against resolved, per month; referrals are never among the rows (count only)."""
    from communications.filters import ConcernFilter
    from communications.selectors import concern_list

    concerns = concern_list(user=request.user)
    base = {"referred": "no"} | scope.scope_of_engagements()
    period = {"raised_from": scope.start.isoformat(), "raised_to": scope.end.isoformat()}
    opened = selectors.list_rows(ConcernFilter, base | period, concerns, request)
    resolved = selectors.list_rows(
        ConcernFilter,
        base | {"resolved_from": scope.start.isoformat(), "resolved_to": scope.end.isoformat()},
        concerns,
        request,
    )
    months = selectors.months(scope)
    counts = {
        "opened": _pivot(selectors.by_month(opened, date_field="raised_on").assign(g=1), "g", months),
        "resolved": _pivot(selectors.by_month(resolved, date_field="resolved_on").assign(g=1), "g", months),
    }
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
    names = {"opened": _("Opened"), "resolved": _("Resolved")}
    top = max((n for _label, _link, values in rows for n in values), default=0)

    def draw(size):
        graph = chart("hbar", size=size, colours=[COLOURS["concerns"][k] for k in names], labels=len(months), top=top)
        graph.row_labels = [_month_label(m) for m in months]
        for key, label in names.items():
            graph.add(label, series[key])
        return graph

    legend = [(label, COLOURS["concerns"][key]) for key, label in names.items()]
    return _make(_("Concerns opened and resolved, per month"), draw, names.values(), rows, legend)


def _campaigns_chart(scope) -> Chart | None:
    """Active campaigns (or the one chosen) against their targets; at most five, so the cost is
    bounded. A target beaten shows beyond 100 % (the scale grows with it)."""
    if scope.own:
        return None  # an officer's dashboard shows their own work only
    campaigns = (
        [scope.campaign]
        if scope.campaign
        else list(Campaign.objects.filter(status=CampaignStatus.ACTIVE).order_by("ends_on")[:5])
    )
    if not campaigns:
        return None
    progress = campaigns_progress(campaigns)
    names = {"reached": _("Organizations reached"), "events": _("Events held"), "commitments": _("Commitments signed")}
    rows, measures = [], {key: [] for key in names}
    for campaign in campaigns:
        url = campaign.get_absolute_url()
        values = []
        for key in names:
            percent = getattr(progress[campaign.pk], key).percent
            measures[key].append(point(percent, url, campaign.name) if percent is not None else None)
            values.append(percent_format(percent) if percent is not None else "—")
        rows.append((campaign.name, url, values))
    top = max([100] + [p["value"] for values in measures.values() for p in values if p])

    def draw(size):
        graph = chart(
            "hbar",
            size=size,
            colours=[COLOURS["campaign"][k] for k in names],
            labels=len(campaigns) * 2,
            formatter=percent_format,
            top=top,
        )
        graph.row_labels = [c.name for c in campaigns]
        for key, label in names.items():
            graph.add(label, measures[key])
        return graph

    legend = [(label, COLOURS["campaign"][key]) for key, label in names.items()]
    return _make(_("Campaigns: share of each target reached"), draw, names.values(), rows, legend)


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
    counts = {}  # COUNT(*): from the index of the map's columns alone (COUNT(id) reads the table)
    for influence, interest, b, n in (
        rows.annotate(b=bucket).values_list("influence", "interest", "b").annotate(n=Count("*")).order_by()
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
