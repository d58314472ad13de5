"""Every API error in one shape: RFC 9457 problem details (application/problem+json).

    {"type": "about:blank", "title": "Bad Request", "status": 400,
     "detail": "Check these fields: kind, follow_ups.0.due_on.",
     "errors": {"kind": ["…"], "follow_ups.0.due_on": ["…"]}}

`errors` names each offending field (a dotted path into nested data; "non_field_errors" for what
concerns the whole record). A refusal from a service (Django's ValidationError, the same messages
as the forms) takes the same shape; so does an unauthenticated request (401) and a throttled one
(429, with Retry-After)."""

from http import HTTPStatus

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

PROBLEM = "application/problem+json"


def flatten(data, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as {"a.0.b": [messages]}."""
    if isinstance(data, dict):
        flat: dict[str, list[str]] = {}
        for key, value in data.items():
            name = api_settings.NON_FIELD_ERRORS_KEY if key == NON_FIELD_ERRORS else str(key)
            flat.update(flatten(value, f"{prefix}.{name}" if prefix else name))
        return flat
    if isinstance(data, list) and data and all(isinstance(item, (dict, list)) for item in data):
        flat = {}
        for index, item in enumerate(data):
            flat.update(flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    messages = [str(item) for item in data] if isinstance(data, list) else [str(data)]
    return {prefix or api_settings.NON_FIELD_ERRORS_KEY: messages} if messages else {}


def from_django(error: DjangoValidationError) -> exceptions.ValidationError:
    """A service's refusal as DRF's: {field: [messages]}, "__all__" as non_field_errors."""
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(
            {
                (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): messages
                for field, messages in error.message_dict.items()
            }
        )
    return exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: error.messages})


def problem_details(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = from_django(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None  # a server error: Django's handler logs it and answers 500
    body = {
        "type": "about:blank",
        "title": HTTPStatus(response.status_code).phrase,
        "status": response.status_code,
    }
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten(response.data)
        body["detail"] = _("Check these fields: %(fields)s.") % {"fields": ", ".join(errors)}
        body["errors"] = errors
    elif isinstance(exc, exceptions.ParseError):  # malformed JSON: the body as a whole is the field
        body["detail"] = str(exc.detail)
        body["errors"] = {"body": [str(exc.detail)]}
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        body["detail"] = str(detail)
    request = context.get("request")
    if request is not None:  # errors are JSON whatever the view renders (the documentation's pages)
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = PROBLEM
    return Response(body, status=response.status_code, headers=dict(response.items()), content_type=PROBLEM)
