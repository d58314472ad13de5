"""Private calendar feeds: make one (the previous one stops working), revoke it, find it by its secret.

The secret is shown once, in the URL; only its SHA-256 is kept. A request finds its feed by that hash
through a unique index, so a wrong guess costs the same as a right one and no secret is compared
character by character.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_supported_language_variant

from crm.accounts.middleware import two_factor_missing
from crm.models import CalendarFeed, User

SECRET_BYTES = 32  # 43 characters in the URL
LONGEST_SECRET = 100  # anything longer is no secret of ours: not even hashed
FETCH_NOTED_EVERY = timedelta(hours=1)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def may_read_calendar(user: User) -> bool:
    """What lets a user read their own work on the home page: an active account with a role (or a
    superuser), enrolled in two-factor where their role requires it. A feed follows its owner: it
    stops answering while they could not sign in and see the same."""
    return user.is_active and (user.is_superuser or bool(user.role)) and not two_factor_missing(user)


@transaction.atomic
def feed_make(*, user: User, language: str = "") -> tuple[CalendarFeed, str]:
    """A new feed for the user, and its secret (to be shown once); their previous feed is revoked."""
    User.objects.select_for_update().filter(pk=user.pk).exists()  # one change of the user's feed at a time
    feed_revoke(user=user)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    feed = CalendarFeed(user=user, secret_hash=secret_hash(secret), language=language)
    feed.full_clean(validate_unique=False, validate_constraints=False)  # the previous one is revoked above
    feed.save()
    return feed, secret


def feed_revoke(*, user: User) -> bool:
    """Revoke the user's feed, keeping its row as a trace; False when they had none."""
    return bool(CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now()))


def feed_of(*, user: User) -> CalendarFeed | None:
    """The user's feed that works, if any."""
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def feed_for_secret(secret: str) -> CalendarFeed | None:
    """The working feed this secret opens, with its user; None for an unknown or revoked secret, or
    an owner who may not read their calendar now (the caller answers all of these alike)."""
    if not secret or len(secret) > LONGEST_SECRET:
        return None
    try:
        feed = CalendarFeed.objects.select_related("user").get(secret_hash=secret_hash(secret), revoked_at__isnull=True)
    except CalendarFeed.DoesNotExist:
        return None
    return feed if may_read_calendar(feed.user) else None


def feed_note_fetch(feed: CalendarFeed) -> None:
    """Note when a calendar app last read the feed, at most once an hour (apps poll often)."""
    now = timezone.now()
    if feed.last_fetched_at is None or now - feed.last_fetched_at >= FETCH_NOTED_EVERY:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=now)
        feed.last_fetched_at = now


def feed_url(*, secret: str, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("calendar_feed", kwargs={"secret": secret})


def feed_language(*, user: User, fallback: str = "") -> str:
    """The feed's language: the user's preferred one, else the one they used when they made it (or
    the page's, for a download), else the site's."""
    for code in (user.preferred_language, fallback):
        if code:
            try:
                return get_supported_language_variant(code)
            except LookupError:
                continue
    return settings.LANGUAGE_CODE
