"""Personal API tokens: made, found and revoked here (the account page, the `api_token` command and
the API's authentication call these).

A token reads `crm_<prefix>_<secret>`. Only the sha256 of the whole token is kept: the token is
shown once, when it is made. The prefix (random too) finds the row; the hashes are then compared in
constant time. A token acts as its user, with their role as it is at each request."""

import hashlib
import hmac
import secrets
import string
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crm.accounts.backends import role_of
from crm.accounts.middleware import two_factor_missing
from crm.models import ApiToken, User

SCHEME = "crm"
PREFIX_LENGTH = 10
SECRET_LENGTH = 40
DEFAULT_DAYS = 90
MAX_DAYS = 366
LAST_USED_EVERY = timedelta(seconds=60)  # "last used" is written at most once a minute per token
_ALPHABET = string.ascii_letters + string.digits


def _random(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _i in range(length))


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_problems(*, user: User, name: str, days: int | None) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if not name.strip():
        problems["name"] = [_("Name the token (what script or machine uses it).")]
    elif len(name.strip()) > 100:
        problems["name"] = [ngettext("At most %(n)s character.", "At most %(n)s characters.", 100) % {"n": 100}]
    if days is None or not 1 <= days <= MAX_DAYS:
        problems["days"] = [_("Between 1 and %(max)s days.") % {"max": MAX_DAYS}]
    if not user.is_active or not (user.role or user.is_superuser):
        problems["user"] = [_("Only an active user with a role can have API tokens.")]
    elif two_factor_missing(user):
        problems["user"] = [_("Your role requires two-factor authentication: set it up before making a token.")]
    return problems


@transaction.atomic
def token_create(*, user: User, name: str, days: int | None = DEFAULT_DAYS) -> tuple[ApiToken, str]:
    """A new token for `user` and its secret, which is never shown again."""
    problems = token_problems(user=user, name=name, days=days)
    if problems:
        raise ValidationError(problems)
    assert days is not None
    prefix = _random(PREFIX_LENGTH)
    while ApiToken.objects.filter(prefix=prefix).exists():  # 62^10: practically never
        prefix = _random(PREFIX_LENGTH)
    key = f"{SCHEME}_{prefix}_{_random(SECRET_LENGTH)}"
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        prefix=prefix,
        key_hash=_hash(key),
        expires_at=timezone.now() + timedelta(days=days),
    )
    return token, key


def token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def user_tokens(*, user: User):
    """The user's tokens for their account page, revoked ones included (the newest first)."""
    return ApiToken.objects.filter(user=user)


def token_is_valid(token: ApiToken, *, now=None) -> bool:
    now = now or timezone.now()
    return token.revoked_at is None and token.expires_at > now and token.user.is_active


def authenticate_key(key: str) -> ApiToken | None:
    """The live token this key is, with its user and their role read in the same query; None for a
    malformed, unknown, revoked or expired key, or an inactive user. Notes its use (at most once a
    minute)."""
    scheme, _sep, rest = key.partition("_")
    prefix, _sep, secret = rest.partition("_")
    if scheme != SCHEME or len(prefix) != PREFIX_LENGTH or len(secret) != SECRET_LENGTH:
        return None
    token = ApiToken.objects.select_related("user").annotate(role_name=role_of("user_id")).filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.key_hash, _hash(key)):
        return None
    now = timezone.now()
    if not token_is_valid(token, now=now):
        return None
    token.user.__dict__["role"] = token.role_name or ""  # User.role is a cached_property: filled here
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
