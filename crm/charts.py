"""Server-side SVG charts (pygal) that work without JavaScript and under a strict
Content-Security-Policy: pygal's inline script is removed (tooltips are not needed: every chart
comes with a table of its figures), and its style element carries the page's CSP nonce."""

import re
import sys

import pygal
from django.utils.safestring import mark_safe
from pygal.style import Style

# pygal puts an old-style import hook on sys.meta_path (for its optional map plugins, unused here);
# it lacks find_spec(), which breaks tools that walk the import system (pytest's importlib mode).
sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__name__ != "PluginImportFixer"]

STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#212529",
    foreground_strong="#212529",
    foreground_subtle="#6c757d",
    opacity=".9",
    opacity_hover="1",
    colors=(
        "#0b4f8a",
        "#d9480f",
        "#2b8a3e",
        "#862e9c",
        "#e67700",
        "#1098ad",
        "#c92a2a",
        "#5c940d",
        "#364fc7",
        "#a61e4d",
        "#495057",
        "#087f5b",
    ),
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=12,
    value_font_size=11,
    title_font_size=14,
)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)


def chart(kind: str, *, title: str, height: int = 320, **options):
    """A pygal chart with the app's look; add series with links (xlink) for drill-down."""
    factory = {
        "bar": pygal.Bar,
        "stacked": pygal.StackedBar,
        "hbar": pygal.HorizontalBar,
        "line": pygal.Line,
        "pie": pygal.Pie,
    }[kind]
    return factory(
        style=STYLE,
        js=[],
        disable_xml_declaration=True,
        height=height,
        width=760,
        title=None,  # the page gives each chart its caption
        legend_at_bottom=True,
        legend_at_bottom_columns=4,
        truncate_legend=28,
        truncate_label=18,
        print_values=False,
        margin=12,
        no_data_text="",
        **options,
    )


def render(chart_object, nonce: str) -> str:
    svg = _SCRIPT.sub("", chart_object.render(is_unicode=True))
    svg = svg.replace('style="opacity: 0"', 'opacity="0"')  # a presentation attribute: no inline style
    svg = svg.replace("<style", f'<style nonce="{nonce}"', 1)
    return mark_safe(svg.replace("<svg ", '<svg role="img" focusable="false" ', 1))  # noqa: S308 (our own SVG)


def point(value, url: str | None, label: str = ""):
    """One bar or slice that links to the rows behind it."""
    data = {"value": value, "label": label} if label else {"value": value}
    if url:
        data["xlink"] = {"href": url, "target": "_top"}
    return data
