"""The dashboard's charts are readable: each bar or slice carries its value as a title, colours
mean the same in every chart (negative sentiment never green), months are in the user's language,
legends are text beside the chart, and progress beyond a target shows as such."""

import colorsys
import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from communications.campaigns import Measure
from communications.models import Campaign
from crm.lib import charts
from tests.factories import EngagementFactory, OrganizationFactory

TODAY = timezone.localdate()
BAR = re.compile(r'<g class="(?:bar|slice)">(.*?)</g>', re.DOTALL)


def _svgs(response):
    return {chart.title: chart for chart in response.context["charts"]}


def _engagements():
    organization = OrganizationFactory()
    for days, kind, sentiment in [
        (3, "meeting", "negative"),
        (4, "email", "positive"),
        (5, "survey", "neutral"),
        (40, "workshop", "mixed"),
        (41, "meeting", "negative"),
    ]:
        EngagementFactory(
            occurred_on=TODAY - timedelta(days=days), kind=kind, sentiment=sentiment, organizations=[organization]
        )


def _title_values(svg: str) -> list[str]:
    """The value each bar or slice says in its title ("… : 12"), asserting every one has a title."""
    values = []
    for bar in BAR.findall(svg):
        title = re.search(r"<title>([^<]*)</title>", bar)
        assert title, bar[:300]
        values.append(title.group(1).rsplit(": ", 1)[1])
    return values


def test_each_bar_and_slice_carries_its_value_as_a_title(manager_client):
    """Each bar and slice says its value, and the values are the chart's table's (nothing drawn for
    a zero)."""
    _engagements()
    response = manager_client.get("/dashboard/?period=90")
    checked = 0
    for chart in response.context["charts"]:
        in_table = sorted(str(v) for _label, _url, values in chart.rows for v in values if v not in (0, "0%", "—"))
        for svg in (chart.svg, chart.svg_narrow):
            assert sorted(_title_values(svg)) == in_table, chart.title
            checked += len(in_table)
    assert checked > 20
    sentiment = _svgs(response)["Sentiment over time"].svg
    assert "<title>Negative · " in sentiment
    assert re.search(r"<title>Negative · [^<]*: 2</title>", sentiment) is None
    assert re.search(r"<title>Negative · [^<]*: 1</title>", sentiment)


def _series_colour(svg: str, name: str) -> str:
    """The fill of the series whose bars are titled `name · …`."""
    colours = {part[:7] for part in svg.split('<g class="series" fill="')[1:] if f"<title>{name} · " in part}
    assert len(colours) == 1, (name, colours)
    return colours.pop().lower()


def _is_green(colour: str) -> bool:
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    hue, _lightness, saturation = colorsys.rgb_to_hls(red, green, blue)
    return saturation > 0.2 and 75 <= hue * 360 <= 170


@pytest.mark.parametrize("present", [["negative"], ["positive", "neutral", "negative", "mixed"]])
def test_negative_sentiment_has_one_colour_everywhere_and_it_is_not_green(manager_client, present):
    organization = OrganizationFactory()
    for sentiment in present:
        EngagementFactory(occurred_on=TODAY - timedelta(days=2), sentiment=sentiment, organizations=[organization])
    chart = _svgs(manager_client.get("/dashboard/?period=30"))["Sentiment over time"]
    for svg in (chart.svg, chart.svg_narrow):
        colour = _series_colour(svg, "Negative")
        assert colour == charts.COLOURS["sentiment"]["negative"].lower()
        assert not _is_green(colour)
    assert ("Negative", charts.COLOURS["sentiment"]["negative"]) in chart.legend
    assert not any(
        _is_green(c) for c in [charts.COLOURS["sentiment"]["negative"], charts.COLOURS["concerns"]["opened"]]
    )


def test_the_legend_is_text_beside_the_chart_with_whole_names(manager_client):
    _engagements()
    response = manager_client.get("/dashboard/?period=90")
    chart = _svgs(response)["Engagements per month, by kind"]
    assert [label for label, _colour in chart.legend] == ["Meeting", "Workshop", "E-mail exchange", "Survey"]
    assert 'class="legend' not in chart.svg  # no legend inside the drawing (it would be cut off)
    body = response.content.decode()
    assert '<ul class="chart-legend' in body
    assert "E-mail exchange</li>" in body


