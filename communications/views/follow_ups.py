"""Follow-ups: the user's own by default, overdue first; done in one click; reassign."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from communications.choices import FollowUpStatus
from communications.exports import FOLLOW_UPS
from communications.filters import FollowUpFilter
from communications.forms import FollowUpEditForm
from communications.selectors import follow_up_list
from communications.services import follow_up_set_status, follow_up_update
from communications.tables import FollowUpTable
from crm.lib.listing import ListPage


class FollowUpList(ListPage):
    table_class = FollowUpTable
    filterset_class = FollowUpFilter
    dataset = FOLLOW_UPS
    template_name = "communications/follow_up_list.html"
    partial_template_name = "communications/partials/follow_up_results.html"

    def get_queryset(self):
        return follow_up_list(user=self.request.user)

    def get_table_data(self):
        # The page's owners read by their ids once the page is known, not joined: with many users
        # each owning a few follow-ups, SQLite's planner started from the users and sorted every
        # open follow-up (0.4 s) rather than walk the due-date index to the page's 50.
        rows = super().get_table_data()
        return rows.select_related(None).select_related("engagement").prefetch_related("owner")

    def get_table_kwargs(self):
        return {"order_by": None} if "sort" not in self.request.GET else {}


def _follow_up_or_404(request, pk):
    follow_up = get_object_or_404(follow_up_list(user=request.user), pk=pk)
    if not request.user.has_perm("communications.edit_follow_up", follow_up):
        raise PermissionDenied
    return follow_up


def _back(request, default):
    target = request.POST.get("next", "")
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else default


@require_POST
def follow_up_done(request, pk):
    """Mark done (or open again) in one click; htmx swaps the row, otherwise the page reloads."""
    follow_up = _follow_up_or_404(request, pk)
    status = FollowUpStatus.OPEN if request.POST.get("action") == "reopen" else FollowUpStatus.DONE
    follow_up = follow_up_set_status(follow_up=follow_up, status=status, by=request.user)
    if request.htmx:
        return render(
            request, "communications/partials/follow_up_actions.html", {"follow_up": follow_up, "just_changed": True}
        )
    messages.success(
        request, _("Follow-up marked done.") if status == FollowUpStatus.DONE else _("Follow-up open again.")
    )
    return redirect(_back(request, "communications:followup_list"))


def follow_up_edit(request, pk):
    follow_up = _follow_up_or_404(request, pk)
    initial = {
        "description": follow_up.description,
        "owner": follow_up.owner,
        "due_on": follow_up.due_on,
        "status": follow_up.status,
    }
    form = FollowUpEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            follow_up_update(follow_up=follow_up, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Follow-up saved."))
            return redirect(follow_up.engagement)
    return render(request, "communications/follow_up_form.html", {"form": form, "follow_up": follow_up})
