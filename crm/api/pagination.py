"""Cursor pagination by keyset: the cursor holds the ordering's values of the last row sent, and the
next page is the rows strictly after it in that ordering (which ends with the id, crm/api/ordering.py).
A page costs the same at the millionth row as at the first (an index range, no OFFSET), and rows
written meanwhile neither shift nor repeat the walk.

    {"next": "https://…/api/v1/engagements/?cursor=…", "results": [...]}

`page_size` (default 50, at most 1000) sets how many rows a page holds. Rows are records or, for
the lists read as plain rows (crm/api/rows.py), tuples that the view reads (its `cursor_value`).
The cursor also carries the walk's entry in the export log (crm/api/walk_log.py), when the list
has one."""

import base64
import binascii
import json
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from crm.api.ordering import IdEndedOrdering, Term, parse

PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


def after(terms: list[Term], values: list) -> Q:
    """The rows strictly after `values` in the order of `terms` (empty values last). Written as
    "first <= v AND (first < v OR (first = v AND rest after))", so that the first column bounds an
    index range."""
    term, rest = terms[0], terms[1:]
    value, later = values[0], values[1:]
    field = term.field
    if value is None:  # only empty values come after an empty value: those with a later rest
        if not rest:
            return Q(pk__in=[])
        return Q(**{f"{field}__isnull": True}) & after(rest, later)
    beyond = Q(**{f"{field}__{'lt' if term.descending else 'gt'}": value})
    within = Q(**{f"{field}__{'lte' if term.descending else 'gte'}": value})
    if term.nullable:
        beyond |= Q(**{f"{field}__isnull": True})
        within |= Q(**{f"{field}__isnull": True})
    if not rest:
        return beyond
    return within & (beyond | (Q(**{field: value}) & after(rest, later)))


def _value(row, field: str):
    return getattr(row, field)


def _plain(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


class KeysetCursorPagination(BasePagination):
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def page_size(self, request) -> int:
        text = request.query_params.get(self.page_size_query_param, "")
        if not text:
            return PAGE_SIZE
        if not text.isdigit() or not 1 <= int(text) <= MAX_PAGE_SIZE:
            raise ValidationError(
                {self.page_size_query_param: [_("A whole number from 1 to %(max)s.") % {"max": MAX_PAGE_SIZE}]}
            )
        return int(text)

    def _terms(self, request, view, model) -> list[Term]:
        return IdEndedOrdering().terms(request, view, model)

    def _decode(self, text: str, terms: list[Term], ordering: str, model) -> list:
        refused = ValidationError({self.cursor_query_param: [_("This cursor is not valid: start again without it.")]})
        try:
            cursor = json.loads(base64.urlsafe_b64decode(text.encode("ascii") + b"=" * (-len(text) % 4)))
        except (ValueError, UnicodeError, binascii.Error):
            raise refused from None
        if not isinstance(cursor, dict) or cursor.get("o") != ordering:
            raise refused
        values, entry = cursor.get("v"), cursor.get("e")
        if not isinstance(values, list) or len(values) != len(terms):
            raise refused
        if entry is not None and (isinstance(entry, bool) or not isinstance(entry, int) or not 0 < entry < 2**63):
            raise refused
        self.log_entry = entry
        try:
            return [
                None if value is None else model._meta.get_field(term.field).to_python(value)
                for term, value in zip(terms, values, strict=True)
            ]
        except (DjangoValidationError, TypeError, ValueError):
            raise refused from None

    def _encode(self, row, terms: list[Term], ordering: str) -> str:
        cursor = {"o": ordering, "v": [_plain(self.value_of(row, term.field)) for term in terms]}
        if self.log_entry is not None:
            cursor["e"] = self.log_entry
        text = json.dumps(cursor, separators=(",", ":"))
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    def paginate_queryset(self, queryset, request, view=None):
        size = self.page_size(request)
        terms = self._terms(request, view, queryset.model)
        ordering = getattr(request, "_api_ordering_text", "")
        cursor = request.query_params.get(self.cursor_query_param)
        self.log_entry: int | None = None  # the walk's export-log entry: the cursor's, then the page's
        if cursor:
            values = self._decode(cursor, terms, ordering, queryset.model)
            queryset = queryset.filter(after(terms, values))
        # A record's value, or the view's reading of a plain row (crm/api/rows.py)
        self.value_of = getattr(view, "cursor_value", _value)
        rows = list(queryset[: size + 1])
        self.next_row, self.request, self.terms, self.ordering = None, request, terms, ordering
        if len(rows) > size:
            rows = rows[:size]
            self.next_row = rows[-1]
        return rows

    def next_url(self) -> str | None:
        if self.next_row is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, self._encode(self.next_row, self.terms, self.ordering))

    def get_paginated_response(self, data):
        return Response({"next": self.next_url(), "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The `next` link of the previous page holds it.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page, 1 to {MAX_PAGE_SIZE} (default {PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]


__all__ = ["KeysetCursorPagination", "after", "parse"]
