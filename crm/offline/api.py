"""What the offline code asks the API (under /api/v1/offline/, session or token, a role needed):

- `session/`: whose session this is (the user's offline key, crm/offline/keys.py) and a fresh CSRF
  token, so that an outbox is sent only under the session of the user who filled it;
- `directory/?since=…`: the pickers' records and what changed since (crm/offline/directory.py).
"""

from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.decorators import api_view
from rest_framework.response import Response

from crm.offline.directory import directory
from crm.offline.keys import offline_key


@extend_schema(responses=OpenApiTypes.OBJECT, summary="Whose session this is, and a CSRF token for it")
@api_view(["GET"])
def session(request):
    response = Response({"user": offline_key(request.user), "csrf": get_token(request)})
    response["Cache-Control"] = "no-store"
    return response


@extend_schema(
    parameters=[OpenApiParameter("since", OpenApiTypes.DATETIME, description="`as_of` of the last copy")],
    responses=OpenApiTypes.OBJECT,
    summary="The pickers' organizations and people, whole or changed since a time",
)
@api_view(["GET"])
def picker_directory(request):
    since = None
    if request.query_params.get("since"):
        since = parse_datetime(request.query_params["since"])
        if since is None or since.tzinfo is None:
            raise exceptions.ValidationError({"since": [_("Send the as_of value of the last copy.")]})
    response = Response(directory(user=request.user, since=since, now=timezone.now()))
    response["Cache-Control"] = "no-store"
    return response
