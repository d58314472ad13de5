"""The form renderer (crm/lib/form_rendering.py) writes <select> and <input> in Python: the same
HTML, character for character, as Django's templates.

Three checks: Django's templates are still the ones the writers copy (a Django upgrade that changes
them fails here first); widgets built to be awkward give the same HTML both ways; and every page
with a form, and every list with every filter set, shown as sent and refused with hostile values,
in English and in French, is the same page whichever renderer wrote it (the tokens that change at
each request aside)."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import django
import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test import override_settings
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from hypothesis import given, settings
from hypothesis import strategies as st

from crm.lib.form_rendering import INPUTS, FormRenderer
from tests.crm.test_hostile_input import IMAGE, LISTS, SCRIPT
from tests.factories import EngagementFactory, FollowUpFactory, OrganizationFactory
from tests.form_pages import formset_management, page_forms

WIDGETS = Path(django.__file__).parent / "forms" / "templates" / "django" / "forms" / "widgets"
STOCK = "django.forms.renderers.DjangoTemplates"
OURS, DJANGOS = FormRenderer(), DjangoTemplates()


def test_djangos_templates_are_those_the_writers_copy():
    assert (WIDGETS / "select.html").read_text() == (
        '<select name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>'
        "{% for group_name, group_choices, group_index in widget.optgroups %}{% if group_name %}\n"
        '  <optgroup label="{{ group_name }}">{% endif %}{% for option in group_choices %}\n'
        "  {% include option.template_name with widget=option %}{% endfor %}{% if group_name %}\n"
        "  </optgroup>{% endif %}{% endfor %}\n"
        "</select>\n"
    )
    assert (WIDGETS / "select_option.html").read_text() == (
        "<option value=\"{{ widget.value|stringformat:'s' }}\""
        '{% include "django/forms/widgets/attrs.html" %}>{{ widget.label }}</option>\n'
    )
    assert (WIDGETS / "attrs.html").read_text() == (
        "{% for name, value in widget.attrs.items %}{% if value is not False %} {{ name }}"
        "{% if value is not True %}=\"{{ value|stringformat:'s' }}\"{% endif %}{% endif %}{% endfor %}"
    )
    assert (WIDGETS / "input.html").read_text() == (
        '<input type="{{ widget.type }}" name="{{ widget.name }}"{% if widget.value != None %}'
        " value=\"{{ widget.value|stringformat:'s' }}\"{% endif %}"
        '{% include "django/forms/widgets/attrs.html" %}>\n'
    )
    for name in INPUTS - {"django/forms/widgets/input.html"}:
        assert (WIDGETS / name.rsplit("/", 1)[1]).read_text() == '{% include "django/forms/widgets/input.html" %}\n'


def both(widget: forms.Widget, name: str, value, attrs=None) -> tuple[str, str]:
    return (
        widget.render(name, value, attrs=attrs, renderer=OURS),
        widget.render(name, value, attrs=attrs, renderer=DJANGOS),
    )


AWKWARD_TEXT = [
    "",
    " ",
    "a \"quoted\" <b>bold</b> & 'single'",
    SCRIPT,
    IMAGE,
    "Société générale · Côte d’Ivoire",
    "tab\tline\nend",
    "{{ widget.name }} {% now 'Y' %}",
    mark_safe("<em>safe</em> &amp;"),
    gettext_lazy("Organizations"),
]
AWKWARD_VALUES = [None, "", 0, 1, 1234567, -3, 2.5, Decimal("1234.50"), True, False, date(2026, 2, 28), "x y"]
AWKWARD_ATTRS = [
    {},
    {"class": "form-select", "required": True, "disabled": False},
    {"data-x": 'say "hi" <now>', "maxlength": 200, "step": Decimal("0.5"), "hx-vals": '{"a": 1}'},
    {"aria-describedby": mark_safe("a&amp;b"), "placeholder": gettext_lazy("Search"), "data-n": 0, "data-t": ("a", 1)},
]
CHOICES = [
    [],
    [("", "---------"), ("meeting", "Meeting"), ("call", 'Call "by phone"')],
    [(1, "one"), (2, mark_safe("<b>two</b>")), (3, 1234567), (4, date(2026, 1, 2)), (None, "none")],
    [("", "—"), ("Group <1>", [("a", "A & B"), ("b", gettext_lazy("Regions"))]), ("c", "C")],
    [(gettext_lazy("Topics"), [("x", "X")]), ("y", "Y")],
]


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("choices", CHOICES)
@pytest.mark.parametrize("attrs", AWKWARD_ATTRS)
def test_awkward_selects_are_written_as_django_writes_them(language, choices, attrs):
    with translation.override(language):
        for widget in (forms.Select, forms.SelectMultiple, forms.NullBooleanSelect):
            made = widget(attrs=attrs) if widget is forms.NullBooleanSelect else widget(attrs=attrs, choices=choices)
            for value in [None, "", "a", "meeting", 2, "2", ["1", "3"], ["a", "b", "x"], True, "unknown", SCRIPT]:
                if widget is forms.NullBooleanSelect and isinstance(value, list):
                    continue  # one value only
                ours, djangos = both(made, "field<&>", value)
                assert ours == djangos


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("attrs", AWKWARD_ATTRS)
def test_awkward_inputs_are_written_as_django_writes_them(language, attrs, settings):
    settings.USE_THOUSAND_SEPARATOR = True  # numbers in text would show a separator
    widgets = [
        forms.TextInput,
        forms.NumberInput,
        forms.EmailInput,
        forms.URLInput,
        forms.PasswordInput,
        forms.HiddenInput,
        forms.DateInput,
        forms.DateTimeInput,
        forms.TimeInput,
        forms.SearchInput,
        forms.TelInput,
        forms.ColorInput,
        forms.CheckboxInput,
    ]
    with translation.override(language):
        for widget in widgets:
            for value in [*AWKWARD_VALUES, *AWKWARD_TEXT, datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)]:
                ours, djangos = both(widget(attrs=attrs), "name", value, attrs={"id": "id_<x>"})
                assert ours == djangos, (widget.__name__, value)


texts = st.one_of(st.text(max_size=30), st.sampled_from(AWKWARD_TEXT))
values = st.one_of(texts, st.integers(), st.booleans(), st.none(), st.decimals(allow_nan=False, places=2))


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    attrs=st.dictionaries(st.sampled_from(["class", "data-a", "id", "required", "x&y", "title"]), values, max_size=4),
    choices=st.lists(st.tuples(st.one_of(st.text(max_size=8), st.integers()), texts), max_size=6),
    value=st.one_of(values, st.lists(st.text(max_size=8), max_size=3)),
)
def test_any_select_or_input_is_written_as_django_writes_it(attrs, choices, value):
    for widget in (forms.Select(attrs=attrs, choices=choices), forms.SelectMultiple(attrs=attrs, choices=choices)):
        assert both(widget, "f", value)[0] == both(widget, "f", value)[1]
    if not isinstance(value, list):
        ours, djangos = both(forms.TextInput(attrs=attrs), "f", value)
        assert ours == djangos


class _SafeWhenText:
    def __str__(self):
        return mark_safe("<i>safe as text</i>")


class _HtmlOfItsOwn:
    def __str__(self):
        return "<b>plain</b>"

    def __html__(self):
        return "<b>its own html</b>"


class _Called:
    def __call__(self):
        return "called"

    def __str__(self):
        return "not called"


def test_objects_callables_and_odd_keys_are_written_as_django_writes_them():
    """Labels that are objects (text that is safe, an __html__ of their own), values the template
    engine would call, an attribute named "items": the same HTML (the renderer falls back to the
    templates where it would differ)."""
    choices = [(1, _SafeWhenText()), (2, _HtmlOfItsOwn()), (_Called(), "x")]
    for widget in (forms.Select(choices=choices), forms.SelectMultiple(choices=choices)):
        ours, djangos = both(widget, "f", 1)
        assert ours == djangos
    for attrs in ({"data-x": _Called()}, {"title": _SafeWhenText()}, {"title": mark_safe("<b>")}):
        ours, djangos = both(forms.TextInput(attrs=attrs), "f", _Called())
        assert ours == djangos
    for renderer in (OURS, DJANGOS):  # Django's template reads attrs.items as the attribute: it fails
        with pytest.raises(ValueError, match="Need 2 values to unpack"):
            forms.TextInput(attrs={"items": "x"}).render("f", "", renderer=renderer)


def test_other_widgets_still_go_through_djangos_templates():
    radios = forms.RadioSelect(choices=[("a", "A"), ("b", "B")])
    boxes = forms.CheckboxSelectMultiple(choices=[("a", "A")])
    area = forms.Textarea(attrs={"rows": 3})
    for widget, value in ((radios, "a"), (boxes, ["a"]), (area, "<text>")):
        ours, djangos = both(widget, "f", value)
        assert ours == djangos


# Whatever changes from one request to the next, whichever renderer wrote the page.
CHANGING = [
    (re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+'), r"\1…"),
    (re.compile(r'("X-CSRFToken": ?")[^"]+'), r"\1…"),
    (re.compile(r'(nonce=")[^"]+'), r"\1…"),
    (re.compile(r'(csrf[-_]token"? content=")[^"]+'), r"\1…"),
]


def steady(html: str) -> str:
    for pattern, replacement in CHANGING:
        html = pattern.sub(replacement, html)
    return html


def both_pages(client, method: str, url: str, data=None) -> tuple[str, str]:
    send = client.get if method == "get" else client.post
    ours = send(url, data)
    with override_settings(FORM_RENDERER=STOCK):
        djangos = send(url, data)
    assert ours.status_code == djangos.status_code
    return steady(ours.content.decode()), steady(djangos.content.decode())


def test_the_steady_page_is_steady(manager_client):
    """The comparison below is not fooled by what changes at each request: the same renderer twice
    gives the same steady page."""
    OrganizationFactory()
    first = steady(manager_client.get("/stakeholders/organizations/new/").content.decode())
    assert first == steady(manager_client.get("/stakeholders/organizations/new/").content.decode())
    assert "<select" in first
    assert "<input" in first


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_form_page_is_the_same_page_whichever_renderer_wrote_it(form_pages, language):
    for name, url, client in form_pages:
        client.cookies["django_language"] = language
        ours, djangos = both_pages(client, "get", url)
        assert ours == djangos, f"{name}: {url}"
        response = client.get(url)
        data = formset_management(response.context)
        for form in page_forms(response.context):
            for field in form:
                data[field.html_name] = [SCRIPT, IMAGE] if isinstance(field.field, forms.MultipleChoiceField) else IMAGE
        ours, djangos = both_pages(client, "post", url, data)
        assert ours == djangos, f"{name}: {url}, refused"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_list_with_every_filter_set_is_the_same_page_whichever_renderer_wrote_it(manager_client, language):
    engagement = EngagementFactory(organizations=[OrganizationFactory()])
    FollowUpFactory(engagement=engagement)
    manager_client.cookies["django_language"] = language
    for url in LISTS:
        ours, djangos = both_pages(manager_client, "get", url)
        assert ours == djangos, url
        form = manager_client.get(url).context["filter"].form
        chosen = {}
        for field in form:
            choices = [value for value, _label in getattr(field.field, "choices", []) if value not in ("", None)]
            if choices:
                chosen[field.html_name] = (
                    choices[:2] if isinstance(field.field, forms.MultipleChoiceField) else choices[0]
                )
            else:
                chosen[field.html_name] = IMAGE
        for data in (chosen, dict.fromkeys(chosen, SCRIPT)):
            ours, djangos = both_pages(manager_client, "get", url, data)
            assert ours == djangos, (url, data)
