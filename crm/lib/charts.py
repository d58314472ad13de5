"""Server-side SVG charts that work without JavaScript and under a strict Content-Security-Policy:
written here as plain SVG (no script, no style element: presentation attributes only), in well
under a millisecond each. pygal drew them until 2026-12: 9 ms a chart, 130 ms of the dashboard's
first view after a change (14 drawings), most of it in its per-attribute configuration look-ups.

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

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import escape
from typing import Any

from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

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

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
INK = "#212529"  # Bootstrap's body colour
SUBTLE = "#6c757d"  # Bootstrap's secondary text: the scale's guide lines
MARGIN = 8
GAP = 5  # between a text and the line or bar it names
# Widths of characters in ems, on the wide side of the usual sans-serifs (DejaVu Sans, Segoe UI,
# Roboto): room enough for the labels beside the bars, so that none runs out of the chart.
_THIN, _WIDE = frozenset("iIjl.,:;'|!ftr()[] "), frozenset("mwMW@%")


@dataclass
class Drawing:
    """One chart for one width: rows of horizontal bars (the series side by side in each row, or
    stacked), or a pie of one slice per series. Rows are drawn top-down in the order of
    `row_labels`; each value is a number, None (nothing drawn) or a point()."""

    kind: str  # "hbar", "hstacked" or "pie"
    size: Size
    colours: list[str]
    height: int
    steps: list[int]  # the scale, from 0 (bars only)
    formatter: Callable[[Any], str]
    row_labels: list[str] = field(default_factory=list)
    series: list[tuple[str, list[Any]]] = field(default_factory=list)

    def add(self, title: str, values: Iterable[Any]) -> None:
        self.series.append((str(title), list(values)))


def chart(
    kind: str,
    *,
    size: Size,
    colours: Iterable[str],
    labels: int = 0,
    top: int = 0,
    formatter: Callable[[Any], str] | None = None,
) -> Drawing:
    """A chart with the app's look, `labels` rows of bars high, its scale from 0 to at least `top`
    (the longest bar); add series with point() for drill-down links."""
    height = size.width if kind == "pie" else 48 + size.row * max(labels, 1)
    steps = [] if kind == "pie" else scale(top, size)
    return Drawing(kind, size, list(colours), height, steps, formatter or count_format)


def short(label: str, size: Size) -> str:
    """A label that fits beside the bars, ended with "…" when cut (the whole label is in each bar's
    title and in the table below the chart)."""
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


def render(drawing: Drawing, *, label: str, series_in_title: bool = True) -> SafeString:
    """The SVG for the page; `series_in_title`: each bar's title names its series (not for a chart
    whose one series is its caption)."""
    draw = _pie if drawing.kind == "pie" else _bars
    body = draw(drawing, series_in_title) if drawing.series else ""
    size = drawing.size
    return mark_safe(  # noqa: S308 (our own SVG, every text escaped)
        f'<svg xmlns="http://www.w3.org/2000/svg" role="group" aria-label="{escape(label)}" '
        f'viewBox="0 0 {size.width} {drawing.height}" font-family="{escape(FONT)}" font-size="{size.font}">'
        f"{body}</svg>"
    )


@dataclass(frozen=True)
class _Plot:
    """Where the bars go: right of the row labels, left of room for the scale's last number, above
    the scale."""

    left: float
    top: float
    width: float
    height: float
    band: float  # the height of one row
    end: int  # the scale's last step

    def x(self, value: float) -> float:
        return self.left + self.width * value / self.end


def _bars(drawing: Drawing, series_in_title: bool) -> str:
    size = drawing.size
    rows = max([len(drawing.row_labels), 1] + [len(values) for _title, values in drawing.series])
    labels = [short(label, size) for label in drawing.row_labels]
    ticks = [drawing.formatter(step) for step in drawing.steps]
    left = MARGIN + max([0.0] + [_text_width(label, size.font) for label in labels]) + GAP
    right = max(size.font * 2, _text_width(ticks[-1], size.font) / 2 + 2)
    height = drawing.height - 2 * MARGIN - size.font - 2 * GAP
    plot = _Plot(left, MARGIN, size.width - left - right, height, height / rows, drawing.steps[-1])
    reached = [0.0] * rows  # stacked: where each row's next bar starts, series after series
    bars = (_series_bars(drawing, plot, index, reached, series_in_title) for index in range(len(drawing.series)))
    return _axes(drawing, plot, labels, ticks) + "".join(bars)


def _axes(drawing: Drawing, plot: _Plot, labels: list[str], ticks: list[str]) -> str:
    """The scale below the bars with its guide lines (class "axis x", as horizontal bars' value axis
    is named), and the rows' labels left of them ("axis y")."""
    font = drawing.size.font
    parts = [f'<g class="axis x" fill="{INK}" text-anchor="middle">']
    for step, tick in zip(drawing.steps, ticks, strict=True):
        line = f'stroke="{INK}"' if step == 0 else f'stroke="{SUBTLE}" stroke-dasharray="4,4"'
        parts.append(
            f'<path d="M{_n(plot.x(step))} {_n(plot.top)}v{_n(plot.height)}" {line}/>'
            f'<text x="{_n(plot.x(step))}" y="{_n(plot.top + plot.height + GAP + font)}">{escape(tick)}</text>'
        )
    parts.append(f'</g><g class="axis y" fill="{INK}" text-anchor="end">')
    for row, text in enumerate(labels):
        y = plot.top + plot.band * (row + 0.5) + font * 0.35  # the text's baseline: centred on its row
        parts.append(f'<text x="{_n(plot.left - GAP)}" y="{_n(y)}">{escape(text)}</text>')
    parts.append("</g>")
    return "".join(parts)


