"""A follow-up's buttons (done, reopen, edit), written in Python: the follow-ups list shows them on
every row, and through the template engine they cost more than the rest of the row together.
The home page, the engagement's page and the htmx answer of a click show the same markup through
templates/communications/partials/follow_up_actions.html, which calls this tag."""

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


def _form(follow_up, *, button: str, csrf_token: str, next_url: str) -> SafeString:
    done_url = reverse("communications:followup_done", args=[follow_up.pk])
    return format_html(
        '<form method="post" action="{}" hx-post="{}" hx-target="#follow-up-actions-{}" hx-swap="outerHTML">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<input type="hidden" name="next" value="{}">{}</form>',
        done_url,
        done_url,
        follow_up.pk,
        csrf_token,
        next_url,
        button,
    )


def follow_up_actions_html(follow_up, *, user, csrf_token: str, next_url: str) -> SafeString:
    can_change = user.has_perm("communications.edit_follow_up", follow_up)
    form = {"csrf_token": csrf_token, "next_url": next_url}
    if follow_up.is_open:
        if can_change:
            button = format_html(
                '<button type="submit" class="btn btn-sm btn-success" name="action" value="done">{}'
                '<span class="visually-hidden">: {}</span></button>',
                _("Done"),
                follow_up.description,
            )
            state = _form(follow_up, button=button, **form)
        else:
            state = format_html(
                '<span class="badge text-bg-light border align-self-center">{}</span>',
                follow_up.get_status_display(),
            )
    else:
        completed = f" · {date_format(follow_up.completed_on, 'SHORT_DATE_FORMAT')}" if follow_up.completed_on else ""
        state = format_html(
            '<span class="badge text-bg-success align-self-center" role="status">{}{}</span>',
            follow_up.get_status_display(),
            completed,
        )
        if can_change:
            button = format_html(
                '<button type="submit" class="btn btn-sm btn-link" name="action" value="reopen">{}</button>',
                _("Reopen"),
            )
            state += _form(follow_up, button=button, **form)
    edit = ""
    if can_change:
        edit = format_html(
            '<a class="btn btn-sm btn-outline-secondary" href="{}">{}<span class="visually-hidden">: {}</span></a>',
            reverse("communications:followup_edit", args=[follow_up.pk]),
            _("Edit"),
            follow_up.description,
        )
    return format_html(
        '<div class="d-flex flex-wrap gap-1 follow-up-actions" id="follow-up-actions-{}">{}{}</div>',
        follow_up.pk,
        state,
        edit,
    )


@register.simple_tag(takes_context=True)
def follow_up_actions(context, follow_up) -> SafeString:
    request = context["request"]
    return follow_up_actions_html(
        follow_up, user=request.user, csrf_token=str(context.get("csrf_token", "")), next_url=request.get_full_path()
    )
