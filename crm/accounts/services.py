"""User management: invitations, roles, deactivation. Views and commands call these functions."""

import logging
import smtplib

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from crm.accounts.roles import Role
from crm.models import User

logger = logging.getLogger(__name__)


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Invitation links: valid for PASSWORD_RESET_TIMEOUT, dead once a password is set."""

    key_salt = (
        "crm.users.InvitationTokenGenerator"  # its name when the first invitations were sent: kept, so they stay valid
    )


invitation_tokens = InvitationTokenGenerator()


def _set_role(user: User, role: str) -> None:
    user.groups.remove(*Group.objects.filter(name__in=Role.values))
    user.groups.add(Group.objects.get(name=role))
    # Administrators also reach the back office (the Django admin); nobody else does.
    user.is_staff = role == Role.ADMINISTRATOR
    user.save(update_fields=["is_staff"])
    user.__dict__.pop("role", None)  # forget the cached role


@transaction.atomic
def user_invite(*, email: str, first_name: str, last_name: str, role: str, preferred_language: str = "") -> User:
    """Create an account without a password; the caller then sends the invitation (invitation_send)."""
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("A user with this e-mail address already exists.")})
    user = User(email=email, first_name=first_name, last_name=last_name, preferred_language=preferred_language)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    _set_role(user, role)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def invitation_url(*, user: User, base_url: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = invitation_tokens.make_token(user)
    return base_url.rstrip("/") + reverse("invitation_accept", kwargs={"uidb64": uid, "token": token})


def invitation_days() -> int:
    return max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)


def invitation_send(*, user: User, base_url: str) -> bool:
    """E-mail the invitation in the invitee's language (else the current one).

    Returns False when the mail server refused it (logged); the account stays and the
    invitation can be sent again from the user's page.
    """
    with translation.override(user.preferred_language or translation.get_language()):
        context = {"user": user, "url": invitation_url(user=user, base_url=base_url), "days": invitation_days()}
        subject = _("You are invited to the Customs stakeholder CRM")
        body = render_to_string("crm/email/invitation.txt", context)
    try:
        send_mail(subject, body, None, [user.email])
    except (OSError, smtplib.SMTPException):
        logger.exception("The invitation to %s could not be sent", user.email)
        return False
    return True


def is_pending(user: User) -> bool:
    """Invited but has not chosen a password yet."""
    return not user.has_usable_password() and user.last_login is None


@transaction.atomic
def user_update(
    *,
    user: User,
    changed_by: User,
    first_name: str,
    last_name: str,
    role: str,
    is_active: bool,
    preferred_language: str = "",
) -> User:
    """Change a user's name, role or whether they may sign in.

    An administrator cannot demote or deactivate themselves: the app would be left without one.
    """
    if user.pk == changed_by.pk and (role != Role.ADMINISTRATOR or not is_active):
        raise ValidationError(_("You cannot remove your own administrator role or deactivate yourself."))
    user.first_name, user.last_name = first_name, last_name
    user.preferred_language = preferred_language
    user.is_active = is_active
    user.full_clean()
    user.save()
    if user.role != role:
        _set_role(user, role)
    return user


def user_ensure_demo_account(
    *, email: str, password: str, role: str, first_name: str = "", last_name: str = ""
) -> User:
    """For seed_demo: create the account, or only reset its password if it exists (so the printed
    password is right) and leave the rest as people changed it."""
    user, created = User.objects.get_or_create(
        email=email.lower(), defaults={"first_name": first_name, "last_name": last_name}
    )
    user.set_password(password)
    user.save()
    if created:
        _set_role(user, role)
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user
