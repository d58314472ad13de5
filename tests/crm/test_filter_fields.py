"""{% filter_field %} writes what {% bootstrap_field field show_help=False %} writes, for every
field of every list's filter form, empty, filled in and wrongly filled in, in English and French
(crm/templatetags/filter_fields.py)."""

import django_filters
import pytest
from django import forms
from django.http import QueryDict
from django.test import RequestFactory
from django.utils import translation
from django_bootstrap5.forms import render_field

from communications import filters as communications_filters
from crm.templatetags.filter_fields import filter_field
from stakeholders import filters as stakeholders_filters
from stakeholders.models import CustomsOffice
from tests.factories import RegionFactory

FILTERSETS = [
    module_filter
    for module in (stakeholders_filters, communications_filters)
    for module_filter in vars(module).values()
    if isinstance(module_filter, type)
    and issubclass(module_filter, django_filters.FilterSet)
    and module_filter.__module__ == module.__name__
]


def _filled(field: forms.Field) -> list[str]:
    """A value a person would give the field, as the query string holds it."""
    widget = field.widget
    if isinstance(widget, forms.Select):
        values = [str(value) for value, _label in getattr(field, "choices", []) if str(value)]
        return values[:2] if isinstance(widget, forms.SelectMultiple) else values[:1]
    if isinstance(widget, forms.CheckboxInput):
        return ["on"]
    if isinstance(widget, forms.DateInput):
        return ["2026-01-31"]
    if isinstance(widget, forms.NumberInput):
        return ["3"]
    return ["Kayes"]


def _wrong(field: forms.Field) -> list[str]:
    """A value the field refuses where it can refuse one."""
    widget = field.widget
    if isinstance(widget, forms.DateInput):
        return ["31/31/2026"]
    if isinstance(widget, forms.NumberInput):
        return ["many"]
    if isinstance(widget, forms.Select):
        return ["no-such-choice"]
    return ["x" * 300]


def _data(filterset_class, make) -> dict:
    empty = filterset_class({}, request=_request()).form
    return {name: make(bound.field) for name, bound in ((f.name, f) for f in empty)}


def _request():
    from crm.models import User

    request = RequestFactory().get("/")
    request.user = User.objects.get(email="manager@example.test")
    return request


def test_every_list_filter_form_is_compared():
    assert {f.__name__ for f in FILTERSETS} >= {
        "OrganizationFilter",
        "ContactFilter",
        "EngagementFilter",
        "FollowUpFilter",
        "CommitmentFilter",
        "ConcernFilter",
        "CampaignFilter",
    }


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("state", ["empty", "filled", "wrong"])
@pytest.mark.parametrize("filterset_class", FILTERSETS, ids=lambda f: f.__name__)
def test_each_field_is_written_as_django_bootstrap5_writes_it(manager, filterset_class, state, language):
    RegionFactory(name="Kayes")
    CustomsOffice.objects.create(name="Kayes Rail", region=RegionFactory(name="Sikasso"))
    with translation.override(language):
        data = {} if state == "empty" else _data(filterset_class, _filled if state == "filled" else _wrong)
        query = {name: values for name, values in data.items() if values}
        bound = QueryDict(mutable=True)
        for name, values in query.items():
            bound.setlist(name, values)
        form = filterset_class(bound, request=_request()).form
        form.is_valid()
        for field in form:
            assert str(filter_field(field)) == str(render_field(field, show_help=False)), field.name
        if state == "wrong":
            assert form.errors  # the wrong values reached the fields that refuse them


@pytest.mark.parametrize(
    "changed", [{"label_class": "fw-bold"}, {"layout": "horizontal"}, {"checkbox_style": "switch"}], ids=str
)
def test_settings_of_django_bootstrap5_are_followed(manager, settings, changed):
    """A setting that changes how django-bootstrap5 writes a field hands the field over to it."""
    settings.BOOTSTRAP5 = settings.BOOTSTRAP5 | changed
    for filterset_class in FILTERSETS:
        form = filterset_class(QueryDict("overdue=on"), request=_request()).form
        for field in form:
            assert str(filter_field(field)) == str(render_field(field, show_help=False)), field.name
