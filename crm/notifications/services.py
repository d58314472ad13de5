"""Writes of the notifications room: a user's choice of e-mails."""

from django.db import transaction

from crm.models import User


@transaction.atomic
def notification_settings_save(
    *, user: User, wants_reminders: bool, preferred_language: str, wants_digest: bool | None = None
) -> User:
    """Saves what `user` chose for themselves (the digest only when it was offered to them)."""
    user.wants_reminders = wants_reminders
    user.preferred_language = preferred_language
    fields = ["wants_reminders", "preferred_language"]
    if wants_digest is not None:
        user.wants_digest = wants_digest
        fields.append("wants_digest")
    user.full_clean(exclude=["password"])
    user.save(update_fields=fields)
    return user
