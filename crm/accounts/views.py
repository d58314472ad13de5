"""User management for Administrators, the page where an invitee chooses a password, the
session keep-alive, and each user's API tokens."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required, permission_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_tables2 import RequestConfig

from crm.accounts import tokens
from crm.accounts.forms import ApiTokenForm, InviteForm, UserForm
from crm.accounts.middleware import two_factor_missing
from crm.accounts.services import (
    invitation_days,
    invitation_send,
    invitation_tokens,
    is_pending,
    user_invite,
    user_update,
)
from crm.accounts.tables import UserTable

User = get_user_model()
MANAGE_USERS = "crm.manage_users"


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def _add_form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@permission_required(MANAGE_USERS, raise_exception=True)
def user_list(request):
    users = User.objects.prefetch_related("groups").order_by("last_name", "first_name", "email")
    q = request.GET.get("q", "").strip()
    if q:
        users = users.filter(Q(email__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q))
    table = UserTable(users)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "crm/users/list.html", {"table": table, "q": q})


@permission_required(MANAGE_USERS, raise_exception=True)
def user_invite_view(request):
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_invite(**form.cleaned_data)
        except ValidationError as error:
            _add_form_errors(form, error)
        else:
            _send_invitation(request, user)
            return redirect("user_list")
    return render(request, "crm/users/invite.html", {"form": form, "days": invitation_days()})


def _send_invitation(request, user) -> None:
    if invitation_send(user=user, base_url=_base_url(request)):
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": user.email})
    else:
        messages.warning(
            request,
            _(
                "The account of %(email)s is created, but the invitation could not be e-mailed. "
                "Check the mail settings, then use “Send the invitation again” on the user's page."
            )
            % {"email": user.email},
        )


@permission_required(MANAGE_USERS, raise_exception=True)
def user_edit(request, pk):
    user = get_object_or_404(User, pk=pk)
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role,
        "preferred_language": user.preferred_language,
        "is_active": user.is_active,
    }
    form = UserForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            user_update(user=user, changed_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_form_errors(form, error)
        else:
            messages.success(request, _("Changes to %(user)s saved.") % {"user": user})
            return redirect("user_list")
    return render(request, "crm/users/edit.html", {"form": form, "account": user, "pending": is_pending(user)})


@require_POST
@permission_required(MANAGE_USERS, raise_exception=True)
def user_resend_invitation(request, pk):
    user = get_object_or_404(User, pk=pk)
    if is_pending(user) and user.is_active:
        _send_invitation(request, user)
    else:
        messages.warning(request, _("This user has already chosen a password or is deactivated."))
    return redirect("user_edit", pk=user.pk)


@login_not_required
def invitation_accept(request, uidb64, token):
    """The invitee chooses a password. A used, expired or altered link gets one clear message."""
    try:
        user = User.objects.get(pk=urlsafe_base64_decode(uidb64).decode(), is_active=True)
    except (User.DoesNotExist, ValueError, TypeError, OverflowError):
        user = None
    if user is None or not invitation_tokens.check_token(user, token):
        return render(request, "crm/users/invitation_invalid.html", status=400)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your password is set. Sign in with your e-mail address and this password."))
        return redirect("account_login")
    return render(request, "crm/users/invitation_accept.html", {"form": form, "account": user})


@never_cache
@require_GET
def session_keepalive(request):
    """Someone is typing in a form (crm/js/session.js): the request itself keeps the session alive."""
    return HttpResponse(status=204)


def email_managed_by_administrators(request):
    messages.info(request, _("Your e-mail address is managed by an administrator; ask one to change it."))
    return redirect("account_change_password")


@never_cache
def api_tokens(request):
    """The user's personal API tokens: make one (its secret is shown on this answer only), see
    when each was used, revoke one."""
    form = ApiTokenForm(request.POST if request.POST.get("action") == "create" else None)
    created = None
    if request.method == "POST" and request.POST.get("action") == "revoke":
        pk = request.POST.get("token", "").strip()
        token = get_object_or_404(tokens.user_tokens(user=request.user), pk=int(pk) if pk.isdigit() else 0)
        tokens.token_revoke(token=token)
        messages.success(request, _("Token “%(name)s” revoked: it no longer works.") % {"name": token.name})
        return redirect("api_tokens")
    if request.method == "POST" and form.is_valid():
        try:
            token, key = tokens.token_create(
                user=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
        except ValidationError as error:
            _add_form_errors(form, error)
        else:
            created = {"token": token, "key": key}
            form = ApiTokenForm()
    return render(
        request,
        "crm/api_tokens.html",
        {
            "form": form,
            "created": created,
            "tokens": tokens.user_tokens(user=request.user),
            "must_enrol": two_factor_missing(request.user),
            "now": timezone.now(),
        },
    )
