"""What the OpenAPI schema says of errors: every operation may answer a problem-details body
(crm/api/errors.py), and the schema lists the statuses each kind of operation can give, so that a
client (and tests/api/test_schema.py) knows every answer it may meet.

    every operation        401 (no valid token), 403 (the role may not), 429 (throttled)
    a list or a write      400 (a filter, cursor, page size, ordering or field refused, by name)
    one record             404 (no such record, or outside the caller's scope)
    a create               409, 422 (its Idempotency-Key: still running; sent with another request)

Statuses an operation documents itself (extend_schema) are kept as they are. And a request body
holds only the fields the schema lists (`additionalProperties: false`): any other is refused by
name (crm/api/fields.py)."""

from http import HTTPStatus

from django_filters import ChoiceFilter, NumberFilter
from drf_spectacular.utils import extend_schema_field

from crm.api.errors import PROBLEM

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "An error, as RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "description": 'Each offending field (a dotted path into nested data, e.g. "follow_ups.0.due_on") '
            "and its messages.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["type", "title", "status"],
}
PROBLEM_RESPONSE = {"content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
WRITES = {"post", "put", "patch"}


def error_statuses(method: str, path: str) -> list[int]:
    one_record = "{" in path
    statuses = [401, 403, 429]
    if method in WRITES or (method == "get" and not one_record):
        statuses.append(400)
    if one_record:
        statuses.append(404)
    if method == "post" and not one_record:  # creates take an Idempotency-Key (crm/api/idempotency.py)
        statuses += [409, 422]
    return sorted(statuses)


def problem_responses(result, generator, request, public):
    """A drf-spectacular post-processing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in error_statuses(method, path):
                responses.setdefault(str(status), {"description": HTTPStatus(status).phrase, **PROBLEM_RESPONSE})
    return result


def closed_request_bodies(result, generator, request, public):
    """A drf-spectacular post-processing hook: the request bodies' objects admit no other field.
    (Read-only fields sent back as they were read are ignored, not refused; the schema leaves them
    out of the request bodies all the same.)"""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and component.get("type") == "object":
            component["additionalProperties"] = False
    return result


def annotate_filters(filterset_class) -> None:
    """Say in the schema what drf-spectacular cannot guess from a list page's filters: the bounds of
    a number filter (influence 1 to 5), the codes of a choice filter over a yes/no field (it would
    say "boolean", where the filter takes "yes" or "no")."""
    for list_filter in filterset_class.base_filters.values():
        if hasattr(list_filter, "_spectacular_annotation"):
            continue
        extra = list_filter.extra
        if isinstance(list_filter, NumberFilter) and "min_value" in extra and "max_value" in extra:
            schema: dict = {"type": "number", "minimum": extra["min_value"], "maximum": extra["max_value"]}
        elif type(list_filter) is ChoiceFilter and isinstance(extra.get("choices"), (list, tuple)):
            schema = {"type": "string", "enum": [str(code) for code, _label in extra["choices"]]}
        else:
            continue
        extend_schema_field(schema)(list_filter)
