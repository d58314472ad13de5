"""The account page of e-mail notifications, and dismissing notices."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from crm.accounts.roles import Role
from crm.notifications import entries
from crm.notifications.forms import NotificationSettingsForm
from crm.notifications.notices import notice_dismiss
from crm.notifications.services import notification_settings_save


def _gets_digest(user) -> bool:
    return user.role == Role.MANAGER


@never_cache
def notification_settings(request):
    user = request.user
    initial = {
        "wants_reminders": user.wants_reminders,
        "wants_digest": user.wants_digest,
        "preferred_language": user.preferred_language,
    }
    form = NotificationSettingsForm(request.POST or None, initial=initial, show_digest=_gets_digest(user))
    if request.method == "POST" and form.is_valid():
        notification_settings_save(user=user, **form.cleaned_data)
        messages.success(request, _("Your e-mail settings are saved."))
        return redirect("notification_settings")
    return render(request, "crm/notification_settings.html", {"form": form, "reminders_at": entries.reminders_at()})


@require_POST
def dismiss(request, pk: int | None = None):
    """Dismisses one notice (or all): back where the user was."""
    notice_dismiss(user=request.user, pk=pk)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = "/"
    return redirect(back)
