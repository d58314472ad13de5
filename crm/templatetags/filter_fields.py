"""{% filter_field field %}: one field of a list's filter form, the HTML
{% bootstrap_field field show_help=False %} writes, without its work per field.

Every list page carries its filter form, up to twenty fields; django-bootstrap5 builds each one
through a renderer object, its settings read again, its widget's attributes copied and restored:
4 to 5 ms of a 35 ms list page (docs/performance.md). Here the fields every filter form holds
(text, number and date inputs, selects, a checkbox, hidden inputs) are written directly: the wrapper,
the label, the widget with Bootstrap's class. A field with errors, a required one, a widget of
another kind, or settings that change how django-bootstrap5 writes a field (a layout, a label
class, a checkbox style, a placeholder) go through django-bootstrap5 itself
(crm.lib.forms.FieldRenderer, the settings' renderer), so what this writes never has to follow its
rules for those.

tests/crm/test_filter_fields.py compares both, field by field, for every filter form of the
project, empty, filled in and wrongly filled in.
"""

from django import forms, template
from django.forms.widgets import Input
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django_bootstrap5.core import get_bootstrap_setting
from django_bootstrap5.css import merge_css_classes
from django_bootstrap5.forms import render_field, render_label

register = template.Library()

# The input types Bootstrap styles as form-control (django-bootstrap5's is_form_control_widget).
FORM_CONTROL_TYPES = frozenset({"text", "number", "email", "url", "tel", "date", "search"})


def _widget_class(widget: forms.Widget) -> str | None:
    """Bootstrap's class for the widget, or None for a widget written by django-bootstrap5."""
    if isinstance(widget, forms.Select) and not isinstance(widget, forms.RadioSelect):
        return "form-select"
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, Input) and widget.input_type in FORM_CONTROL_TYPES:
        return "form-control"
    return None


def _plain(widget: forms.Widget) -> bool:
    """Whether django-bootstrap5's settings leave a field as written here: no layout, label class or
    checkbox style of their own, and no placeholder for it to rewrite."""
    return (
        not any(get_bootstrap_setting(name) for name in ("layout", "label_class", "checkbox_style", "checkbox_layout"))
        and "placeholder" not in widget.attrs
    )


@register.simple_tag
def filter_field(field: forms.BoundField) -> SafeString:
    if field.is_hidden:
        return SafeString(str(field))
    widget = field.field.widget
    kind = _widget_class(widget)
    form = field.form
    marked = any(
        getattr(form, name, get_bootstrap_setting(name))
        for name in ("error_css_class", "required_css_class", "success_css_class")
    )
    if kind is None or field.errors or field.field.required or marked or not _plain(widget):
        return render_field(field, show_help=False)
    wrapper = get_bootstrap_setting("wrapper_class")
    html = field.as_widget(attrs={**widget.attrs, "class": merge_css_classes(kind, widget.attrs.get("class", ""))})
    if kind == "form-check-input":
        label = render_label(field.label, label_for=field.id_for_label, label_class="form-check-label")
        return format_html('<div class="{}"><div class="form-check">{}{}</div></div>', wrapper, html, label)
    label = render_label(field.label, label_for=field.id_for_label, label_class="form-label")
    return format_html('<div class="{}">{}{}</div>', wrapper, label, html)
