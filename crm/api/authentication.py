"""Who an API request acts as: a personal token (`Authorization: Bearer <token>`) or the signed-in
session (the app's own pages; DRF then checks the CSRF token of unsafe methods)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from crm.accounts.tokens import authenticate_key


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """Listed first, so that an unauthenticated request answers 401 with `WWW-Authenticate: Bearer`."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the header as “Authorization: Bearer <token>”."))
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("The token is not valid, has expired or was revoked.")) from None
        token = authenticate_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("The token is not valid, has expired or was revoked."))
        return token.user, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class HasRole(permissions.BasePermission):
    """Signed in (by token or session) and holding a role, as every page but the home page asks."""

    message = _("Your account has no role yet: ask an administrator for one.")

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return bool(user.is_superuser or user.role)


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """How the schema names the token scheme (drf-spectacular reads it from here)."""

    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token, made on the account page (/accounts/tokens/).",
        }
