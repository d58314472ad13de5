"""The dashboard's charts read well on a phone (360 px) and on a desktop: no legend entry or label
overflows its chart or overlaps another, chart text is at least 12 px on screen, each bar says its
value on hover, and the bars do not fill the Tab order."""

from datetime import timedelta

import pytest
from django.utils import timezone

from communications.choices import EngagementKind, Sentiment
from communications.models import Campaign
from crm.accounts.roles import Role
from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import PASSWORD, ConcernFactory, EngagementFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.browser
TODAY = timezone.localdate()

# Every text of the visible charts (legend entries and SVG text) with its box on screen and its
# font size on screen (an SVG's text is scaled with it).
MEASURE = """() => {
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const box = (el) => { const r = el.getBoundingClientRect(); return {l: r.left, t: r.top, r: r.right, b: r.bottom}; };
  return [...document.querySelectorAll("figure.chart")].map((figure) => {
    const svg = [...figure.querySelectorAll(".chart-svg svg")].find(shown);
    if (!svg) return {title: figure.querySelector("figcaption").textContent, missing: true};
    const scale = svg.getScreenCTM().a;
    const texts = [...svg.querySelectorAll("text")].filter((t) => shown(t) && t.textContent.trim()).map((t) => ({
      text: t.textContent, box: box(t), px: parseFloat(getComputedStyle(t).fontSize) * scale,
      kind: t.closest(".axis.x") ? "x" : t.closest(".axis.y") ? "y" : "other",
    }));
    const legend = [...figure.querySelectorAll(".chart-legend li")].map((li) => ({
      text: li.textContent.trim(), box: box(li), px: parseFloat(getComputedStyle(li).fontSize),
    }));
    return {title: figure.querySelector("figcaption").textContent, figure: box(figure), svg: box(svg), texts, legend,
            bars: svg.querySelectorAll("g.bar, g.slice").length,
            titled: svg.querySelectorAll("g.bar title, g.slice title").length,
            tabbable: [...svg.querySelectorAll("a")].filter((a) => a.tabIndex >= 0).length};
  });
}"""


def _overlap(a, b, slack=0.5):
    return a["l"] < b["r"] - slack and b["l"] < a["r"] - slack and a["t"] < b["b"] - slack and b["t"] < a["b"] - slack


def _inside(inner, outer, slack=1):
    return (
        inner["l"] >= outer["l"] - slack
        and inner["r"] <= outer["r"] + slack
        and inner["t"] >= outer["t"] - slack
        and inner["b"] <= outer["b"] + slack
    )


def _data():
    UserFactory(role=Role.MANAGER, email="moussa@example.test")
    organizations = [OrganizationFactory(type=t) for t in ("customs_broker", "port_operator", "development_partner")]
    kinds, sentiments = EngagementKind.values, Sentiment.values
    for i in range(60):
        EngagementFactory(
            occurred_on=TODAY - timedelta(days=i * 6),
            kind=kinds[i % len(kinds)],
            sentiment=sentiments[i % len(sentiments)],
            depth=["inform", "consult", "involve", "collaborate", "empower"][i % 5],
            organizations=[organizations[i % 3]],
            region=organizations[i % 3].region,
        )
    for i in range(6):
        ConcernFactory(organization=organizations[0], raised_on=TODAY - timedelta(days=20 * i), status="open")
    campaign = Campaign.objects.create(
        name="International Anti-Corruption Day 2026: integrity at every border post",
        status="active",
        starts_on=TODAY - timedelta(days=60),
        target_events=2,
        target_reached=40,
    )
    for _ in range(9):
        EngagementFactory(campaign=campaign, occurred_on=TODAY - timedelta(days=3), organizations=organizations)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_charts_are_readable(visit, transactional_db, viewport, locale):
    _data()
    tab = visit(viewport=viewport, locale=locale)
    tab.sign_in("moussa@example.test", PASSWORD)
    tab.goto("/dashboard/?period=365")
    tab.shot(f"charts-{locale}-{viewport['width']}")
    charts = tab.page.evaluate(MEASURE)
    assert len(charts) == 7
    assert not [c["title"] for c in charts if c.get("missing")]
    for chart in charts:
        name = chart["title"]
        assert _inside(chart["svg"], chart["figure"]), name
        assert chart["bars"], name
        assert chart["titled"] == chart["bars"], name  # every bar says its value
        assert chart["tabbable"] == 0, name  # the table under the chart is the keyboard's way
        for text in chart["texts"]:
            assert text["px"] >= 11.9, (name, text["text"], text["px"])
            assert _inside(text["box"], chart["svg"]), (name, text["text"])
        for kind in ("x", "y"):  # labels of one axis never collide
            labels = [t for t in chart["texts"] if t["kind"] == kind]
            for i, a in enumerate(labels):
                for b in labels[i + 1 :]:
                    assert not _overlap(a["box"], b["box"]), (name, a["text"], b["text"])
        for i, entry in enumerate(chart["legend"]):
            assert entry["px"] >= 12, (name, entry["text"])
            assert _inside(entry["box"], chart["figure"]), (name, entry["text"])
            for other in chart["legend"][i + 1 :]:
                assert not _overlap(entry["box"], other["box"]), (name, entry["text"], other["text"])
    campaign = next(c for c in charts if c["title"].startswith(("Campaigns", "Campagnes")))
    assert any(t["text"].startswith("500") for t in campaign["texts"])  # the scale goes past 100 %
    assert tab.errors == []
