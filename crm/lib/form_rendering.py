"""Django's form renderer, with its most used widget templates written in Python.

Every list page shows its filters, every form its fields: Django renders each widget through a
template, and a <select> through one more template per option (about 70 µs an option: a list's
filter panel cost 11–13 ms, a quarter of the page). The writers below give the same HTML, character
for character, as Django's own templates (`django/forms/widgets/select.html` with
`select_option.html`, and `input.html` with the templates that only include it), from the same
widget context. Anything else, or a widget that names other templates for its options, goes through
the templates as before. `tests/crm/lib/test_form_rendering.py` compares both for every form and
filter of the app and for widgets built to be awkward (groups, lazy and safe labels, numbers, dates,
attributes true, false and quoted), and checks that Django's templates are still those written here.

Settings: FORM_RENDERER = "crm.lib.form_rendering.FormRenderer"."""

from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.safestring import SafeData, mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
INPUT = "django/forms/widgets/input.html"
KEYS = frozenset({"name", "value", "attrs"})  # what every widget's context holds
# Django's templates that hold nothing but {% include "django/forms/widgets/input.html" %}.
INPUTS = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "search",
        "email",
        "url",
        "tel",
        "password",
        "hidden",
        "number",
        "date",
        "datetime",
        "time",
        "color",
        "checkbox",
    )
)


# What a template written for a widget renders with: autoescaping on, Django's settings for
# localization and time zones.
_CONTEXT = Context(autoescape=True)  # read, never written


def _shown(value: object) -> str:
    """`{{ value }}`: as the template engine writes a value (local time, localized, escaped)."""
    return render_value_in_context(value, _CONTEXT)


def _formatted(value: object) -> str:
    """`{{ value|stringformat:'s' }}`: "%s" % value (which keeps the text of an object whose text
    is safe), marked safe if the value was, then written as `{{ }}` writes it."""
    if isinstance(value, tuple):
        value = str(value)
    text = "%s" % value  # noqa: UP031 (what the filter does: "%s" % x is the text of x, its type kept)
    return _shown(mark_safe(text) if isinstance(value, SafeData) else text)


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html"""
    written = []
    for name, value in attrs.items():
        if value is False:
            continue
        written.append(f" {_shown(name)}" if value is True else f' {_shown(name)}="{_formatted(value)}"')
    return "".join(written)


def _option(option: dict) -> str:
    return f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>{_shown(option["label"])}</option>'


def write_select(widget: dict) -> str | None:
    if "optgroups" not in widget:
        return None
    parts = [f'<select name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_shown(group_name)}">')
        for option in group_choices:
            if option.get("template_name") != OPTION:
                return None  # options of a template of their own: Django's templates write them
            parts.append(f"\n  {_option(option)}\n")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def write_input(widget: dict) -> str:
    value = widget["value"]
    written = "" if value is None else f' value="{_formatted(value)}"'
    return f'<input type="{_shown(widget["type"])}" name="{_shown(widget["name"])}"{written}{_attrs(widget["attrs"])}>'


def _as_written(widget: dict) -> bool:
    """Whether the writers give what the templates would: not when a value is callable (the
    template engine calls it) or the attributes hold a key named "items" (the template's
    `attrs.items` would read it)."""
    values = [widget["name"], widget["value"], widget.get("type"), *widget["attrs"].values()]
    if "items" in widget["attrs"]:
        return False
    for group_name, options, _index in widget.get("optgroups", ()):
        values.append(group_name)
        for option in options:
            values += [option.get("value"), option.get("label"), *option.get("attrs", {}).values()]
    return not any(callable(value) for value in values)


class FormRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict, request: HttpRequest | None = None) -> str:
        widget = context.get("widget") if isinstance(context, dict) else None
        if isinstance(widget, dict) and widget.keys() >= KEYS and _as_written(widget):
            if template_name == SELECT:
                written = write_select(widget)
                if written is not None:
                    return written
            elif template_name in INPUTS and "type" in widget:
                return write_input(widget)
        return super().render(template_name, context, request)