def test_months_are_all_in_the_users_language(manager_client):
    EngagementFactory(occurred_on=date(2025, 9, 15), sentiment="negative")
    EngagementFactory(occurred_on=date(2025, 12, 1), sentiment="positive")
    manager_client.cookies["django_language"] = "fr"
    response = manager_client.get(
        "/dashboard/?period=custom&date_from=2025-09-01&date_to=2025-12-31", HTTP_ACCEPT_LANGUAGE="fr"
    )
    monthly = 0
    for chart in response.context["charts"]:
        labels = set(re.findall(r">([^<>]*2025)</text>", chart.svg + chart.svg_narrow))
        if labels:
            monthly += 1
            assert labels == {"sept. 2025", "oct. 2025", "nov. 2025", "déc. 2025"}, (chart.title, labels)
            assert [row[0] for row in chart.rows] == [
                "septembre 2025",
                "octobre 2025",
                "novembre 2025",
                "décembre 2025",
            ]
    assert monthly == 3  # by kind, sentiment, concerns


def test_progress_beyond_the_target_is_shown_as_such(manager_client):
    assert Measure(36, 8).percent == 450
    campaign = Campaign.objects.create(
        name="Integrity week", status="active", starts_on=TODAY - timedelta(days=9), target_events=8
    )
    for _ in range(36):
        EngagementFactory(campaign=campaign, occurred_on=TODAY - timedelta(days=1))
    page = manager_client.get(f"/communications/campaigns/{campaign.pk}/").content.decode()
    assert "36 of 8 (450%)" in page
    chart = _svgs(manager_client.get("/dashboard/?period=30"))["Campaigns: share of each target reached"]
    assert "<title>Events held · Integrity week: 450%</title>" in chart.svg
    assert chart.rows[0][2][1] == "450%"


def test_the_svg_carries_only_what_is_drawn(manager_client):
    """Plain SVG: no script, no style element or attribute (presentation attributes only, so the
    strict Content-Security-Policy holds without a nonce), coordinates to a hundredth of a pixel,
    every link out of the Tab order."""
    _engagements()
    response = manager_client.get("/dashboard/?period=90")
    for chart in response.context["charts"]:
        for svg in (chart.svg, chart.svg_narrow):
            tags = "".join(re.findall(r"<[^>]*>", svg))
            assert re.search(r"\d\.\d{3}", tags) is None, chart.title
            assert "<script" not in svg
            assert "<style" not in svg
            assert " style=" not in tags
            links = re.findall(r"<a [^>]*>", svg)
            assert all('tabindex="-1"' in link for link in links), chart.title


def test_labels_beside_the_bars_are_cut_to_fit_and_escaped():
    drawing = charts.chart("hbar", size=charts.NARROW, colours=[charts.BLUE], labels=2, top=10)
    drawing.row_labels = ["Chambre de commerce <et> d'industrie", "Port"]
    drawing.add("Organizations", [charts.point(7, "/a/?x=1&y=2", "Chambre de commerce <et> d'industrie"), 0])
    svg = charts.render(drawing, label="Reached & met", series_in_title=False)
    assert 'aria-label="Reached &amp; met"' in svg
    assert ">Chambre de co…</text>" in svg  # 14 characters on a phone
    assert "<title>Chambre de commerce &lt;et&gt; d'industrie: 7</title>" in svg  # the whole name
    assert 'href="/a/?x=1&amp;y=2"' in svg
    assert svg.count('<g class="bar">') == 1  # nothing drawn for a zero


def _shapes(svg: str) -> dict[str, dict[str, float]]:
    """Each bar's geometry by its title."""
    bars = re.findall(r"<title>([^<]*)</title><rect ([^>]*)/>", svg)
    return {title: {k: float(v) for k, v in re.findall(r'(\w+)="([-\d.]+)"', attrs)} for title, attrs in bars}


