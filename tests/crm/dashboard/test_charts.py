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


def test_each_bar_and_slice_carries_its_value_as_a_title(manager_client):
    _engagements()
    response = manager_client.get("/dashboard/?period=90")
    checked = 0
    for chart in response.context["charts"]:
        for svg in (chart.svg, chart.svg_narrow):
            for bar in BAR.findall(svg):
                value = re.search(r'<desc class="value">([^<]*)</desc>', bar).group(1)
                title = re.search(r"<title>([^<]*)</title>", bar)
                assert title, (chart.title, bar[:300])
                assert title.group(1).endswith(value), (chart.title, bar[:300])
                checked += 1
    assert checked > 20
    sentiment = _svgs(response)["Sentiment over time"].svg
    assert "<title>Negative · " in sentiment
    assert re.search(r"<title>Negative · [^<]*: 2</title>", sentiment) is None
    assert re.search(r"<title>Negative · [^<]*: 1</title>", sentiment)


def _series_colour(svg: str, name: str) -> str:
    """The fill of the series whose bars are titled `name · …` (pygal colours a series by its index)."""
    index = None
    for number, body in re.findall(r'<g class="series serie-(\d+) color-\d+">(.*?)</g></g>', svg, re.DOTALL):
        if f"<title>{name}" in body:
            index = number
    assert index is not None, name
    rule = re.compile(r"\.color-" + index + r"[^{]*\{[^}]*?fill: ?(#[0-9a-fA-F]{6})")
    return rule.search(svg).group(1).lower()


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
    assert 'class="legend' not in chart.svg  # pygal's legend (cut off, overlapping) is not drawn
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
    """What pygal writes for its removed script and for charts never drawn here is left out: the
    dashboard stays light on a slow link (long ids, 16-digit coordinates, tooltip and hover rules)."""
    _engagements()
    response = manager_client.get("/dashboard/?period=90")
    for chart in response.context["charts"]:
        for svg in (chart.svg, chart.svg_narrow):
            tags = "".join(re.findall(r"<[^>]*>", svg))
            assert re.search(r"\d\.\d{3}", tags) is None, chart.title
            assert re.search(r"chart-[0-9a-f]{8}-", svg) is None
            style = re.search(r"<style[^>]*>(.*?)</style>", svg, re.DOTALL).group(1)
            assert ".tooltip" not in style
            assert ":hover" not in style
            assert "tooltip-trigger" not in svg
            assert 'target="_top"' not in svg
