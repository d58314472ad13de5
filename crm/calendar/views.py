"""The calendar page of a user's account, the one-off download, and the feed calendar apps read."""

import hashlib
from functools import wraps
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from crm.accounts.middleware import two_factor_missing
from crm.calendar import selectors
from crm.calendar.ical import calendar_ics
from crm.calendar.services import (
    feed_for_secret,
    feed_language,
    feed_make,
    feed_note_fetch,
    feed_of,
    feed_revoke,
    feed_url,
    may_read_calendar,
)

NEW_URL = "crm_calendar_new_url"  # the session key that carries a new URL to the one page that shows it
CALENDAR_TYPE = "text/calendar; charset=utf-8"


def calendar_reader(view):
    """The account pages are open to every signed-in user (middleware.py); the calendar shows the
    user's work, so it asks what the other pages do: a role, and two-factor where the role requires it."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if not may_read_calendar(request.user):
            if request.user.is_active and two_factor_missing(request.user):
                return redirect("mfa_activate_totp")
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return checked


@never_cache
@calendar_reader
def calendar_page(request):
    feed = feed_of(user=request.user)
    new_url = request.session.pop(NEW_URL, None)  # shown once: the secret itself is not kept
    new_url = new_url if feed else None
    return render(
        request,
        "crm/calendar.html",
        {
            "feed": feed,
            "new_url": new_url,
            "webcal_url": "webcal://" + new_url.split("://", 1)[1] if new_url else "",
            "days_before": selectors.DAYS_BEFORE,
            "days_after": selectors.DAYS_AFTER,
            "most_of_each": selectors.MOST_OF_EACH,
        },
    )


@require_POST
@calendar_reader
def calendar_make(request):
    had_one = feed_of(user=request.user) is not None
    _feed, secret = feed_make(user=request.user, language=translation.get_language() or "")
    request.session[NEW_URL] = feed_url(secret=secret, base_url=request.build_absolute_uri("/"))
    if had_one:
        messages.info(request, _("Your previous calendar URL no longer works: give calendar apps the new one."))
    return redirect("calendar_page")


@require_POST
@calendar_reader
def calendar_revoke(request):
    if feed_revoke(user=request.user):
        messages.success(request, _("Your calendar URL is revoked: calendar apps can no longer read it."))
    return redirect("calendar_page")


@require_safe
@calendar_reader
def calendar_download(request):
    """The same events as the feed, once, as a file: works where no calendar app can reach the server."""
    language = feed_language(user=request.user, fallback=translation.get_language() or "")
    response = _calendar_response(request, _ics(request, request.user, language))
    response["Content-Language"] = language
    response["Content-Disposition"] = 'attachment; filename="customs-crm.ics"'
    return response


@login_not_required
@require_safe
def calendar_feed(request, secret):
    """A calendar app reads the user's feed: no session, the secret in the URL is the key. An unknown
    secret, a revoked one and one whose owner may not sign in now all get the same 404."""
    feed = feed_for_secret(secret)
    if feed is None:
        return _not_found()
    language = feed_language(user=feed.user, fallback=feed.language)
    body = _ics(request, feed.user, language)
    feed_note_fetch(feed)
    response = _calendar_response(request, body)
    response["Content-Language"] = language
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _not_found() -> HttpResponse:
    """One plain answer for every secret that opens nothing: no page, no cookie, nothing to tell them apart."""
    response = HttpResponseNotFound(b"Not found.\n", content_type="text/plain; charset=utf-8")
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _ics(request, user, language: str) -> bytes:
    items = selectors.calendar_items(user=user, today=timezone.localdate())
    base_url = request.build_absolute_uri("/")
    return calendar_ics(items=items, language=language, base_url=base_url, host=urlsplit(base_url).hostname or "crm")


def _calendar_response(request, body: bytes) -> HttpResponse:
    """Personal data: kept by the user's own calendar app, never by a shared cache, and asked again
    each time (the same content answers "not modified", from its ETag)."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    response = get_conditional_response(request, etag=etag) or HttpResponse(body, content_type=CALENDAR_TYPE)
    response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    return response