def _texts(svg: str, axis: str) -> dict[str, tuple[float, float]]:
    part = re.search(rf'<g class="axis {axis}"[^>]*>(.*?)</g>', svg).group(1)
    return {
        text: (float(x), float(y)) for x, y, text in re.findall(r'<text x="([-\d.]+)" y="([-\d.]+)">([^<]*)<', part)
    }


def test_bars_sit_in_their_rows_at_the_scale_and_stack_one_after_the_other():
    size = charts.WIDE
    drawing = charts.chart("hstacked", size=size, colours=[charts.BLUE, charts.SKY], labels=3, top=10)
    drawing.row_labels = ["Sept.", "Oct.", "Nov."]
    drawing.add("Meeting", [2, None, 5])
    drawing.add("Workshop", [3, 4, None])
    svg = charts.render(drawing, label="Per month")
    bars, rows, ticks = _shapes(svg), _texts(svg, "y"), _texts(svg, "x")
    assert rows["Sept."][1] < rows["Oct."][1] < rows["Nov."][1]  # top-down, in the order given
    for title, row in [("Meeting · Sept.: 2", "Sept."), ("Workshop · Oct.: 4", "Oct."), ("Meeting · Nov.: 5", "Nov.")]:
        middle = bars[title]["y"] + bars[title]["height"] / 2
        assert abs(middle - (rows[row][1] - size.font * 0.35)) < 0.5, title  # centred on its row's label
    zero, last = ticks["0"][0], ticks[charts.count_format(drawing.steps[-1])][0]
    unit = (last - zero) / drawing.steps[-1]
    meeting, workshop = bars["Meeting · Sept.: 2"], bars["Workshop · Sept.: 3"]
    assert meeting["x"] == pytest.approx(zero, abs=0.01)
    assert meeting["width"] == pytest.approx(2 * unit, abs=0.02)
    assert workshop["x"] == pytest.approx(meeting["x"] + meeting["width"], abs=0.02)  # stacked after it
    assert workshop["width"] == pytest.approx(3 * unit, abs=0.02)


def test_bars_side_by_side_share_their_row_without_overlapping():
    drawing = charts.chart(
        "hbar", size=charts.NARROW, colours=[charts.VERMILLION, charts.BLUISH_GREEN], labels=2, top=4
    )
    drawing.row_labels = ["Jan.", "Feb."]
    drawing.add("Opened", [3, 1])
    drawing.add("Resolved", [2, 4])
    bars = _shapes(charts.render(drawing, label="Concerns"))
    opened, resolved = bars["Opened · Jan.: 3"], bars["Resolved · Jan.: 2"]
    assert opened["x"] == resolved["x"]  # both from zero
    assert opened["y"] + opened["height"] <= resolved["y"]  # the first series above the second
    assert resolved["y"] + resolved["height"] < bars["Opened · Feb.: 1"]["y"]  # then the next row


def test_a_pie_of_one_slice_is_a_whole_circle():
    drawing = charts.chart("pie", size=charts.WIDE, colours=[charts.BLUE, charts.SKY])
    drawing.add("Inform", [charts.point(3, "/e/?depth=inform")])
    drawing.add("Consult", [None])
    svg = charts.render(drawing, label="Depth")
    assert svg.count('<g class="slice">') == 1
    assert "<circle " in svg
    assert "<title>Inform: 3</title>" in svg


def test_a_chart_of_zeros_draws_its_rows_and_scale_and_no_bar():
    drawing = charts.chart("hstacked", size=charts.WIDE, colours=[charts.BLUE], labels=3, top=0)
    drawing.row_labels = ["Jan.", "Feb.", "March"]
    drawing.add("Meeting", [None, 0, None])
    svg = charts.render(drawing, label="Quiet")
    assert ">Feb.</text>" in svg
    assert ">0</text>" in svg
    assert '<g class="bar">' not in svg
    empty = charts.render(charts.chart("pie", size=charts.NARROW, colours=[charts.BLUE]), label="Empty")
    assert empty.startswith('<svg xmlns="http://www.w3.org/2000/svg" role="group" aria-label="Empty"')
    assert "<g " not in empty
