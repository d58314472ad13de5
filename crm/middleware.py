from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse


class RoleRequiredMiddleware:
    """A signed-in account without a role sees only its home page (which says to ask an
    administrator for one) and its own account pages: no list, page or export."""

    OPEN_PREFIXES = ("/accounts/", "/static/", "/health/", "/i18n/")

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
    OPEN_PREFIXES = ("/accounts/", "/static/", "/health/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_enrol(request):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    def _must_enrol(self, request) -> bool:
        required = settings.MFA_REQUIRED_ROLES
        user = request.user
        if not required or not user.is_authenticated or request.session.get(self.SESSION_KEY):
            return False
        if request.path.startswith(self.OPEN_PREFIXES):
            return False
        if user.role not in required:
            return False
        from allauth.mfa.models import Authenticator

        if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            request.session[self.SESSION_KEY] = True  # checked once per session
            return False
        return True
