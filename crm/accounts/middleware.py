import time
from http import HTTPStatus
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

API_PREFIX = "/api/"
# A private calendar feed (/calendar/<secret>.ics) answers by its secret, whoever asks: calendar apps
# carry no session, and a signed-in browser's session (its role, its two-factor, its age) is not
# what lets it in.
CALENDAR_FEEDS = "/calendar/"
# The installable app's manifest and service worker (crm/offline/views.py): public, and fetched by the
# browser on its own, with whatever session it has; never sent to a sign-in or set-up page.
APP_FILES = ("/manifest.webmanifest", "/sw.js")


def two_factor_missing(user) -> bool:
    """The user's role must enrol two-factor (MFA_REQUIRED_ROLES) and they have not."""
    if not settings.MFA_REQUIRED_ROLES or user.role not in settings.MFA_REQUIRED_ROLES:
        return False
    from allauth.mfa.models import Authenticator

    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def api_refusal(request, status: int, detail: str) -> JsonResponse:
    """An API request is answered in the API's shape (crm/api/errors.py), never sent to a page."""
    return JsonResponse(
        {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail},
        status=status,
        content_type="application/problem+json",
    )


def sign_in_url(next_url: str, login_url: str = "") -> str:
    """The sign-in page, coming back to `next_url` afterwards."""
    return f"{resolve_url(login_url or settings.LOGIN_URL)}?{urlencode({'next': next_url})}"


class SignInRequiredMiddleware(LoginRequiredMiddleware):
    """Django's: every page needs a signed-in user unless its view says otherwise. A fragment asked
    by htmx (a suggestion, a filtered table) without a session answers 401 with no body rather
    than a sign-in page to swap into the page: session.js then says the session ended, with a link
    to sign in again, and leaves what was typed on screen. A boosted one (a link or form standing
    for a page) sends the whole page to sign in (HX-Redirect). (Rendering sign-in pages for
    fragments also set a new CSRF cookie under a sign-in form open beside it, which then failed.)"""

    def handle_no_permission(self, request, view_func):
        if request.headers.get("HX-Request") != "true" or request.headers.get("HX-History-Restore-Request") == "true":
            return super().handle_no_permission(request, view_func)  # a whole page (htmx restoring one too)
        if request.headers.get("HX-Boosted") == "true":  # a link or form standing for a page: the whole page goes
            return HttpResponseClientRedirect(sign_in_url(request.get_full_path(), self.get_login_url(view_func)))
        return HttpResponse(status=HTTPStatus.UNAUTHORIZED)


class RoleRequiredMiddleware:
    """A signed-in account without a role sees only its home page (which says to ask an
    administrator for one) and its own account pages: no list, page or export. (The API refuses
    them itself, in its own shape: crm.api.authentication.HasRole.)"""

    OPEN_PREFIXES = ("/accounts/", "/static/", "/health/", "/i18n/", API_PREFIX, CALENDAR_FEEDS, *APP_FILES)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not user.is_superuser
            and not user.role
            and request.path != "/"
            and not request.path.startswith(self.OPEN_PREFIXES)
        ):
            raise PermissionDenied
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """Send a signed-in user whose role requires two-factor to enrol before anything else.

    Roles come from MFA_REQUIRED_ROLES; an empty list makes two-factor optional for all.
    Account pages (sign-out, the two-factor set-up itself), static files and /health/ stay open.
    """

    SESSION_KEY = "crm_mfa_checked"
    OPEN_PREFIXES = ("/accounts/", "/static/", "/health/", "/i18n/", CALENDAR_FEEDS, *APP_FILES)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_enrol(request):
            if request.path.startswith(API_PREFIX):
                return api_refusal(request, 403, _("Your role requires two-factor authentication: set it up first."))
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    def _must_enrol(self, request) -> bool:
        user = request.user
        if not settings.MFA_REQUIRED_ROLES or not user.is_authenticated or request.session.get(self.SESSION_KEY):
            return False
        if request.path.startswith(self.OPEN_PREFIXES) or user.role not in settings.MFA_REQUIRED_ROLES:
            return False
        if not two_factor_missing(user):
            request.session[self.SESSION_KEY] = True  # checked once per session
            return False
        return True


class SessionTimeoutMiddleware:
    """End a session after SESSION_IDLE_SECONDS without a request, or SESSION_MAX_AGE_SECONDS
    after sign-in, whatever the user does.

    A form posted after its session ended is not lost: what was typed (never passwords, tokens or
    files) is kept in the new anonymous session, the user signs in again and comes back to the same
    page, where `restored_form` (context processor) puts it back in the form (crm/static/crm/js/session.js).
    Pages in use keep the session alive: the same script pings /session/ while someone types.
    """

    STARTED = "crm_session_started"
    LAST_SEEN = "crm_session_last_seen"
    PENDING_FORM = "crm_pending_form"
    WRITE_EVERY = 60  # seconds: refresh "last seen" at most once a minute (one session write)
    SKIPPED_FIELDS = ("csrfmiddlewaretoken",)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and not request.path.startswith(("/static/", CALENDAR_FEEDS, *APP_FILES)):
            now = int(time.time())
            session = request.session
            started = session.setdefault(self.STARTED, now)
            last_seen = session.get(self.LAST_SEEN, now)
            if now - last_seen > settings.SESSION_IDLE_SECONDS or now - started > settings.SESSION_COOKIE_AGE:
                if request.path.startswith(API_PREFIX):  # the API answers 401 itself, never a redirect
                    logout(request)
                    return self.get_response(request)
                return self._expire(request)
            if now - last_seen >= self.WRITE_EVERY or self.LAST_SEEN not in session:
                session[self.LAST_SEEN] = now
            self._restore_pending_form(request)
        return self.get_response(request)

    def _expire(self, request):
        kept = self._typed_values(request) if request.method == "POST" else None
        logout(request)
        if kept:
            request.session[self.PENDING_FORM] = {"path": request.path, "data": kept}
        messages.info(
            request,
            _("Your session ended. Sign in again: what you typed is kept.")
            if kept
            else _("Your session ended. Sign in again to continue."),
        )
        next_url = request.path if request.method == "POST" else request.get_full_path()
        if request.htmx and not request.htmx.boosted:
            next_url = request.htmx.current_url_abs_path or next_url
        login_url = sign_in_url(next_url)
        if request.htmx:
            return HttpResponseClientRedirect(login_url)
        return redirect(login_url)

    def _typed_values(self, request) -> dict[str, list[str]]:
        # Only from this site's own forms: a cross-site post must not plant text in the user's form.
        if CsrfViewMiddleware(self.get_response).process_view(request, None, (), {}) is not None:
            return {}
        return {
            name: values
            for name, values in request.POST.lists()
            if name not in self.SKIPPED_FIELDS and "password" not in name and any(values)
        }

    def _restore_pending_form(self, request):
        pending = request.session.get(self.PENDING_FORM)
        if pending and request.method == "GET" and pending["path"] == request.path and not request.htmx:
            del request.session[self.PENDING_FORM]
            request.restored_form = pending["data"]
            messages.info(
                request, _("What you typed before your session ended is back in the form: check it and save.")
            )


def start_session_clock(sender, request, user, **kwargs):
    """At sign-in (the user_logged_in signal): both clocks start now, written with the login."""
    if hasattr(request, "session"):
        now = int(time.time())
        request.session[SessionTimeoutMiddleware.STARTED] = now
        request.session[SessionTimeoutMiddleware.LAST_SEEN] = now
