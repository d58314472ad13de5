"""Table columns shared by the lists."""

from datetime import date

import django_tables2 as tables
from django.utils.formats import date_format


class DateColumn(tables.Column):
    """A date in the short format of the user's language (09/03/2026 in French, 03/09/2026 in
    English); ISO 8601 in exports. django-tables2's own DateColumn compiles a template for every cell."""

    def render(self, value: date) -> str:
        return date_format(value, "SHORT_DATE_FORMAT")

    def value(self, value: date) -> str:
        return value.isoformat()
