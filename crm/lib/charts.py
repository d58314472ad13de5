"""Server-side SVG charts (pygal) that work without JavaScript and under a strict
Content-Security-Policy: pygal's inline script is removed, and its style element carries the page's
CSP nonce.

Readable at any width: each chart is drawn twice, for a phone (300 px wide) and for a desktop column
(560 px wide), and the page shows the one that fits (app.css), never scaled up, so its text stays at
13–14 px on screen. Bars are horizontal, so labels (months, regions, names) never collide; the legend
is HTML text beside the chart (it wraps instead of being cut off). Each bar or slice carries its
value as an SVG <title> (a tooltip on hover, a name for assistive technology); its link leaves the
Tab order (charts hold up to a hundred bars), the table of figures under each chart being the
keyboard's way to the same rows.

Colours are colour-blind-safe (Okabe–Ito, Paul Tol) and mean the same in every chart: a category
keeps its colour whatever else is drawn, negative sentiment and opened concerns are vermillion,
positive sentiment and resolved concerns bluish green.
"""

import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape
from typing import Any

import pygal
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from pygal.style import Style

# pygal puts an old-style import hook on sys.meta_path (for its optional map plugins, unused here);
# it lacks find_spec(), which breaks tools that walk the import system (pytest's importlib mode).
sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__name__ != "PluginImportFixer"]

BLUE = "#0072B2"
SKY = "#56B4E9"
INDIGO = "#332288"
VERMILLION = "#D55E00"
BLUISH_GREEN = "#009E73"
GREY = "#8C8C8C"
PINK = "#CC79A7"

# A category's colour, wherever it is drawn. Vermillion and bluish green keep their meaning
# (negative, positive) and are used for nothing else.
COLOURS = {
    "sentiment": {"positive": BLUISH_GREEN, "neutral": GREY, "negative": VERMILLION, "mixed": PINK},
    "concerns": {"opened": VERMILLION, "resolved": BLUISH_GREEN},
    # IAP2 depth is ordered: light to dark blue
    "depth": {
        "inform": "#9ECAE1",
        "consult": "#6BAED6",
        "involve": "#3182BD",
        "collaborate": "#08519C",
        "empower": "#08306B",
    },
    "kind": {
        "meeting": BLUE,
        "consultative_committee": INDIGO,
        "workshop": "#44AA99",
        "training": "#999933",
        "webinar": SKY,
        "field_visit": "#882255",
        "awareness_session": "#E69F00",
        "phone_call": "#AA4499",
        "email": "#DDCC77",
        "survey": "#661100",
        "mou_signing": "#6699CC",
        "press_event": "#555555",
    },
    "campaign": {"reached": BLUE, "events": SKY, "commitments": INDIGO},
    "count": {"count": BLUE},
}


@dataclass(frozen=True)
class Size:
    name: str
    width: int
    font: int  # px on screen: the chart is never shown wider than its width (app.css)
    label_chars: int  # longer labels end with "…" (the whole label is in each bar's title)
    row: int  # height of one bar (or group of bars)
    ticks: int  # at most so many numbers on the scale (they would collide)


WIDE = Size("wide", width=560, font=14, label_chars=26, row=30, ticks=7)
NARROW = Size("narrow", width=300, font=13, label_chars=14, row=28, ticks=4)
SIZES = (WIDE, NARROW)

