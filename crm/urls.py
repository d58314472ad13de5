from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.i18n import set_language

from crm.accounts import views as accounts
from crm.calendar import views as calendar
from crm.dashboard import views as dashboard
from crm.exporting import views as exporting
from crm.home import views as home
from crm.jobs import views as jobs
from crm.notifications import views as notifications
from crm.offline import views as offline
from crm.search import views as search
from crm.site import views as site

# The Django admin is a back office for administrators; its sign-in goes through allauth's,
# so it gets the same rate limits and two-factor.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = _("Customs CRM back office")

urlpatterns = [
    path("", home.home, name="home"),
    path("health/", site.health, name="health"),
    # The installable app (crm/offline/): public, at the root so that the worker's scope is the site.
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("sw.js", offline.service_worker, name="service_worker"),
    path("session/", accounts.session_keepalive, name="session_keepalive"),
    path("dashboard/", dashboard.dashboard_page, name="dashboard"),
    path("dashboard/survey/", dashboard.survey_import, name="survey_import"),
    path("exports/", exporting.export_log, name="export_log"),
    path("exports/mine/", exporting.my_exports, name="my_exports"),
    path("exports/<int:pk>/", exporting.export_file_page, name="export_file_page"),
    path("exports/<int:pk>/progress/", exporting.export_file_progress, name="export_file_progress"),
    path("exports/<int:pk>/cancel/", exporting.export_file_cancel, name="export_file_cancel"),
    path("exports/<int:pk>/file/", exporting.export_file_download, name="export_file_download"),
    path("search/", search.search_page, name="search"),
    path("search/suggestions/", search.suggestions, name="search_suggestions"),
    path("jobs/", jobs.jobs_page, name="jobs"),
    path("jobs/failures/<int:pk>/<str:answer>/", jobs.failure_answer, name="job_failure_answer"),
    path("users/", accounts.user_list, name="user_list"),
    path("users/invite/", accounts.user_invite_view, name="user_invite"),
    path("users/<int:pk>/", accounts.user_edit, name="user_edit"),
    path("users/<int:pk>/resend/", accounts.user_resend_invitation, name="user_resend_invitation"),
    path(
        "accounts/invitation/<uidb64>/<token>/",
        accounts.invitation_accept,
        name="invitation_accept",
    ),
    # E-mail addresses are set by administrators: an unverified address added by its holder
    # could be someone else's.
    path("accounts/email/", accounts.email_managed_by_administrators, name="account_email"),
    path("accounts/tokens/", accounts.api_tokens, name="api_tokens"),
    path("accounts/notifications/", notifications.notification_settings, name="notification_settings"),
    path("notices/dismiss/", notifications.dismiss, name="notices_dismiss"),
    path("notices/<int:pk>/dismiss/", notifications.dismiss, name="notice_dismiss"),
    path("accounts/calendar/", calendar.calendar_page, name="calendar_page"),
    path("accounts/calendar/new/", calendar.calendar_make, name="calendar_make"),
    path("accounts/calendar/revoke/", calendar.calendar_revoke, name="calendar_revoke"),
    path("accounts/calendar/customs-crm.ics", calendar.calendar_download, name="calendar_download"),
    # A user's private feed, read by calendar apps: the secret is the key (crm/calendar/services.py).
    path("calendar/<slug:secret>.ics", calendar.calendar_feed, name="calendar_feed"),
    path("settings/webhooks/", include("crm.webhooks.urls")),
    path("accounts/", include("allauth.urls")),
    # The language switch must work on the sign-in page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("stakeholders/", include("stakeholders.urls")),
    path("communications/", include("communications.urls")),
    path("api/", include("crm.api.urls")),
    path("admin/", admin.site.urls),
]


def page_not_found(request, exception):
    """The API answers in its own shape (crm/api/errors.py); pages with the site's 404 page."""
    if request.path.startswith("/api/"):
        from crm.accounts.middleware import api_refusal

        return api_refusal(request, 404, _("Not found."))
    return defaults.page_not_found(request, exception)


handler404 = page_not_found
