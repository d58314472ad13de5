"""IN with codes written into the SQL takes vocabulary codes only: every filter that writes one
(stakeholders.filters.ChoicesFilter) offers codes InCodes accepts, so no choice can answer 500."""

import django_filters
import pytest

from communications import filters as communication_filters
from crm.lib.lookups import CODE
from stakeholders import filters as registry_filters
from stakeholders.filters import ChoicesFilter

FILTERSETS = [
    value
    for module in (registry_filters, communication_filters)
    for value in vars(module).values()
    if isinstance(value, type) and issubclass(value, django_filters.FilterSet) and value is not django_filters.FilterSet
]


def choices_filters():
    return [
        (filterset.__name__, name, field)
        for filterset in FILTERSETS
        for name, field in filterset.base_filters.items()
        if isinstance(field, ChoicesFilter)
    ]


def test_there_are_filters_to_check():
    assert len(choices_filters()) >= 10


@pytest.mark.parametrize(("filterset", "name", "field"), choices_filters())
def test_every_choice_is_a_code_in_codes_accepts(filterset, name, field):
    codes = [code for code, _label in field.extra["choices"]]
    assert codes
    assert all(CODE.fullmatch(code) for code in codes), (filterset, name, codes)
    assert field.extra.get("null_label") is None  # no "empty" choice: ChoicesFilter.filter writes codes only
    assert not field.conjoined  # one IN, never an AND of values