_FACTORIES = {"hbar": pygal.HorizontalBar, "hstacked": pygal.HorizontalStackedBar, "pie": pygal.Pie}
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
_SERIES = re.compile(r'(<g class="series serie-(\d+) color-\d+">)')
_TOOLTIP_PLACES = re.compile(r'<desc class="(?:x centered|y centered|xlink)">[^<]*</desc>')
# What pygal's tooltips (its script, removed) read, once each bar's <title> says it.
_LABELS = re.compile(r'<desc class="(?:x_label|label)">[^<]*</desc>')
# pygal names each chart "chart-" and a UUID, repeated before every rule of its style: a chart's
# first 8 hex digits tell it from the few others of a page, at a quarter of the bytes.
_STYLE = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.DOTALL)
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
# pygal's style has rules for what these charts never draw (tooltips, dots, gauges, maps, second
# axes, confidence intervals) or do without their script (hover effects): left out.
_UNDRAWN = re.compile(
    r"\.(?:tooltip|dot|showable|gauge-background|bg-lines|map-element|ci|bound|max-value|backwards|y2|"
    r"subtle-fill|nofill)(?![\w-])|:hover"
)
# pygal writes coordinates to 16 digits; a hundredth of a pixel is finer than any screen draws.
# Inside tags only (attributes), never in the text a reader sees.
_LONG_NUMBER = re.compile(r"(\d+\.\d\d)\d+(?=[^<>]*>)")
# Attributes that ask for what an inline SVG does anyway (or for pygal's removed script).
_NEEDLESS = re.compile(r' rx="0" ry="0"| target="_top"| tooltip-trigger')
_CHART_ID = re.compile(r"chart-([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_BAR = re.compile(r'<g class="(?:bar|slice)">(<a [^>]*>)?(.*?)</g>', re.DOTALL)


def style(size: Size, colours: Iterable[str]) -> Style:
    return Style(
        background="transparent",
        plot_background="transparent",
        foreground="#212529",
        foreground_strong="#212529",
        foreground_subtle="#6c757d",
        opacity="1",
        opacity_hover=".8",
        colors=tuple(colours),
        font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
        label_font_size=size.font,
        major_label_font_size=size.font,
        legend_font_size=size.font,
        value_font_size=size.font,
        title_font_size=size.font,
        tooltip_font_size=size.font,
        no_data_font_size=size.font,
    )


def chart(
    kind: str,
    *,
    size: Size,
    colours: Iterable[str],
    labels: int = 0,
    top: int = 0,
    formatter: Callable[[Any], str] | None = None,
    **options: Any,
) -> Any:
    """A pygal chart with the app's look, `labels` bars (or groups of bars) high, its scale from 0 to
    at least `top` (the longest bar); add series with point() for drill-down links."""
    height = size.width if kind == "pie" else 48 + size.row * max(labels, 1)
    if kind != "pie":  # a pie has no scale
        steps = scale(top, size)
        options = {"y_labels": steps, "range": (0, steps[-1])} | options
    return _FACTORIES[kind](
        style=style(size, colours),
        js=[],
        disable_xml_declaration=True,
        height=height,
        width=size.width,
        title=None,  # the page gives each chart its caption
        show_legend=False,  # the page draws it as text (it wraps)
        truncate_label=size.label_chars,
        print_values=False,
        margin=8,
        margin_right=size.font * 2,  # room for the last number of the scale, centred on its line
        spacing=8,
        no_data_text="",
        value_formatter=formatter or count_format,
        order_min=0,  # whole-number steps on the scale: these are counts and percentages
        **options,
    )


def short(label: str, size: Size) -> str:
    """A label that fits beside the bars (pygal leaves the labels of horizontal bars whole)."""
    label = str(label)
    return label if len(label) <= size.label_chars else label[: size.label_chars - 1].rstrip() + "…"


def scale(top: int, size: Size) -> list[int]:
    """Round steps from 0 to just above `top` (the longest bar), few enough that their numbers
    never collide."""
    top = max(int(top or 0), 1)
    steps = [unit * 10**power for power in range(7) for unit in (1, 2, 2.5, 5) if unit * 10**power >= 1]
    fitting = [int(step) for step in steps if step == int(step) and -(-top // step) < size.ticks]
    step = min(fitting, key=lambda step: (step * -(-top // step), step))
    return list(range(0, step * -(-top // step) + 1, step))


def count_format(value: float | None) -> str:
    return number_format(round(value or 0), force_grouping=True)


def percent_format(value: float | None) -> str:
    return _("%(n)s%%") % {"n": count_format(value)}


def render(chart_object: Any, nonce: str, *, label: str, series_in_title: bool = True) -> str:
    """The SVG for the page; `series_in_title`: each bar's title names its series (not for a chart
    whose one series is its caption)."""
    if not chart_object.raw_series:
        chart_object.y_labels = None  # pygal cannot place a scale on a chart without series
    svg = _SCRIPT.sub("", chart_object.render(is_unicode=True))
    svg = svg.replace('style="opacity: 0"', 'opacity="0"')  # a presentation attribute: no inline style
    svg = svg.replace("<style", f'<style nonce="{nonce}"', 1)
    svg = _with_titles(svg, [config["title"] for _values, config in chart_object.raw_series], series_in_title)
    svg = _TOOLTIP_PLACES.sub("", svg)  # where pygal's script (removed) would put its tooltips
    svg = _LABELS.sub("", svg)
    svg = _CHART_ID.sub(r"c\1", svg).replace("<title>Pygal</title>", "", 1)
    svg = _NEEDLESS.sub("", _LONG_NUMBER.sub(r"\1", svg))
    svg = _STYLE.sub(lambda style: style.group(1) + _drawn_rules(style.group(2)) + style.group(3), svg, count=1)
    svg = svg.replace("<a ", '<a tabindex="-1" ')  # the table below the chart is the keyboard's way
    svg = svg.replace("<svg ", f'<svg role="group" aria-label="{escape(label)}" ', 1)
    return mark_safe(svg)  # noqa: S308 (our own SVG, labels escaped)


def _drawn_rules(css: str) -> str:
    """The style's rules, without the selectors of what is never drawn (_UNDRAWN)."""
    kept = []
    for selectors, declarations in _RULE.findall(css):
        drawn = [selector for selector in selectors.split(",") if not _UNDRAWN.search(selector)]
        if drawn:
            kept.append(f"{','.join(drawn)}{{{declarations}}}")
    return "".join(kept)


def _with_titles(svg: str, series_titles: list[str], series_in_title: bool) -> str:
    """Each bar or slice gets a <title>: "series · label: value" (the series alone for a pie, the
    label alone without `series_in_title`), inside its link when it has one."""
    parts = _SERIES.split(svg)
    out = [parts[0]]
    for start in range(1, len(parts), 3):
        opening, index, body = parts[start], int(parts[start + 1]), parts[start + 2]
        series = series_titles[index] if index < len(series_titles) else ""
        out.append(opening + _BAR.sub(lambda bar, s=series: _titled(bar, s, series_in_title), body))
    return "".join(out)


def _titled(bar: re.Match, series: str, with_series: bool) -> str:
    link, body = bar.group(1) or "", bar.group(2)
    found = re.search(r'<desc class="value">([^<]*)</desc>', body)
    x_label = re.search(r'<desc class="x_label">([^<]*)</desc>', body)
    value = found.group(1) if found else ""
    label = re.search(r'<desc class="label">([^<]*)</desc>', body) or x_label  # a whole label given
    if label and with_series:
        name = f"{escape(series)} · {label.group(1)}"
    elif label:
        name = label.group(1)
    else:
        name = escape(series)
    return f'<g class="{_kind(bar)}">{link}<title>{name}: {value}</title>{body}</g>'


def _kind(bar: re.Match) -> str:
    return "slice" if bar.group(0).startswith('<g class="slice"') else "bar"


def point(value: float | None, url: str | None, label: str = "") -> dict[str, Any]:
    """One bar or slice that links to the rows behind it."""
    data: dict[str, Any] = {"value": value, "label": label} if label else {"value": value}
    if url:
        data["xlink"] = {"href": url, "target": "_top"}
    return data
