"""What the session clock in the browser needs on every page."""

from django.conf import settings


def session(request):
    """What crm/js/session.js needs: the idle limit, and a form to put back after signing in again
    (crm.accounts.middleware.SessionTimeoutMiddleware)."""
    return {
        "session_idle_seconds": settings.SESSION_IDLE_SECONDS,
        "restored_form": getattr(request, "restored_form", None),
    }
