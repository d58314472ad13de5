from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from communications.choices import OPEN_FOLLOW_UP_STATUSES


@login_not_required
@never_cache
@require_safe
def health(request):
    """200 "ok" when the database answers, 503 otherwise. No sign-in needed (load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


@never_cache
@require_GET
def session_keepalive(request):
    """Someone is typing in a form (crm/js/session.js): the request itself keeps the session alive."""
    return HttpResponse(status=204)


def email_managed_by_administrators(request):
    messages.info(request, _("Your e-mail address is managed by an administrator; ask one to change it."))
    return redirect("account_change_password")


def _open_follow_ups(user, limit: int = 10) -> list:
    """The user's open follow-ups, earliest due (overdue) first. Read through the open-follow-up
    index alone; the rare ones of a removed engagement are dropped here rather than by a join."""
    from communications.models import FollowUp

    candidates = (
        FollowUp.objects.filter(owner=user, status__in_codes=OPEN_FOLLOW_UP_STATUSES)
        .select_related("engagement", "owner")
        .order_by("due_on")[: limit * 2]
    )
    return [follow_up for follow_up in candidates if not follow_up.engagement.is_removed][:limit]


def home(request):
    """The signed-in user's own work: open follow-ups (overdue first), upcoming and recent engagements."""
    from communications.selectors import engagement_list

    user = request.user
    # What they logged (index on author and date): cheap at a million engagements.
    mine = engagement_list(user=user).filter(author=user)
    return render(
        request,
        "crm/home.html",
        {
            "role": user.role,
            "follow_ups": _open_follow_ups(user),
            "upcoming": mine.filter(is_held=False).order_by("occurred_on", "pk")[:10],
            "recent": mine.filter(is_held=True).order_by("-occurred_on")[:10],
        },
    )


def area_pending(request, *, title):
    """An area named in the navigation whose pages are not built yet."""
    return render(request, "crm/area_pending.html", {"title": title})


@permission_required("crm.view_exportlog", raise_exception=True)
def export_log(request):
    """Who exported which list, with which filters, how many rows, when."""
    from django.core.paginator import Paginator

    from crm.export_log import ExportDescriber
    from crm.models import ExportLog

    page = Paginator(ExportLog.objects.select_related("user"), 50).get_page(request.GET.get("page"))
    describer = ExportDescriber()
    entries = [
        {
            "entry": entry,
            "what": describer.describe(entry),
            "list": describer.list_name(entry),
            "format": describer.format_name(entry),
        }
        for entry in page
    ]
    return render(request, "crm/export_log.html", {"page_obj": page, "entries": entries})
