"""User management: invitations, roles, deactivation. Views and commands call these functions."""

from allauth.account.models import EmailAddress
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

from crm.models import User
from crm.roles import Role


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Invitation links: valid for PASSWORD_RESET_TIMEOUT, dead once a password is set."""

    key_salt = "crm.users.InvitationTokenGenerator"


invitation_tokens = InvitationTokenGenerator()


def _set_role(user: User, role: str) -> None:
    user.groups.remove(*Group.objects.filter(name__in=Role.values))
    user.groups.add(Group.objects.get(name=role))
    # Administrators also reach the back office (the Django admin); nobody else does.
    user.is_staff = role == Role.ADMINISTRATOR
    user.save(update_fields=["is_staff"])
    user.__dict__.pop("role", None)  # forget the cached role


@transaction.atomic
def user_invite(
    *, email: str, first_name: str, last_name: str, role: str, preferred_language: str = "", base_url: str
) -> User:
    """Create an account without a password and e-mail its holder a link to choose one."""
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("A user with this e-mail address already exists.")})
    user = User(email=email, first_name=first_name, last_name=last_name, preferred_language=preferred_language)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    _set_role(user, role)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    transaction.on_commit(lambda: invitation_send(user=user, base_url=base_url))
    return user


def invitation_url(*, user: User, base_url: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = invitation_tokens.make_token(user)
    return base_url.rstrip("/") + reverse("invitation_accept", kwargs={"uidb64": uid, "token": token})


def invitation_send(*, user: User, base_url: str) -> None:
    """E-mail the invitation in the invitee's language (else the current one)."""
    with translation.override(user.preferred_language or translation.get_language()):
        context = {"user": user, "url": invitation_url(user=user, base_url=base_url)}
        subject = _("You are invited to the Customs stakeholder CRM")
        body = render_to_string("crm/email/invitation.txt", context)
    send_mail(subject, body, None, [user.email])


def is_pending(user: User) -> bool:
    """Invited but has not chosen a password yet."""
    return not user.has_usable_password() and user.last_login is None


@transaction.atomic
def user_update(
    *, user: User, changed_by: User, first_name: str, last_name: str, role: str, is_active: bool,
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


def user_create_with_password(*, email: str, password: str, role: str, first_name: str = "", last_name: str = "") -> User:
    """For seed_demo and tests: an account that can sign in at once."""
    user, _created = User.objects.get_or_create(email=email.lower())
    user.first_name, user.last_name = first_name, last_name
    user.is_active = True
    user.set_password(password)
    user.save()
    _set_role(user, role)
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"primary": True, "verified": True})
    return user