def _series_bars(drawing: Drawing, plot: _Plot, index: int, reached: list[float], series_in_title: bool) -> str:
    """One series' bars: each row's bar after the bars of the series before (stacked), or beside
    them (one thin bar per series in each row)."""
    title, values = drawing.series[index]
    stacked, count = drawing.kind == "hstacked", len(drawing.series)
    thickness = plot.band * 0.8 if stacked else plot.band * 0.8 / count
    parts = [f'<g class="series" fill="{_colour(drawing, index)}">']
    for row, value in enumerate(values):
        number = _number(value)
        if not number:
            continue
        start = reached[row] if stacked else 0.0
        reached[row] = start + number
        y = plot.top + plot.band * (row + 0.1) + (0 if stacked else index * thickness)
        shape = (
            f'<rect x="{_n(plot.x(start))}" y="{_n(y)}" width="{_n(plot.x(start + number) - plot.x(start))}" '
            f'height="{_n(thickness - (0 if stacked or count == 1 else 1))}"/>'
        )
        row_label = drawing.row_labels[row] if row < len(drawing.row_labels) else ""
        name = _name(title, _label(value) or row_label, series_in_title)
        parts.append(_shape("bar", f"{name}: {drawing.formatter(number)}", _link(value), shape))
    parts.append("</g>")
    return "".join(parts)


def _pie(drawing: Drawing, series_in_title: bool) -> str:
    """Slices clockwise from the top, in the order of the series."""
    centre_x, centre_y = drawing.size.width / 2, drawing.height / 2
    radius = min(centre_x, centre_y) - MARGIN
    total = sum(_number(value) for _title, values in drawing.series for value in values)
    angle, parts = -math.pi / 2, []
    if not total:
        return ""
    for index, (title, values) in enumerate(drawing.series):
        parts.append(f'<g class="series" fill="{_colour(drawing, index)}" stroke="#fff">')
        for value in values:
            number = _number(value)
            if not number:
                continue
            share = number / total
            if share > 0.9999:
                shape = f'<circle cx="{_n(centre_x)}" cy="{_n(centre_y)}" r="{_n(radius)}"/>'
            else:
                end = angle + 2 * math.pi * share
                shape = (
                    f'<path d="M{_n(centre_x)} {_n(centre_y)}'
                    f"L{_n(centre_x + radius * math.cos(angle))} {_n(centre_y + radius * math.sin(angle))}"
                    f"A{_n(radius)} {_n(radius)} 0 {int(share > 0.5)} 1 "
                    f'{_n(centre_x + radius * math.cos(end))} {_n(centre_y + radius * math.sin(end))}Z"/>'
                )
            angle += 2 * math.pi * share
            name = _name(title, _label(value), series_in_title)
            parts.append(_shape("slice", f"{name}: {drawing.formatter(number)}", _link(value), shape))
        parts.append("</g>")
    return "".join(parts)


def _shape(kind: str, title: str, link: str, shape: str) -> str:
    """A bar or slice with its title, inside its link when it has one (out of the Tab order: the
    table below the chart is the keyboard's way)."""
    inner = f"<title>{escape(title, quote=False)}</title>{shape}"
    if link:
        inner = f'<a href="{escape(link)}" tabindex="-1">{inner}</a>'
    return f'<g class="{kind}">{inner}</g>'


def _name(series: str, label: str, series_in_title: bool) -> str:
    """What a bar's title says before its value: "series · label", the label alone, or the series
    alone (a pie's slice)."""
    if label and series_in_title:
        return f"{series} · {label}"
    return label or series


def _number(value: Any) -> float:
    number = value.get("value") if isinstance(value, dict) else value
    return float(number or 0)


def _label(value: Any) -> str:
    return str(value.get("label", "")) if isinstance(value, dict) else ""


def _link(value: Any) -> str:
    return str(value.get("url") or "") if isinstance(value, dict) else ""


def _colour(drawing: Drawing, index: int) -> str:
    return drawing.colours[index % len(drawing.colours)] if drawing.colours else INK


def _n(number: float) -> str:
    """A coordinate to a hundredth of a pixel (finer than any screen draws), without trailing zeros."""
    return f"{number:.2f}".rstrip("0").rstrip(".")


def _text_width(text: str, font: int) -> float:
    return font * sum(0.34 if c in _THIN else 0.95 if c in _WIDE else 0.74 if c.isupper() else 0.63 for c in text)


def point(value: float | None, url: str | None, label: str = "") -> dict[str, Any]:
    """One bar or slice that links to the rows behind it."""
    return {"value": value, "label": label, "url": url or ""}
