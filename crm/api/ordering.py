"""`?ordering=` on every list: the fields a resource allows, comma-separated, "-" for descending.

The ordering always ends with the id, so that rows with equal values come in one fixed order and a
cursor (crm/api/pagination.py) never skips nor repeats one. Empty values come last either way,
on SQLite as on PostgreSQL (whose defaults differ)."""

from dataclasses import dataclass

from django.db.models import F
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter


@dataclass(frozen=True)
class Term:
    field: str
    descending: bool
    nullable: bool

    def expression(self):
        if self.nullable:
            column = F(self.field)
            return column.desc(nulls_last=True) if self.descending else column.asc(nulls_last=True)
        return f"-{self.field}" if self.descending else self.field


def parse(text: str, allowed: list[str], model) -> list[Term]:
    """The terms of an ordering such as "-occurred_on,title", then the id; refuses unknown fields."""
    terms, seen = [], set()
    for part in [p.strip() for p in text.split(",") if p.strip()]:
        name = part.lstrip("-")
        if name not in allowed or name in seen or part.startswith("--"):
            raise ValidationError(
                {"ordering": [_("Order by one or more of: %(fields)s.") % {"fields": ", ".join(allowed)}]}
            )
        seen.add(name)
        terms.append(Term(name, part.startswith("-"), model._meta.get_field(name).null))
    if not terms or terms[-1].field not in ("id", "pk"):
        last_descending = terms[0].descending if terms else False
        terms.append(Term("id", last_descending, False))
    return terms


class IdEndedOrdering(OrderingFilter):
    """DRF's ordering filter (documented in the schema), with the rules above. The view's
    `ordering` is its default; `ordering_fields` what may be asked."""

    def terms(self, request, view, model) -> list[Term]:
        if not hasattr(request, "_api_ordering"):
            asked = request.query_params.get(self.ordering_param, "")
            default = ",".join(getattr(view, "ordering", None) or [])
            request._api_ordering = parse(asked or default, list(view.ordering_fields), model)
            request._api_ordering_text = asked or default
        return request._api_ordering

    def filter_queryset(self, request, queryset, view):
        if not getattr(view, "ordering_fields", None):
            return queryset
        return queryset.order_by(*(term.expression() for term in self.terms(request, view, queryset.model)))

    def get_schema_operation_parameters(self, view):
        fields = list(getattr(view, "ordering_fields", None) or [])
        if not fields:
            return []
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "A field to order by, with “-” for descending (default: "
                f"{','.join(getattr(view, 'ordering', None) or []) or 'id'}). Several may be joined by commas "
                "(“-occurred_on,title”); the id always ends the order.",
                "schema": {"type": "string", "enum": [f"{sign}{name}" for name in fields for sign in ("", "-")]},
            }
        ]

    def get_valid_fields(self, queryset, view, context=None):
        return [(name, name) for name in getattr(view, "ordering_fields", [])]
